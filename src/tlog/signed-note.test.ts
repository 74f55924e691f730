import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppError } from '../lib/errors.ts';
import { formatVerifierKey, keyIdOf, openNote, parseVerifierKey, signNote, verifierKey } from './signed-note.ts';

// Vectors from golang.org/x/mod/sumdb/note (package doc and note_test.go), the reference
// implementation the C2SP signed-note spec was extracted from.
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_LINE = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_LINE = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const PETER_NOTE = `${PETER_TEXT}\n${PETER_LINE}`;

/** An Ed25519 private key from a raw 32-byte seed (PKCS#8 wrapping, RFC 8410). */
function privateFromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
}

function newSigner(name: string): { name: string; privateKey: KeyObject; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { name, privateKey, publicKey };
}

function rejects(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => isAppError(e, 'VALIDATION_FAILED') && (message === undefined || message.test(e.message)));
}

describe('signed notes', () => {
  const log = newSigner('custos.example.eu/audit');
  const logVerifier = verifierKey(log.name, log.publicKey);
  const body = 'custos.example.eu/audit\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';

  test('a signed note opens to its body and names the key that verified it', () => {
    const note = signNote(body, log);
    assert.deepEqual(openNote(note, [logVerifier]), { body, verifiedBy: [log.name] });
  });

  test('a note is the body, a blank line and one em-dash signature line of key id and 64-byte signature', () => {
    const note = signNote(body, log);
    assert.ok(note.startsWith(`${body}\n\u2014 ${log.name} `));
    const blob = Buffer.from(note.slice(body.length + 1).split(' ')[2] ?? '', 'base64');
    assert.equal(blob.length, 4 + 64);
    assert.equal(blob.readUInt32BE(0), logVerifier.keyId);
  });

  test('the key id is the first four bytes of SHA-256 of name, newline, 0x01 and the raw public key', () => {
    const raw = Buffer.from(log.publicKey.export({ format: 'der', type: 'spki' })).subarray(-32);
    const expected = createHash('sha256').update(`${log.name}\n`).update(Buffer.from([0x01])).update(raw).digest().readUInt32BE(0);
    assert.equal(keyIdOf(log.name, log.publicKey), expected);
    assert.equal(keyIdOf(log.name, log.privateKey), expected);
  });

  test('changing any byte of the body makes the note fail to open', () => {
    const note = Buffer.from(signNote(body, log), 'utf8');
    for (let i = 0; i < Buffer.byteLength(body); i++) {
      const copy = Buffer.from(note);
      copy[i] = (copy[i] ?? 0) ^ 0x01;
      rejects(() => openNote(copy.toString('utf8'), [logVerifier]));
    }
  });

  test('changing any byte of the signature makes the note fail to open', () => {
    const note = signNote(body, log);
    const prefix = `${body}\n\u2014 ${log.name} `;
    const blob = Buffer.from(note.slice(prefix.length, -1), 'base64');
    for (let i = 0; i < blob.length; i++) {
      const copy = Buffer.from(blob);
      copy[i] = (copy[i] ?? 0) ^ 0x80;
      rejects(() => openNote(`${prefix}${copy.toString('base64')}\n`, [logVerifier]));
    }
  });

  test('a co-signature by an unknown key is ignored while the known key verifies', () => {
    const witness = newSigner('witness.example');
    const cosigned = signNote(body, log) + signNote(body, witness).slice(body.length + 1);
    assert.deepEqual(openNote(cosigned, [logVerifier]).verifiedBy, [log.name]);
    const both = [logVerifier, verifierKey(witness.name, witness.publicKey)];
    assert.deepEqual(openNote(cosigned, both).verifiedBy, [log.name, witness.name]);
  });

  test('a signature under a known name but another key id counts as unknown', () => {
    const impostor = newSigner(log.name);
    rejects(() => openNote(signNote(body, impostor), [logVerifier]), /no trusted key/);
  });

  test('a note signed by no known key is rejected', () => {
    rejects(() => openNote(signNote(body, newSigner('stranger.example')), [logVerifier]), /no trusted key/);
    rejects(() => openNote(signNote(body, log), []), /no trusted key/);
  });

  test('malformed notes are rejected before any signature is checked', () => {
    const note = signNote(body, log);
    for (const bad of [
      note.slice(0, -1), // no final newline
      note.replace('\n\n', '\n'), // no blank line
      note.replace('\u2014', '-'), // hyphen instead of em dash
      note.replace('\u2014 ', '\u2014  '), // empty key name
      `${note}\n`, // trailing blank line
      note.replace('custos', 'cus\ttos'), // control character
      `${body}\n`, // no signature lines
    ]) {
      rejects(() => openNote(bad, [logVerifier]));
    }
  });

  test('signing refuses a body without a final newline and key names with spaces, plus or newline', () => {
    rejects(() => signNote(body.slice(0, -1), log), /newline/);
    for (const name of ['', 'a b', 'a+b', 'a\nb', 'a\u00a0b']) {
      rejects(() => signNote(body, { name, privateKey: log.privateKey }), /key name/);
      rejects(() => verifierKey(name, log.publicKey), /key name/);
    }
  });

  test('a verifier key round-trips through its vkey text form', () => {
    const vkey = formatVerifierKey(logVerifier);
    assert.match(vkey, /^custos\.example\.eu\/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const parsed = parseVerifierKey(vkey);
    assert.equal(parsed.name, log.name);
    assert.equal(parsed.keyId, logVerifier.keyId);
    assert.ok(parsed.publicKey.equals(log.publicKey));
  });

  test('vkeys with a wrong key id, another signature type or bad syntax are rejected', () => {
    const vkey = formatVerifierKey(logVerifier);
    const [name, id] = vkey.split('+') as [string, string];
    const key = vkey.slice(name.length + id.length + 2);
    const otherId = ((Number.parseInt(id, 16) + 1) >>> 0).toString(16).padStart(8, '0');
    const ecdsaType = Buffer.from(key, 'base64');
    ecdsaType[0] = 0x02;
    for (const bad of [`${name}+${otherId}+${key}`, `${name}+${id}+${ecdsaType.toString('base64')}`, `${name}+${id.toUpperCase()}+${key}`, `${name}+${id}`, `+${id}+${key}`, `${name}+${id}+${key.slice(0, -1)}`]) {
      rejects(() => parseVerifierKey(bad));
    }
  });

  test('the Go sumdb/note example vkey parses and its signed note opens', () => {
    const peter = parseVerifierKey(PETER_VKEY);
    assert.equal(peter.keyId, 0xc74f20a3);
    assert.equal(formatVerifierKey(peter), PETER_VKEY);
    assert.deepEqual(openNote(PETER_NOTE, [peter]), { body: PETER_TEXT, verifiedBy: ['PeterNeumann'] });
    rejects(() => openNote(PETER_NOTE.replace('cryptography', 'cryptographY'), [peter]));
  });

  test('signing the Go example text with the example seed reproduces the published note byte for byte', () => {
    const privateKey = privateFromSeed(PETER_SEED);
    assert.equal(formatVerifierKey(verifierKey('PeterNeumann', createPublicKey(privateKey))), PETER_VKEY);
    assert.equal(signNote(PETER_TEXT, { name: 'PeterNeumann', privateKey }), PETER_NOTE);
  });

  test('in the Go doubly-signed example each key verifies its own line and ignores the other', () => {
    const doubly = `${PETER_TEXT}\n${PETER_LINE}${ENOCH_LINE}`;
    const [peter, enoch] = [parseVerifierKey(PETER_VKEY), parseVerifierKey(ENOCH_VKEY)];
    assert.deepEqual(openNote(doubly, [peter]).verifiedBy, ['PeterNeumann']);
    assert.deepEqual(openNote(doubly, [enoch]).verifiedBy, ['EnochRoot']);
    assert.deepEqual(openNote(doubly, [enoch, peter]).verifiedBy, ['PeterNeumann', 'EnochRoot']);
  });

  test('the C2SP spec example note parses but is rejected without its (unpublished) key', () => {
    const quasimodo =
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n' +
      '— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';
    rejects(() => openNote(quasimodo, [logVerifier]), /no trusted key/);
  });
});
