import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppError } from '../lib/errors.ts';
import { formatCheckpoint, parseCheckpoint } from './checkpoint.ts';
import { leafHash, rootOf } from './merkle.ts';
import { openNote, signNote, verifierKey } from './signed-note.ts';

// --- Independent reference, written from the spec text of c2sp.org/signed-note and
// c2sp.org/tlog-checkpoint only. It MUST NOT import the production note or checkpoint code.
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

function refRawKey(publicKey: KeyObject): Buffer {
  return Buffer.from(publicKey.export({ format: 'der', type: 'spki' })).subarray(SPKI_ED25519.length);
}

function refKeyId(name: string, raw: Buffer): Buffer {
  return createHash('sha256').update(Buffer.concat([Buffer.from(name), Buffer.from([0x0a, 0x01]), raw])).digest().subarray(0, 4);
}

/** Returns { origin, size, root } when `note` carries a valid signature by (name, raw key). */
function refVerifyCheckpoint(note: string, name: string, raw: Buffer): { origin: string; size: bigint; root: Buffer } | undefined {
  const bytes = Buffer.from(note, 'utf8');
  const sep = bytes.lastIndexOf('\n\n');
  if (sep < 0 || bytes[bytes.length - 1] !== 0x0a) return undefined;
  const text = bytes.subarray(0, sep + 1);
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
  const id = refKeyId(name, raw);
  let ok = false;
  for (const line of bytes.subarray(sep + 2, -1).toString('utf8').split('\n')) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    if (m === null) return undefined;
    const sig = Buffer.from(m[2] ?? '', 'base64');
    if (m[1] === name && sig.subarray(0, 4).equals(id)) ok = verify(null, text, key, sig.subarray(4));
  }
  if (!ok) return undefined;
  const lines = text.toString('utf8').split('\n');
  if (lines.length < 4 || !/^(0|[1-9]\d*)$/.test(lines[1] ?? '')) return undefined;
  const root = Buffer.from(lines[2] ?? '', 'base64');
  return root.length === 32 ? { origin: lines[0] ?? '', size: BigInt(lines[1] ?? ''), root } : undefined;
}

function refSignCheckpoint(origin: string, size: number, root: Buffer, name: string, privateKey: KeyObject): string {
  const text = `${origin}\n${size}\n${root.toString('base64')}\n`;
  const raw = refRawKey(createPublicKey(privateKey));
  const sig = Buffer.concat([refKeyId(name, raw), sign(null, Buffer.from(text), privateKey)]);
  return `${text}\n\u2014 ${name} ${sig.toString('base64')}\n`;
}
// --- end of independent reference.

function rejects(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => isAppError(e, 'VALIDATION_FAILED'));
}

describe('checkpoints', () => {
  const origin = 'custos.example.eu/audit';
  const root = rootOf([leafHash(Buffer.from('a')), leafHash(Buffer.from('b')), leafHash(Buffer.from('c'))]);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');

  test('a checkpoint body is origin, decimal size and base64 root, each on its own line', () => {
    assert.equal(formatCheckpoint({ origin, size: 3, root }), `${origin}\n3\n${root.toString('base64')}\n`);
  });

  test('a checkpoint round-trips through its body, extension lines included', () => {
    for (const cp of [{ origin, size: 0, root: rootOf([]) }, { origin, size: 3, root, extensions: ['ext one', 'ext two'] }]) {
      const parsed = parseCheckpoint(formatCheckpoint(cp));
      assert.deepEqual(parsed, { extensions: [], ...cp });
    }
  });

  test('the C2SP tlog-checkpoint example body parses', () => {
    const cp = parseCheckpoint('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    assert.equal(cp.origin, 'example.com/behind-the-sofa');
    assert.equal(cp.size, 20852163);
    assert.equal(cp.root.toString('base64'), 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
  });

  test('malformed checkpoint bodies are rejected', () => {
    const r = root.toString('base64');
    for (const bad of [
      `${origin}\n3\n${r}`, // no final newline
      `${origin}\n3\n`, // no root
      `\n3\n${r}\n`, // empty origin
      `${origin}\n03\n${r}\n`, // leading zero
      `${origin}\n-1\n${r}\n`,
      `${origin}\n3.0\n${r}\n`,
      `${origin}\n 3\n${r}\n`,
      `${origin}\n99999999999999999999\n${r}\n`, // beyond a safe integer
      `${origin}\n3\n${r.slice(0, -1)}\n`, // unpadded base64
      `${origin}\n3\n${Buffer.alloc(31).toString('base64')}\n`, // short hash
      `${origin}\n3\n${r}\n\n`, // empty extension line
      `${origin}\n3\n${r}\next\tension\n`,
    ]) {
      rejects(() => parseCheckpoint(bad));
    }
    rejects(() => formatCheckpoint({ origin: 'a\nb', size: 1, root }));
    rejects(() => formatCheckpoint({ origin, size: -1, root }));
    rejects(() => formatCheckpoint({ origin, size: 1, root: Buffer.alloc(31) }));
    rejects(() => formatCheckpoint({ origin, size: 1, root, extensions: [''] }));
  });

  test('a checkpoint signed by production code verifies with the independent spec reference', () => {
    const note = signNote(formatCheckpoint({ origin, size: 3, root }), { name: origin, privateKey });
    const ref = refVerifyCheckpoint(note, origin, refRawKey(publicKey));
    assert.deepEqual(ref, { origin, size: 3n, root });
    const tampered = note.replace('\n3\n', '\n4\n');
    assert.equal(refVerifyCheckpoint(tampered, origin, refRawKey(publicKey)), undefined);
  });

  test('a checkpoint signed by the independent spec reference opens and parses with production code', () => {
    const note = refSignCheckpoint(origin, 3, root, origin, privateKey);
    const { body, verifiedBy } = openNote(note, [verifierKey(origin, publicKey)]);
    assert.deepEqual(verifiedBy, [origin]);
    assert.deepEqual(parseCheckpoint(body), { origin, size: 3, root, extensions: [] });
    assert.equal(note, signNote(body, { name: origin, privateKey }));
  });
});
