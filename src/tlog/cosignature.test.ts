import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppError } from '../lib/errors.ts';
import { formatCheckpoint } from './checkpoint.ts';
import { checkCosignatureLine, cosign, cosignerOf, formatCosignerKey, noteBody, parseCosignerKey, signatureLines, withCosignatures } from './cosignature.ts';
import { openNote, signNote, verifierKey } from './signed-note.ts';
import { formatAddCheckpoint, parseAddCheckpoint, parseSizeBody } from './witness-protocol.ts';

// --- Independent reference, written from the text of c2sp.org/tlog-cosignature only
// ("Format", "Ed25519 signed message"). It MUST NOT import the production cosignature code.
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const rawKey = (k: KeyObject): Buffer => Buffer.from(k.export({ format: 'der', type: 'spki' })).subarray(SPKI_ED25519.length);

/** { time } when `line` is a valid cosignature/v1 by (name, raw) over `body`, else undefined. */
function refVerify(line: string, body: string, name: string, raw: Buffer): { time: bigint } | undefined {
  const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)\n?$/u.exec(line);
  if (m?.[1] !== name) return undefined;
  const blob = Buffer.from(m[2] ?? '', 'base64');
  const id = createHash('sha256').update(Buffer.concat([Buffer.from(name), Buffer.from([0x0a, 0x04]), raw])).digest().subarray(0, 4);
  if (blob.length !== 76 || !blob.subarray(0, 4).equals(id)) return undefined;
  const time = blob.readBigUInt64BE(4);
  const message = Buffer.from(`cosignature/v1\ntime ${time}\n${body}`);
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
  return verify(null, message, key, blob.subarray(12)) ? { time } : undefined;
}
// ---

const logKeys = generateKeyPairSync('ed25519');
const witnessKeys = generateKeyPairSync('ed25519');
const origin = 'example.com/behind-the-sofa';
const body = formatCheckpoint({ origin, size: 20852163, root: createHash('sha256').update('root').digest() });
const note = signNote(body, { name: origin, privateKey: logKeys.privateKey });

describe('cosignature/v1 (c2sp.org/tlog-cosignature)', () => {
  test('a cosignature verifies with the independent reference: key id with type 0x04, time, message', () => {
    const line = cosign(body, 'witness.example/w1', witnessKeys.privateKey, 1679315147);
    assert.deepEqual(refVerify(line, body, 'witness.example/w1', rawKey(witnessKeys.publicKey)), { time: 1679315147n });
    const checked = checkCosignatureLine(line, body, cosignerOf('witness.example/w1', witnessKeys.publicKey));
    assert.ok(checked !== undefined && !('error' in checked));
    assert.equal(checked.time, 1679315147);
  });

  test('a cosignature over another body, by another key, or with a changed time does not verify', () => {
    const cosigner = cosignerOf('witness.example/w1', witnessKeys.publicKey);
    const line = cosign(body, 'witness.example/w1', witnessKeys.privateKey, 100);
    const other = body.replace('20852163', '20852164');
    assert.deepEqual(checkCosignatureLine(line, other, cosigner), { error: 'the cosignature of witness.example/w1 does not verify' });
    // Another key under the same name: a different key id, so the line is not ours (ignored).
    const stranger = cosign(body, 'witness.example/w1', generateKeyPairSync('ed25519').privateKey, 100);
    assert.equal(checkCosignatureLine(stranger, body, cosigner), undefined);
    // The time is signed: moving it breaks the signature.
    const blob = Buffer.from(line.trim().split(' ')[2] ?? '', 'base64');
    blob.writeBigUInt64BE(101n, 4);
    const moved = `\u2014 witness.example/w1 ${blob.toString('base64')}\n`;
    assert.ok('error' in (checkCosignatureLine(moved, body, cosigner) ?? {}));
  });

  test('a log signature is not a cosignature and a cosignature is not a log signature (distinct type bytes)', () => {
    // The same Ed25519 key used as a log key and as a witness key gets two key ids.
    const asLog = verifierKey('k', witnessKeys.publicKey);
    const asWitness = cosignerOf('k', witnessKeys.publicKey);
    assert.notEqual(asLog.keyId, asWitness.keyId);
    const cosigned = withCosignatures(note, [cosign(body, 'k', witnessKeys.privateKey, 5)]);
    assert.throws(() => openNote(cosigned, [asLog]), /no trusted key/);
  });

  test('the vkey round-trips and a wrong type byte or key id is refused', () => {
    const c = cosignerOf('witness.example/w1', witnessKeys.publicKey);
    const vkey = formatCosignerKey(c);
    assert.match(vkey, /^witness\.example\/w1\+[0-9a-f]{8}\+/);
    assert.equal(parseCosignerKey(vkey).keyId, c.keyId);
    const logVkey = `witness.example/w1+${c.keyId.toString(16).padStart(8, '0')}+${Buffer.concat([Buffer.from([1]), rawKey(witnessKeys.publicKey)]).toString('base64')}`;
    assert.throws(() => parseCosignerKey(logVkey), (e: unknown) => isAppError(e, 'VALIDATION_FAILED'));
    assert.throws(() => parseCosignerKey(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')), /key id does not match/);
  });

  test('a cosigned note still opens with the log key, and its body and lines are split as the spec says', () => {
    const line = cosign(body, 'w', witnessKeys.privateKey, 7);
    const cosigned = withCosignatures(note, [line, line]);
    assert.equal(openNote(cosigned, [verifierKey(origin, logKeys.publicKey)]).body, body);
    assert.equal(noteBody(cosigned), body);
    assert.equal(signatureLines(cosigned).length, 2, 'the duplicate was dropped');
  });
});

describe('add-checkpoint bodies (c2sp.org/tlog-witness)', () => {
  test('a request round-trips: old size line, proof lines, empty line, checkpoint', () => {
    const proof = [createHash('sha256').update('a').digest(), createHash('sha256').update('b').digest()];
    const text = formatAddCheckpoint({ oldSize: 20852014, proof, note });
    assert.ok(text.startsWith(`old 20852014\n${proof[0]?.toString('base64')}\n${proof[1]?.toString('base64')}\n\n${origin}\n`));
    assert.deepEqual(parseAddCheckpoint(text), { oldSize: 20852014, proof, note });
  });

  test('malformed requests and size answers are refused', () => {
    for (const bad of ['old 01\n\n' + note, 'old -1\n\n' + note, 'old 5\nnot-base64\n\n' + note, `old 0\n${Buffer.alloc(32).toString('base64')}\n\n${note}`, 'old 5\n' + note.replace(/\n\n/g, '\n'), `old 1\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(64)}\n${note}`]) {
      assert.throws(() => parseAddCheckpoint(bad), (e: unknown) => isAppError(e, 'VALIDATION_FAILED'), JSON.stringify(bad.slice(0, 40)));
    }
    assert.equal(parseSizeBody('42\n'), 42);
    for (const bad of ['42', '042\n', 'x\n', '']) assert.throws(() => parseSizeBody(bad));
  });
});
