// Passkeys in the browser. The server speaks WebAuthn JSON (base64url for binary fields); the
// browser API wants ArrayBuffers, so they are converted here, field by field.

/** Whether this browser has WebAuthn at all. */
export const passkeysSupported = typeof window.PublicKeyCredential === 'function';

function base64urlToBuffer(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function bufferToBase64url(buffer) {
  let binary = '';
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const credentialDescriptors = (list) => list?.map((c) => ({ ...c, id: base64urlToBuffer(c.id) }));

/** PublicKeyCredentialCreationOptionsJSON → the options of navigator.credentials.create(). */
function creationOptions(json) {
  return { ...json, challenge: base64urlToBuffer(json.challenge), user: { ...json.user, id: base64urlToBuffer(json.user.id) }, excludeCredentials: credentialDescriptors(json.excludeCredentials) ?? [] };
}

/** PublicKeyCredentialRequestOptionsJSON → the options of navigator.credentials.get(). */
function requestOptions(json) {
  const options = { ...json, challenge: base64urlToBuffer(json.challenge) };
  if (json.allowCredentials) options.allowCredentials = credentialDescriptors(json.allowCredentials);
  return options;
}

/** The fields every PublicKeyCredential JSON shares, with its own `response` fields. */
function credentialJson(credential, response) {
  return {
    id: credential.id,
    rawId: bufferToBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: bufferToBase64url(credential.response.clientDataJSON), ...response },
  };
}

/** A new credential → RegistrationResponseJSON. */
function registrationJson(credential) {
  const r = credential.response;
  return credentialJson(credential, {
    attestationObject: bufferToBase64url(r.attestationObject),
    transports: typeof r.getTransports === 'function' ? r.getTransports() : [],
  });
}

/** An assertion → AuthenticationResponseJSON. */
function assertionJson(credential) {
  const r = credential.response;
  return credentialJson(credential, {
    authenticatorData: bufferToBase64url(r.authenticatorData),
    signature: bufferToBase64url(r.signature),
    userHandle: r.userHandle ? bufferToBase64url(r.userHandle) : undefined,
  });
}

/** Runs a WebAuthn ceremony; the browser's refusals become readable messages. */
async function ceremony(run) {
  try {
    const credential = await run();
    if (!credential) throw new Error('The browser returned no passkey.');
    return credential;
  } catch (e) {
    if (e instanceof DOMException && e.name === 'NotAllowedError') throw new Error('The passkey request was cancelled or timed out.', { cause: e });
    if (e instanceof DOMException && e.name === 'InvalidStateError') throw new Error('This passkey is already registered.', { cause: e });
    throw e;
  }
}

/** Runs navigator.credentials.get() for PublicKeyCredentialRequestOptionsJSON; answers AuthenticationResponseJSON. */
export async function getPasskeyAssertion(optionsJson) {
  return assertionJson(await ceremony(() => navigator.credentials.get({ publicKey: requestOptions(optionsJson) })));
}

/** Runs navigator.credentials.create() for PublicKeyCredentialCreationOptionsJSON; answers RegistrationResponseJSON. */
export async function createPasskey(optionsJson) {
  return registrationJson(await ceremony(() => navigator.credentials.create({ publicKey: creationOptions(optionsJson) })));
}
