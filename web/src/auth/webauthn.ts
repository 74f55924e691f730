// Passkeys in the browser. The server speaks WebAuthn JSON (base64url for binary fields); the
// browser API wants ArrayBuffers, so they are converted here, field by field.

/** Whether this browser has WebAuthn at all. */
export const passkeysSupported = typeof window.PublicKeyCredential === 'function';

/** The JSON shapes of the server's options (only the fields converted here are typed). */
type Json = Record<string, unknown>;
interface Descriptor extends Json {
  id: string;
}

function base64urlToBuffer(text: string): ArrayBuffer {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function bufferToBase64url(buffer: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const credentialDescriptors = (list: Descriptor[] | undefined) => list?.map((c) => ({ ...c, id: base64urlToBuffer(c.id) }));

/** PublicKeyCredentialCreationOptionsJSON → the options of navigator.credentials.create(). */
function creationOptions(json: Json): PublicKeyCredentialCreationOptions {
  const user = json.user as Json & { id: string };
  return {
    ...json,
    challenge: base64urlToBuffer(json.challenge as string),
    user: { ...user, id: base64urlToBuffer(user.id) },
    excludeCredentials: credentialDescriptors(json.excludeCredentials as Descriptor[] | undefined) ?? [],
  } as unknown as PublicKeyCredentialCreationOptions;
}

/** PublicKeyCredentialRequestOptionsJSON → the options of navigator.credentials.get(). */
function requestOptions(json: Json): PublicKeyCredentialRequestOptions {
  const options: Json = { ...json, challenge: base64urlToBuffer(json.challenge as string) };
  if (json.allowCredentials) options.allowCredentials = credentialDescriptors(json.allowCredentials as Descriptor[]);
  return options as unknown as PublicKeyCredentialRequestOptions;
}

/** The fields every PublicKeyCredential JSON shares, with its own `response` fields. */
function credentialJson(credential: PublicKeyCredential, response: Json): Json {
  return {
    id: credential.id,
    rawId: bufferToBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: bufferToBase64url(credential.response.clientDataJSON), ...response },
  };
}

/** What a refused ceremony says, in the page's language. */
export interface CeremonyMessages {
  passkeyCancelled: string;
  passkeyExists: string;
  passkeyNone: string;
}

/** Runs a WebAuthn ceremony; the browser's refusals become readable messages. */
async function ceremony(run: () => Promise<Credential | null>, m: CeremonyMessages): Promise<PublicKeyCredential> {
  try {
    const credential = await run();
    if (!credential) throw new Error(m.passkeyNone);
    return credential as PublicKeyCredential;
  } catch (e) {
    if (e instanceof DOMException && e.name === 'NotAllowedError') throw new Error(m.passkeyCancelled, { cause: e });
    if (e instanceof DOMException && e.name === 'InvalidStateError') throw new Error(m.passkeyExists, { cause: e });
    throw e;
  }
}

/** Runs navigator.credentials.get() for PublicKeyCredentialRequestOptionsJSON; answers AuthenticationResponseJSON. */
export async function getPasskeyAssertion(optionsJson: Json, m: CeremonyMessages): Promise<Json> {
  const credential = await ceremony(() => navigator.credentials.get({ publicKey: requestOptions(optionsJson) }), m);
  const r = credential.response as AuthenticatorAssertionResponse;
  return credentialJson(credential, {
    authenticatorData: bufferToBase64url(r.authenticatorData),
    signature: bufferToBase64url(r.signature),
    userHandle: r.userHandle ? bufferToBase64url(r.userHandle) : undefined,
  });
}

/** Runs navigator.credentials.create() for PublicKeyCredentialCreationOptionsJSON; answers RegistrationResponseJSON. */
export async function createPasskey(optionsJson: Json, m: CeremonyMessages): Promise<Json> {
  const credential = await ceremony(() => navigator.credentials.create({ publicKey: creationOptions(optionsJson) }), m);
  const r = credential.response as AuthenticatorAttestationResponse;
  return credentialJson(credential, {
    attestationObject: bufferToBase64url(r.attestationObject),
    transports: typeof r.getTransports === 'function' ? r.getTransports() : [],
  });
}
