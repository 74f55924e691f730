/**
 * The vault object header (docs/reference/vault-format.md, "Header"): who and when an object
 * records, which data key seals it, and the per-object salt and nonce prefix. The whole header is
 * the associated data of every chunk, so any change to it fails authentication.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../lib/errors.ts';

/** `CVLT`. */
export const VAULT_MAGIC = Buffer.from('CVLT', 'latin1');
/** The only format version this code reads and writes. */
export const VAULT_VERSION = 1;
/** Header bytes besides the camera id. */
export const HEADER_FIXED_SIZE = 72;
/** Longest camera id, in UTF-8 bytes. */
export const MAX_CAMERA_ID_BYTES = 1024;
/** Largest possible header. */
export const MAX_HEADER_SIZE = HEADER_FIXED_SIZE + MAX_CAMERA_ID_BYTES;
/** Bytes a reader needs to learn the header length. */
export const HEADER_PREFIX_SIZE = 7;
export const SALT_SIZE = 32;
export const NONCE_PREFIX_SIZE = 7;

/** A parsed header; `bytes` is its exact encoding (the chunks' associated data). */
export interface VaultHeader {
  readonly keyId: string;
  readonly cameraId: string;
  readonly startMs: number;
  readonly salt: Buffer;
  readonly noncePrefix: Buffer;
  readonly bytes: Buffer;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed header: corrupt (or not a vault object at all). */
function badHeader(reason: string): never {
  throw new AppError('STORAGE_FAILED', `vault header is invalid: ${reason}`, { chunk: null, reason });
}

/** A UUID string as its 16 bytes; the key id MUST be a UUID. */
export function uuidToBytes(id: string): Buffer {
  if (!UUID.test(id)) throw new AppError('STORAGE_FAILED', 'data key id is not a UUID', { reason: 'key id' });
  return Buffer.from(id.replaceAll('-', ''), 'hex');
}

/** 16 bytes as a lower-case canonical UUID string. */
export function bytesToUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Builds a header with a fresh random salt and nonce prefix. */
export function newHeader(keyId: string, cameraId: string, startMs: number): VaultHeader {
  return encodeHeader({ keyId, cameraId, startMs, salt: randomBytes(SALT_SIZE), noncePrefix: randomBytes(NONCE_PREFIX_SIZE) });
}

/** Encodes header fields; MUST round-trip through `parseHeader`. */
export function encodeHeader(h: Omit<VaultHeader, 'bytes'>): VaultHeader {
  const camera = Buffer.from(h.cameraId, 'utf8');
  if (camera.length < 1 || camera.length > MAX_CAMERA_ID_BYTES) badHeader('camera id length');
  if (!Number.isSafeInteger(h.startMs) || h.startMs < 0) badHeader('start time');
  if (h.salt.length !== SALT_SIZE || h.noncePrefix.length !== NONCE_PREFIX_SIZE) badHeader('salt or nonce prefix size');
  const n = camera.length;
  const bytes = Buffer.alloc(HEADER_FIXED_SIZE + n);
  VAULT_MAGIC.copy(bytes, 0);
  bytes.writeUInt8(VAULT_VERSION, 4);
  bytes.writeUInt16BE(HEADER_FIXED_SIZE + n, 5);
  uuidToBytes(h.keyId).copy(bytes, 7);
  bytes.writeUInt16BE(n, 23);
  camera.copy(bytes, 25);
  bytes.writeBigUInt64BE(BigInt(h.startMs), 25 + n);
  h.salt.copy(bytes, 33 + n);
  h.noncePrefix.copy(bytes, 65 + n);
  return { ...h, keyId: h.keyId.toLowerCase(), bytes };
}

/** Header length announced by the first HEADER_PREFIX_SIZE bytes, after checking magic and version. */
export function headerLength(prefix: Buffer): number {
  if (prefix.length < HEADER_PREFIX_SIZE) badHeader('object shorter than a header');
  if (!prefix.subarray(0, 4).equals(VAULT_MAGIC)) badHeader('magic is not CVLT');
  if (prefix.readUInt8(4) !== VAULT_VERSION) badHeader(`version ${prefix.readUInt8(4)} is not supported`);
  const len = prefix.readUInt16BE(5);
  if (len < HEADER_FIXED_SIZE + 1 || len > MAX_HEADER_SIZE) badHeader('header length out of range');
  return len;
}

/** Parses a header from the start of `buf`; throws STORAGE_FAILED when it is malformed. */
export function parseHeader(buf: Buffer): VaultHeader {
  const len = headerLength(buf);
  if (buf.length < len) badHeader('object shorter than its header');
  const n = buf.readUInt16BE(23);
  if (len !== HEADER_FIXED_SIZE + n) badHeader('header length does not match camera id length');
  const bytes = Buffer.from(buf.subarray(0, len));
  let cameraId: string;
  try {
    cameraId = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(25, 25 + n));
  } catch {
    badHeader('camera id is not UTF-8');
  }
  const startMs = bytes.readBigUInt64BE(25 + n);
  if (startMs > BigInt(Number.MAX_SAFE_INTEGER)) badHeader('start time');
  return {
    keyId: bytesToUuid(bytes.subarray(7, 23)),
    cameraId,
    startMs: Number(startMs),
    salt: bytes.subarray(33 + n, 65 + n),
    noncePrefix: bytes.subarray(65 + n, 72 + n),
    bytes,
  };
}
