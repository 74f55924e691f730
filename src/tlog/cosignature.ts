// Ed25519 checkpoint cosignatures (cosignature/v1): https://c2sp.org/tlog-cosignature
// ("Format", "Ed25519 signed message"); carried as signed-note signature lines.
//
// Contracts:
// - Key id = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte Ed25519 public key)[:4] (type byte 0x04, so a
//   cosigner key never verifies as a log key of type 0x01 and vice versa).
// - The signature is timestamped_signature: u64 big-endian POSIX seconds ‖ 64-byte Ed25519
//   signature over "cosignature/v1\ntime <t>\n" followed by the whole checkpoint note body.
// - A vkey of a cosigner is `<name>+<8 hex key id>+<base64(0x04 ‖ public key)>`.
// - Verifiers take untrusted lines: a line by another key is ignored (undefined), a line by the
//   configured key that does not verify is an error; they never throw on malformed input.
// - Pure: no I/O, no state.

import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { AppError } from '../lib/errors.ts';
import { decodeBase64Strict, isValidKeyName } from './signed-note.ts';

/** Signature type byte of Ed25519 cosignature/v1 keys. */
export const COSIGNATURE_V1_TYPE = 0x04;
const SIG_PREFIX = '\u2014 ';
const MAX_TIMESTAMP = 2n ** 63n - 1n;

/** A cosigner (witness) as a verifier knows it: name, key id and public key. */
export interface Cosigner {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: KeyObject;
}

/** A verified cosignature. */
export interface Cosignature {
  readonly name: string;
  readonly keyId: number;
  /** POSIX seconds the witness signed at. */
  readonly time: number;
  /** The signature line, verbatim, with its newline. */
  readonly line: string;
}

function invalid(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message);
}

function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw invalid('a cosigner key must be an Ed25519 key');
  return Buffer.from(pub.export({ format: 'jwk' }).x ?? '', 'base64url');
}

/** Key id of a cosignature/v1 Ed25519 key. */
export function cosignerKeyId(name: string, key: KeyObject): number {
  return createHash('sha256')
    .update(Buffer.from(name, 'utf8'))
    .update(Buffer.from([0x0a, COSIGNATURE_V1_TYPE]))
    .update(rawPublicKey(key))
    .digest()
    .readUInt32BE(0);
}

/** A cosigner from its name and public (or private) key. */
export function cosignerOf(name: string, key: KeyObject): Cosigner {
  if (!isValidKeyName(name)) throw invalid('a cosigner name must be non-empty without spaces, "+" or control characters');
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return { name, keyId: cosignerKeyId(name, publicKey), publicKey };
}

/** The vkey text of a cosigner. */
export function formatCosignerKey(c: Cosigner): string {
  const typed = Buffer.concat([Buffer.from([COSIGNATURE_V1_TYPE]), rawPublicKey(c.publicKey)]);
  return `${c.name}+${c.keyId.toString(16).padStart(8, '0')}+${typed.toString('base64')}`;
}

/** Parses a cosigner vkey; throws VALIDATION_FAILED on bad syntax, another type or a wrong key id. */
export function parseCosignerKey(vkey: string): Cosigner {
  // The base64 key may itself contain '+': split at the first two only.
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw invalid('a witness key must be <name>+<key id>+<key>');
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  const keyText = vkey.slice(second + 1);
  if (!isValidKeyName(name)) throw invalid('a witness key name must be non-empty without spaces, "+" or control characters');
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw invalid('a witness key id must be 8 lowercase hex digits');
  const typed = decodeBase64Strict(keyText);
  if (typed?.length !== 33 || typed[0] !== COSIGNATURE_V1_TYPE) throw invalid('a witness key must be base64 of 0x04 and a 32-byte Ed25519 public key (cosignature/v1)');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: typed.subarray(1).toString('base64url') }, format: 'jwk' });
  const c = cosignerOf(name, publicKey);
  if (c.keyId !== Number.parseInt(idHex, 16)) throw invalid('the witness key id does not match its name and key');
  return c;
}

/** The message a cosignature/v1 signs: header, time line, then the checkpoint body (with its final newline). */
export function cosignedMessage(body: string, time: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${time}\n${body}`, 'utf8');
}

/** Signs `body` (a checkpoint note body) at `time` (POSIX seconds) and returns the signature line. */
export function cosign(body: string, name: string, privateKey: KeyObject, time: number): string {
  if (!Number.isSafeInteger(time) || time < 0) throw invalid('a cosignature time must be a non-negative integer');
  if (!body.endsWith('\n')) throw invalid('a checkpoint body must end with a newline');
  const id = cosignerKeyId(name, privateKey);
  const blob = Buffer.alloc(4 + 8);
  blob.writeUInt32BE(id, 0);
  blob.writeBigUInt64BE(BigInt(time), 4);
  const signature = sign(null, cosignedMessage(body, time), privateKey);
  return `${SIG_PREFIX}${name} ${Buffer.concat([blob, signature]).toString('base64')}\n`;
}

/**
 * Checks one signature line (with or without its newline) against `body` and the configured
 * cosigner: undefined when the line is by another key (name or key id differ), a Cosignature when
 * it verifies, and an `{ error }` when it claims the cosigner's key but is malformed or forged.
 */
export function checkCosignatureLine(line: string, body: string, cosigner: Cosigner): Cosignature | { error: string } | undefined {
  const text = line.endsWith('\n') ? line.slice(0, -1) : line;
  if (!text.startsWith(SIG_PREFIX)) return undefined;
  const rest = text.slice(SIG_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0 || rest.slice(0, space) !== cosigner.name) return undefined;
  const blob = decodeBase64Strict(rest.slice(space + 1));
  if (blob === undefined || blob.length < 4) return { error: `a signature line of ${cosigner.name} is malformed` };
  if (blob.readUInt32BE(0) !== cosigner.keyId) return undefined;
  if (blob.length !== 4 + 8 + 64) return { error: `the signature of ${cosigner.name} is not a cosignature/v1 (wrong length)` };
  const time = blob.readBigUInt64BE(4);
  if (time > MAX_TIMESTAMP || time > BigInt(Number.MAX_SAFE_INTEGER)) return { error: `the cosignature of ${cosigner.name} has an impossible time` };
  if (!verify(null, cosignedMessage(body, Number(time)), cosigner.publicKey, blob.subarray(12))) {
    return { error: `the cosignature of ${cosigner.name} does not verify` };
  }
  return { name: cosigner.name, keyId: cosigner.keyId, time: Number(time), line: `${text}\n` };
}

/** The signature lines of a note (after its last blank line), each with its newline; [] when none. */
export function signatureLines(note: string): string[] {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return [];
  return note
    .slice(split + 2)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => `${l}\n`);
}

/** The body of a signed note (up to and including the newline before the blank line), or undefined. */
export function noteBody(note: string): string | undefined {
  const split = note.lastIndexOf('\n\n');
  return split < 0 ? undefined : note.slice(0, split + 1);
}

/** The note with `lines` (cosignature lines) appended after its own signature lines; duplicates are dropped. */
export function withCosignatures(note: string, lines: readonly string[]): string {
  const present = new Set(signatureLines(note));
  let out = note;
  for (const l of lines.map((x) => (x.endsWith('\n') ? x : `${x}\n`))) {
    if (present.has(l)) continue;
    present.add(l);
    out += l;
  }
  return out;
}
