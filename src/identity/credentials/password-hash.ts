import { argon2, randomBytes, timingSafeEqual, type Argon2Algorithm } from 'node:crypto';
import { AppError } from '../../lib/errors.ts';

/**
 * Password hashing with Argon2id (RFC 9106) through Node's built-in `crypto.argon2`, stored as
 * the PHC string other Argon2 libraries write and read, so hashes move between systems:
 * `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>`, base64 without padding.
 * https://github.com/P-H-C/phc-string-format/blob/master/phc-sf-spec.md
 *
 * Node runs each hash on the libuv thread pool, which file I/O shares: parameters are chosen
 * so one hash holds a pool thread for tens of milliseconds, not hundreds.
 */

/** Argon2 cost parameters. */
export interface Argon2Params {
  /** Memory in KiB. */
  readonly memoryKiB: number;
  /** Passes over the memory. */
  readonly passes: number;
  /** Lanes. */
  readonly parallelism: number;
}

/**
 * The parameters new hashes use: OWASP's Password Storage Cheat Sheet baseline for Argon2id
 * (19 MiB, 2 passes, 1 lane). Hashes made with other parameters still verify, and
 * {@link needsRehash} tells the caller to re-hash them after a successful login.
 */
export const ARGON2_PARAMS: Argon2Params = { memoryKiB: 19_456, passes: 2, parallelism: 1 };

/** Longest password, in UTF-8 bytes, that is hashed or verified (the policy allows 1,024 characters). */
export const MAX_PASSWORD_BYTES = 4096;

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const VERSION = 19; // Argon2 version 0x13, the only one Node implements.

/** Bounds on parameters read from a stored string, so a corrupt record cannot exhaust the host. */
const limits = { memoryKiB: 1 << 20, passes: 64, parallelism: 16, saltBytes: 64, hashBytes: 64 } as const;

interface ParsedPhc {
  readonly algorithm: Argon2Algorithm;
  readonly params: Argon2Params;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** Hashes `password` (NFC-normalised, UTF-8) with a fresh 16-byte random salt and returns its PHC string. */
export async function hashPassword(password: string, params: Argon2Params = ARGON2_PARAMS): Promise<string> {
  return hashPasswordWithSalt(password, randomBytes(SALT_BYTES), params);
}

/**
 * Hashes with a given salt. For known-answer tests and imports only: a stored hash MUST come
 * from {@link hashPassword}, whose salt is random. Refuses a password over
 * {@link MAX_PASSWORD_BYTES} with AppError PASSWORD_REJECTED.
 */
export async function hashPasswordWithSalt(password: string, salt: Uint8Array, params: Argon2Params = ARGON2_PARAMS): Promise<string> {
  const message = passwordBytes(password);
  if (message === null) throw new AppError('PASSWORD_REJECTED', `A password may be at most ${MAX_PASSWORD_BYTES} bytes long.`);
  const hash = await derive('argon2id', message, Buffer.from(salt), params, HASH_BYTES);
  const { memoryKiB: m, passes: t, parallelism: p } = params;
  return `$argon2id$v=${VERSION}$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(hash)}`;
}

/**
 * True when `password` matches the PHC string `phc` (argon2id, and argon2i/argon2d hashes
 * imported from elsewhere). MUST NOT throw: a malformed or out-of-bounds string, or an
 * over-long password, is simply false. The comparison is constant-time.
 */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  const parsed = parsePhc(phc);
  const message = passwordBytes(password);
  if (parsed === null || message === null) return false;
  try {
    const hash = await derive(parsed.algorithm, message, parsed.salt, parsed.params, parsed.hash.length);
    return timingSafeEqual(hash, parsed.hash);
  } catch {
    return false;
  }
}

/** True when `phc` is malformed or was not made by {@link hashPassword} with `params`: re-hash after the next successful login. */
export function needsRehash(phc: string, params: Argon2Params = ARGON2_PARAMS): boolean {
  const parsed = parsePhc(phc);
  return (
    parsed === null ||
    parsed.algorithm !== 'argon2id' ||
    parsed.params.memoryKiB !== params.memoryKiB ||
    parsed.params.passes !== params.passes ||
    parsed.params.parallelism !== params.parallelism ||
    parsed.salt.length < SALT_BYTES ||
    parsed.hash.length !== HASH_BYTES
  );
}

const phcPattern = /^\$(argon2id|argon2i|argon2d)\$v=(\d{1,3})\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,10})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parsePhc(phc: string): ParsedPhc | null {
  if (typeof phc !== 'string' || phc.length > 512) return null;
  const match = phcPattern.exec(phc);
  if (match === null) return null;
  const [, algorithm, version, m, t, p, saltText, hashText] = match;
  const params = { memoryKiB: Number(m), passes: Number(t), parallelism: Number(p) };
  const salt = unb64(saltText!);
  const hash = unb64(hashText!);
  if (Number(version) !== VERSION || salt === null || hash === null) return null;
  // Argon2's own bounds (RFC 9106 §3.1): p ≥ 1, m ≥ 8p, t ≥ 1, salt ≥ 8 bytes, tag ≥ 4 bytes.
  const { memoryKiB, passes, parallelism } = params;
  if (parallelism < 1 || parallelism > limits.parallelism) return null;
  if (memoryKiB < 8 * parallelism || memoryKiB > limits.memoryKiB) return null;
  if (passes < 1 || passes > limits.passes) return null;
  if (salt.length < 8 || salt.length > limits.saltBytes || hash.length < 4 || hash.length > limits.hashBytes) return null;
  return { algorithm: algorithm as Argon2Algorithm, params, salt, hash };
}

function passwordBytes(password: string): Buffer | null {
  if (typeof password !== 'string') return null;
  const bytes = Buffer.from(password.normalize('NFC'), 'utf8');
  return bytes.length > MAX_PASSWORD_BYTES ? null : bytes;
}

function derive(algorithm: Argon2Algorithm, message: Buffer, nonce: Buffer, params: Argon2Params, tagLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(
      algorithm,
      { message, nonce, memory: params.memoryKiB, passes: params.passes, parallelism: params.parallelism, tagLength },
      (err, key) => (err === null ? resolve(key) : reject(err)),
    );
  });
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

/** Strict unpadded base64: refuses text that does not re-encode to itself (stray bits, bad length). */
function unb64(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return b64(bytes) === text ? bytes : null;
}
