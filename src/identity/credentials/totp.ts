import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../lib/errors.ts';
import { base32Decode, base32Encode } from './base32.ts';

/**
 * Time-based one-time passwords, RFC 6238 over RFC 4226 HOTP, with the parameters every
 * authenticator app supports: HMAC-SHA1, 6 digits, 30-second steps.
 * https://www.rfc-editor.org/rfc/rfc6238 · https://www.rfc-editor.org/rfc/rfc4226#section-5.3
 */

/** Seconds per time step (RFC 6238 X). */
export const TOTP_PERIOD_SECONDS = 30;
/** Digits in a code users type. */
export const TOTP_DIGITS = 6;

/** A fresh TOTP secret: 20 random bytes (RFC 4226 §4's recommended 160 bits) as unpadded base32. */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/**
 * The otpauth:// URI an authenticator app reads from the enrolment QR code (Key Uri Format).
 * Issuer and account MUST NOT contain a colon, the label's separator (AppError VALIDATION_FAILED).
 */
export function totpUri({ secret, account, issuer }: { secret: string; account: string; issuer: string }): string {
  if (issuer.includes(':') || account.includes(':')) {
    throw new AppError('VALIDATION_FAILED', 'The TOTP issuer and account name must not contain a colon.');
  }
  base32Decode(secret); // refuse a malformed secret here rather than in the user's app
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = [
    `secret=${secret.toUpperCase().replace(/=+$/, '')}`,
    `issuer=${encodeURIComponent(issuer)}`,
    'algorithm=SHA1',
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SECONDS}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}

/** The RFC 6238 time step (counter) at `nowMs` milliseconds since the Unix epoch. */
export function totpStep(nowMs: number, periodSeconds = TOTP_PERIOD_SECONDS): number {
  return Math.floor(nowMs / 1000 / periodSeconds);
}

/** The RFC 4226 HOTP value of `key` at `counter` (a 64-bit big-endian counter), zero-padded to `digits`. */
export function hotp(key: Uint8Array, counter: number, digits = TOTP_DIGITS): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The code for a base32 `secret` at `nowMs`; `digits` other than 6 exist for the RFC's test vectors. */
export function totpCode(secret: string, nowMs: number, digits = TOTP_DIGITS): string {
  return hotp(base32Decode(secret), totpStep(nowMs), digits);
}

/** Options of {@link verifyTotp}. */
export interface VerifyTotpOptions {
  /** Steps accepted either side of the current one, for clock drift (RFC 6238 §5.2 advises at most one). */
  window?: number;
  /** The step of the last accepted code for this secret, or null/undefined before the first. */
  lastStep?: number | null;
}

/**
 * Checks a user's 6-digit `code` against the base32 `secret` at `nowMs` and returns the matched
 * time step, or null. Steps at or before `lastStep` MUST NOT match: the caller stores the
 * returned step and passes it back, so a code (or an older one) is never accepted twice.
 * Anything but exactly six ASCII digits is refused; every candidate is compared in constant time.
 */
export function verifyTotp(secret: string, code: string, nowMs: number, { window = 1, lastStep = null }: VerifyTotpOptions = {}): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const key = base32Decode(secret);
  const given = Buffer.from(code);
  const now = totpStep(nowMs);
  let matched: number | null = null;
  for (let step = now - window; step <= now + window; step++) {
    if (step < 0 || (lastStep !== null && step <= lastStep)) continue;
    const equal = timingSafeEqual(Buffer.from(hotp(key, step, TOTP_DIGITS)), given);
    if (equal && matched === null) matched = step;
  }
  return matched;
}
