// C2SP signed notes with Ed25519 keys: https://c2sp.org/signed-note (Format, Signatures,
// Ed25519 signatures); the verifier-key text form follows golang.org/x/mod/sumdb/note.
//
// Contracts:
// - The signed text ("body") MUST end with a newline; signatures cover exactly its UTF-8 bytes,
//   not the blank line that separates it from the signature lines.
// - A signature line is `— <key name> <base64(4-byte big-endian key id ‖ signature)>`.
// - Key id = SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte Ed25519 public key)[:4].
// - Verifiers MUST ignore signatures by unknown keys (name and id not both matching), MUST verify
//   those by known keys, reject the whole note when a known key's signature fails (the spec's
//   SHOULD), and MUST reject a note no known key verifies.
// - Pure: no I/O, no state.

import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { AppError } from '../lib/errors.ts';

/** Signature type byte of Ed25519 in the signed-note registry. */
const ED25519_TYPE = 0x01;
const ED25519_KEY_SIZE = 32;
const ED25519_SIG_SIZE = 64;
const SIG_PREFIX = '\u2014 ';
/** Upper bound on signature lines; the spec requires accepting at least 16. */
export const MAX_SIGNATURES = 100;

/** A trusted Ed25519 key: the name and key id a signature line must carry, and the public key. */
export interface Verifier {
  readonly name: string;
  /** Unsigned 32-bit key id. */
  readonly keyId: number;
  readonly publicKey: KeyObject;
}

/** A note signer: a key name and its Ed25519 private key. */
export interface NoteSigner {
  readonly name: string;
  readonly privateKey: KeyObject;
}

/** The verified text of a note and the names of the known keys whose signatures verified. */
export interface OpenedNote {
  readonly body: string;
  readonly verifiedBy: string[];
}

function malformed(message: string, detail?: Record<string, unknown>): AppError {
  return new AppError('VALIDATION_FAILED', message, detail);
}

/** True when `name` is a legal key name: non-empty, no Unicode spaces, no '+', no control characters. */
export function isValidKeyName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > 0 && name.isWellFormed() && !/[\s+\u0085\u0000-\u001f]/u.test(name);
}

/** Strict RFC 4648 §4 base64: padded, canonical (re-encodes to the same text); undefined otherwise. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** The raw 32-byte Ed25519 public key of `key` (a public or private KeyObject). */
function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw malformed('note keys must be Ed25519 keys');
  const jwk = pub.export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url');
}

/** Key id of an Ed25519 key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] as an unsigned integer. */
export function keyIdOf(name: string, publicKey: KeyObject): number {
  const digest = createHash('sha256')
    .update(Buffer.from(name, 'utf8'))
    .update(Buffer.from([0x0a, ED25519_TYPE]))
    .update(rawPublicKey(publicKey))
    .digest();
  return digest.readUInt32BE(0);
}

function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw malformed('a key name must be non-empty without spaces, "+" or control characters', { name });
}

/** A verifier for `name` and an Ed25519 public key, with its key id computed. */
export function verifierKey(name: string, publicKey: KeyObject): Verifier {
  assertKeyName(name);
  if (publicKey.type !== 'public') throw malformed('a verifier needs a public key');
  return { name, keyId: keyIdOf(name, publicKey), publicKey };
}

/** The vkey text `<name>+<8 hex digit key id>+<base64(0x01 ‖ public key)>`. */
export function formatVerifierKey(verifier: Verifier): string {
  const typed = Buffer.concat([Buffer.from([ED25519_TYPE]), rawPublicKey(verifier.publicKey)]);
  return `${verifier.name}+${verifier.keyId.toString(16).padStart(8, '0')}+${typed.toString('base64')}`;
}

/** Parse a vkey string; throws VALIDATION_FAILED on bad syntax, a non-Ed25519 type or a wrong key id. */
export function parseVerifierKey(vkey: string): Verifier {
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw malformed('a verifier key must be <name>+<key id>+<key>');
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  const typed = decodeBase64Strict(vkey.slice(second + 1));
  assertKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw malformed('a verifier key id must be 8 lowercase hex digits', { name });
  if (typed?.length !== 1 + ED25519_KEY_SIZE || typed[0] !== ED25519_TYPE) {
    throw malformed('a verifier key must be base64 of 0x01 and a 32-byte Ed25519 public key', { name });
  }
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: typed.subarray(1).toString('base64url') }, format: 'jwk' });
  const verifier = verifierKey(name, publicKey);
  if (verifier.keyId !== Number.parseInt(idHex, 16)) throw malformed('the verifier key id does not match its name and key', { name });
  return verifier;
}

/** Reject text a note MUST NOT hold: ill-formed Unicode or ASCII control characters other than newline. */
function assertNoteText(text: string): void {
  // eslint-disable-next-line no-control-regex
  if (!text.isWellFormed() || /[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    throw malformed('a signed note must be valid UTF-8 without control characters other than newline');
  }
}

/** Sign `body` (which MUST end with a newline) and return the note with one signature line. */
export function signNote(body: string, signer: NoteSigner): string {
  assertKeyName(signer.name);
  assertNoteText(body);
  if (!body.endsWith('\n')) throw malformed('a note body must end with a newline');
  if (signer.privateKey.type !== 'private') throw malformed('a note signer needs a private key');
  const id = Buffer.alloc(4);
  id.writeUInt32BE(keyIdOf(signer.name, signer.privateKey));
  const signature = sign(null, Buffer.from(body, 'utf8'), signer.privateKey);
  return `${body}\n${SIG_PREFIX}${signer.name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

/**
 * Verify `note` against trusted `verifiers` and return its body. Signatures by unknown keys are
 * ignored; throws VALIDATION_FAILED when the note is malformed, a known key's signature fails, or
 * no known key signed it.
 */
export function openNote(note: string, verifiers: readonly Verifier[]): OpenedNote {
  assertNoteText(note);
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw malformed('a signed note must be text, a blank line, then signature lines');
  const body = note.slice(0, split + 1);
  const sigLines = note.slice(split + 2, -1);
  if (sigLines.length === 0) throw malformed('a signed note has no signature lines');
  const lines = sigLines.split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed(`a signed note may carry at most ${MAX_SIGNATURES} signatures`);
  const message = Buffer.from(body, 'utf8');
  const verifiedBy: string[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) throw malformed('a signature line must start with an em dash and a space');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const blob = space < 0 ? undefined : decodeBase64Strict(rest.slice(space + 1));
    if (!isValidKeyName(name) || blob === undefined || blob.length < 5) throw malformed('a signature line is malformed');
    const keyId = blob.readUInt32BE(0);
    const known = verifiers.find((v) => v.name === name && v.keyId === keyId);
    if (known === undefined) continue;
    const signature = blob.subarray(4);
    if (signature.length !== ED25519_SIG_SIZE || !verify(null, message, known.publicKey, signature)) {
      throw malformed('a signature by a trusted key does not verify', { name });
    }
    if (!verifiedBy.includes(name)) verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) throw malformed('no trusted key signed this note');
  return { body, verifiedBy };
}
