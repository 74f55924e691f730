import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AppError } from '../../lib/errors.ts';

/**
 * WebAuthn (passkeys and security keys) through @simplewebauthn/server: the options the
 * browser passes to navigator.credentials.create()/get(), and the checks of what it returns.
 * Every refusal is AppError LOGIN_FAILED; its message is for the audit, not the user.
 * https://www.w3.org/TR/webauthn-3/#sctn-rp-operations
 */

/** A registered credential as the store keeps it. */
export interface StoredCredential {
  /** Credential id, base64url. */
  id: string;
  /** COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's signature counter at its last use (0 when it keeps none). */
  counter: number;
  /** Transports the browser reported (usb, nfc, ble, internal, hybrid…), as hints for later logins. */
  transports: string[];
}

/** The user a credential is registered for. */
export interface WebAuthnUser {
  /** Our stable user id; becomes the user handle, so it MUST NOT be a name or e-mail (max 64 bytes). */
  id: string;
  /** User name, shown by the authenticator. */
  name: string;
  /** Display name, shown by the authenticator. */
  displayName: string;
}

/** User verification (PIN or biometrics) asked of the authenticator. */
export type UserVerification = 'required' | 'preferred' | 'discouraged';

const knownTransports = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);
const MAX_USER_HANDLE_BYTES = 64;

/**
 * Options for navigator.credentials.create(): a fresh challenge (the caller MUST keep
 * `options.challenge` server-side for {@link verifyRegistration}), a discoverable credential
 * preferred, user verification preferred, and the user's `existing` credentials excluded so
 * one authenticator is not registered twice.
 */
export async function registrationOptions({
  rpId,
  rpName,
  user,
  existing,
}: {
  rpId: string;
  rpName: string;
  user: WebAuthnUser;
  existing: readonly StoredCredential[];
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const userID = new Uint8Array(Buffer.from(user.id, 'utf8'));
  if (userID.length === 0 || userID.length > MAX_USER_HANDLE_BYTES) {
    throw new AppError('VALIDATION_FAILED', `A WebAuthn user id must be 1 to ${MAX_USER_HANDLE_BYTES} bytes.`);
  }
  return generateRegistrationOptions({
    rpID: rpId,
    rpName,
    userID,
    userName: user.name,
    userDisplayName: user.displayName,
    attestationType: 'none',
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports })),
  });
}

/**
 * Verifies the browser's answer to {@link registrationOptions} and returns the credential to
 * store. The challenge, origin and RP id MUST match; user presence is always required, user
 * verification only when `requireUserVerification` (default false: a PIN-less security key
 * may be enrolled, and {@link verifyAuthentication} decides per login whether UV is needed).
 */
export async function verifyRegistration({
  response,
  expectedChallenge,
  origin,
  rpId,
  requireUserVerification = false,
}: {
  response: unknown;
  expectedChallenge: string;
  origin: string;
  rpId: string;
  requireUserVerification?: boolean;
}): Promise<StoredCredential> {
  if (!isCredentialJson(response)) throw refused('registration', 'not a public-key credential');
  let result;
  try {
    result = await verifyRegistrationResponse({
      response: response as unknown as RegistrationResponseJSON,
      expectedChallenge,
      expectedOrigin: origin,
      expectedRPID: rpId,
      requireUserVerification,
    });
  } catch (e) {
    throw refused('registration', e);
  }
  if (!result.verified) throw refused('registration', 'not verified');
  const { credential } = result.registrationInfo;
  return {
    id: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: (credential.transports ?? []).filter((t) => knownTransports.has(t)),
  };
}

/**
 * Options for navigator.credentials.get() with a fresh challenge (the caller MUST keep
 * `options.challenge` server-side). With `allow`, only those credentials are asked for (a
 * second factor for a known user); without, the browser offers any discoverable passkey.
 */
export async function authenticationOptions({
  rpId,
  allow,
  userVerification = 'preferred',
}: {
  rpId: string;
  allow?: readonly StoredCredential[];
  userVerification?: UserVerification;
}): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rpId,
    userVerification,
    ...(allow ? { allowCredentials: allow.map((c) => ({ id: c.id, transports: c.transports })) } : {}),
  });
}

/**
 * Verifies an assertion made with the stored `credential` and returns the new signature
 * counter to store. The response MUST be for that credential, signed over the challenge, from
 * the origin and RP id given. A counter that does not grow while either side is non-zero
 * (a cloned authenticator, WebAuthn §6.1.1) MUST be refused. User verification is required
 * unless `requireUserVerification` is false, which is right only when the passkey is a second
 * factor after a password; a passkey alone MUST be verified with UV.
 */
export async function verifyAuthentication({
  response,
  expectedChallenge,
  origin,
  rpId,
  credential,
  requireUserVerification = true,
}: {
  response: unknown;
  expectedChallenge: string;
  origin: string;
  rpId: string;
  credential: StoredCredential;
  requireUserVerification?: boolean;
}): Promise<number> {
  if (!isCredentialJson(response)) throw refused('assertion', 'not a public-key credential');
  if (response.id !== credential.id) throw refused('assertion', 'made with another credential');
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response: response as unknown as AuthenticationResponseJSON,
      expectedChallenge,
      expectedOrigin: origin,
      expectedRPID: rpId,
      credential: {
        id: credential.id,
        publicKey: new Uint8Array(Buffer.from(credential.publicKey, 'base64url')),
        counter: credential.counter,
        transports: credential.transports,
      },
      requireUserVerification,
    });
  } catch (e) {
    throw refused('assertion', e);
  }
  if (!result.verified) throw refused('assertion', 'not verified');
  const { newCounter } = result.authenticationInfo;
  if ((newCounter !== 0 || credential.counter !== 0) && newCounter <= credential.counter) {
    throw refused('assertion', `signature counter ${newCounter} did not exceed ${credential.counter}`);
  }
  return newCounter;
}

function isCredentialJson(value: unknown): value is { id: string; rawId: string; type: 'public-key'; response: object } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.id === 'string' && v.id !== '' && v.rawId === v.id && v.type === 'public-key' && typeof v.response === 'object' && v.response !== null;
}

function refused(what: 'registration' | 'assertion', cause: unknown): AppError {
  const reason = (cause instanceof Error ? cause.message : String(cause)).replace(/\s+/g, ' ').slice(0, 200);
  return new AppError('LOGIN_FAILED', `passkey ${what} refused: ${reason}`);
}
