import { randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { AppError } from '../lib/errors.ts';
import type { Secret } from '../config/secret.ts';
import { openGcm, sealGcm } from './aes-gcm.ts';

/**
 * The master key file format (docs/reference/keys.md "Key file"), JSON, UTF-8:
 * - clear:  `{"format":"custos-master-key/1","current":2,"keys":{"1":"<b64 32 bytes>","2":"…"}}`
 * - sealed: `{"format":"custos-master-key/1","sealed":{"kdf":"scrypt","N":32768,"r":8,"p":1,
 *   "salt":"<b64>","box":"<b64 nonce‖ct‖tag>"}}` where box is AES-256-GCM under the scrypt key
 *   of the clear `{"current","keys"}` JSON, with the format string as associated data, so the
 *   current version cannot be changed without the passphrase either.
 * The current version MUST be the highest version in the file (versions only grow).
 */
export const keyFileFormat = 'custos-master-key/1';

/** The KEK versions held by a key file. Buffers are owned by the ring. */
export interface KeyRing {
  current: number;
  keys: Map<number, Buffer>;
}

/** The passphrase-derived key and its salt, kept so rewrites need no second scrypt. */
export interface Sealing {
  readonly key: Buffer;
  readonly salt: Buffer;
}

const scryptParams: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** Derives the sealing key; a fresh salt when none is given. */
export async function deriveSealing(passphrase: Secret, salt: Buffer = randomBytes(16), params = scryptParams): Promise<Sealing> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(passphrase.reveal().normalize('NFC'), salt, 32, options, (e, k) => (e ? reject(e) : resolve(k))),
  );
  return { key, salt };
}

/** A new ring with one random version 1. */
export function newKeyRing(): KeyRing {
  return { current: 1, keys: new Map([[1, randomBytes(32)]]) };
}

/** Serialises a ring, sealed when `sealing` is given. */
export function encodeKeyFile(ring: KeyRing, sealing: Sealing | null): string {
  const keys: Record<string, string> = {};
  for (const [v, k] of ring.keys) keys[String(v)] = k.toString('base64');
  const clear = { current: ring.current, keys };
  if (sealing === null) return `${JSON.stringify({ format: keyFileFormat, ...clear }, null, 2)}\n`;
  const box = sealGcm(sealing.key, Buffer.from(JSON.stringify(clear)), Buffer.from(keyFileFormat));
  const sealed = { kdf: 'scrypt', ...scryptParams, salt: sealing.salt.toString('base64'), box: box.toString('base64') };
  return `${JSON.stringify({ format: keyFileFormat, sealed }, null, 2)}\n`;
}

/**
 * Parses a key file. A sealed file MUST be opened with the right passphrase; any failure is
 * AppError KEY_UNAVAILABLE with one line naming the file and the cause.
 */
export async function decodeKeyFile(text: string, passphrase: Secret | null, path: string): Promise<{ ring: KeyRing; sealing: Sealing | null }> {
  const bad = (why: string) => new AppError('KEY_UNAVAILABLE', `master key file ${path}: ${why}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad('not valid JSON');
  }
  if (!isRecord(doc) || doc.format !== keyFileFormat) throw bad(`not a ${keyFileFormat} file`);
  if (!isRecord(doc.sealed)) return { ring: parseRing(doc, bad), sealing: null };
  const s = doc.sealed;
  if (passphrase === null) throw bad('sealed, but no passphrase was given (keys.file.passphrase)');
  if (s.kdf !== 'scrypt' || typeof s.salt !== 'string' || typeof s.box !== 'string') throw bad('malformed sealed section');
  const params = { N: Number(s.N), r: Number(s.r), p: Number(s.p) };
  if (![params.N, params.r, params.p].every(Number.isSafeInteger) || params.N > 2 ** 20 || params.r > 32 || params.p > 16) {
    throw bad('unsupported scrypt parameters');
  }
  const sealing = await deriveSealing(passphrase, Buffer.from(s.salt, 'base64'), params);
  const clear = openGcm(sealing.key, Buffer.from(s.box, 'base64'), Buffer.from(keyFileFormat));
  if (clear === null) throw bad('passphrase incorrect (or the file was altered)');
  let inner: unknown;
  try {
    inner = JSON.parse(clear.toString('utf8'));
  } finally {
    clear.fill(0);
  }
  return { ring: parseRing(inner, bad), sealing };
}

function parseRing(doc: unknown, bad: (why: string) => AppError): KeyRing {
  if (!isRecord(doc) || !isRecord(doc.keys) || !Number.isSafeInteger(doc.current)) throw bad('malformed key list');
  const keys = new Map<number, Buffer>();
  for (const [v, b64] of Object.entries(doc.keys)) {
    const version = Number(v);
    const key = typeof b64 === 'string' ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
    if (!Number.isSafeInteger(version) || version < 1 || key.length !== 32) throw bad(`malformed key version ${v}`);
    keys.set(version, key);
  }
  const current = doc.current as number;
  if (!keys.has(current) || Math.max(...keys.keys()) !== current) throw bad('current version is missing or not the highest');
  return { current, keys };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
