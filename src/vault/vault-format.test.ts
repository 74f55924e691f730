import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { AppError, isAppError } from '../lib/errors.ts';
import { ChunkCipher } from './chunk-cipher.ts';
import { verifyObject } from './vault-fsck.ts';
import type { ObjectVerdict } from './fsck-verdict.ts';
import { encodeHeader, newHeader, parseHeader } from './vault-header.ts';

/** Test data keys by id; an unknown id is rejected as the key store would. */
function keyStore(): { add(): { id: string; key: Buffer }; keyById(id: string): Promise<Buffer> } {
  const keys = new Map<string, Buffer>();
  return {
    add() {
      const k = { id: randomUUID(), key: randomBytes(32) };
      keys.set(k.id, k.key);
      return k;
    },
    async keyById(id) {
      const key = keys.get(id);
      if (key === undefined) throw new AppError('KEY_UNAVAILABLE', 'data key unavailable', { keyId: id });
      return key;
    },
  };
}

/** A vault object in memory: header, one record per piece, then the final chunk when closed. */
function sealObject(dek: { id: string; key: Buffer }, pieces: Buffer[], closed = true): { bytes: Buffer; records: Buffer[]; header: Buffer } {
  const header = newHeader(dek.id, 'cam-7', 1_732_800_000_000);
  const cipher = new ChunkCipher(dek.key, header);
  const records = pieces.map((p, i) => cipher.seal(i, p, false));
  if (closed) records.push(cipher.seal(pieces.length, Buffer.alloc(0), true));
  return { bytes: Buffer.concat([header.bytes, ...records]), records, header: header.bytes };
}

async function verify(bytes: Buffer, keys: ReturnType<typeof keyStore>, seen?: Buffer[]): Promise<ObjectVerdict> {
  return verifyObject(
    async (p, n) => bytes.subarray(p, p + n),
    bytes.length,
    (id) => keys.keyById(id),
    seen === undefined ? undefined : (i, plain) => (seen[i] = plain),
  );
}

describe('vault object format', () => {
  const keys = keyStore();
  const dek = keys.add();
  const pieces = [randomBytes(200), randomBytes(300), randomBytes(300), randomBytes(300)];
  const object = sealObject(dek, pieces);

  test('a header round-trips through its encoding', () => {
    const h = newHeader(dek.id, 'caméra-1', 1_732_800_000_123);
    const p = parseHeader(Buffer.concat([h.bytes, randomBytes(10)]));
    assert.deepEqual({ ...p }, { ...h });
    assert.equal(h.bytes.length, 72 + Buffer.byteLength('caméra-1'));
    assert.ok(encodeHeader(p).bytes.equals(h.bytes));
  });

  test('a header with another magic, version or length is rejected', () => {
    const h = newHeader(dek.id, 'cam', 0).bytes;
    for (const [at, value] of [[0, 0x63], [4, 2], [6, 0xff]] as const) {
      const bad = Buffer.from(h);
      bad[at] = value;
      assert.throws(() => parseHeader(bad), (e) => isAppError(e, 'STORAGE_FAILED') && e.detail?.['chunk'] === null);
    }
  });

  test('a closed object verifies intact and yields every piece', async () => {
    const seen: Buffer[] = [];
    const v = await verify(object.bytes, keys, seen);
    assert.deepEqual(v, { chunks: 5, intact: true, corrupt: [] });
    pieces.forEach((p, i) => assert.ok(seen[i]?.equals(p)));
    assert.equal(seen[4]?.length, 0);
  });

  test('every single-bit flip anywhere in the header or a record is detected', async () => {
    const bytes = Buffer.from(object.bytes);
    let checked = 0;
    for (let byte = 0; byte < bytes.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        bytes[byte] = (bytes[byte] as number) ^ (1 << bit);
        const v = await verify(bytes, keys);
        assert.equal(v.intact, false, `flip of bit ${bit} of byte ${byte} went unnoticed`);
        bytes[byte] = (bytes[byte] as number) ^ (1 << bit);
        checked++;
      }
    }
    assert.equal(checked, object.bytes.length * 8);
    assert.equal((await verify(bytes, keys)).intact, true);
  });

  test('a flipped ciphertext bit is reported at its chunk and no other', async () => {
    const bytes = Buffer.from(object.bytes);
    const at = object.header.length + (object.records[0] as Buffer).length + (object.records[1] as Buffer).length + 50;
    bytes[at] = (bytes[at] as number) ^ 1;
    const v = await verify(bytes, keys);
    assert.deepEqual(v.corrupt, [{ chunk: 2, reason: 'authentication' }]);
  });

  test('two chunks swapped are both reported', async () => {
    const r = object.records;
    const swapped = Buffer.concat([object.header, r[0]!, r[2]!, r[1]!, r[3]!, r[4]!]);
    const v = await verify(swapped, keys);
    assert.equal(v.intact, false);
    assert.deepEqual(v.corrupt.map((c) => c.chunk), [1, 2]);
  });

  test('a dropped middle chunk is detected', async () => {
    const r = object.records;
    const v = await verify(Buffer.concat([object.header, r[0]!, r[2]!, r[3]!, r[4]!]), keys);
    assert.equal(v.intact, false);
    assert.deepEqual(v.corrupt.map((c) => c.chunk), [1, 2, 3]);
  });

  test('a dropped final chunk makes the object torn, not closed', async () => {
    const v = await verify(object.bytes.subarray(0, object.bytes.length - (object.records[4] as Buffer).length), keys);
    assert.deepEqual(v, { chunks: 4, intact: false, torn: { wholeChunks: 4 }, corrupt: [] });
  });

  test('an object cut inside a record is torn after its last whole chunk', async () => {
    const cut = object.header.length + (object.records[0] as Buffer).length + (object.records[1] as Buffer).length + 150;
    const v = await verify(object.bytes.subarray(0, cut), keys);
    assert.deepEqual(v, { chunks: 2, intact: false, torn: { wholeChunks: 2 }, corrupt: [] });
  });

  test('an object cut inside a record length is torn', async () => {
    const cut = object.header.length + (object.records[0] as Buffer).length + 2;
    assert.deepEqual((await verify(object.bytes.subarray(0, cut), keys)).torn, { wholeChunks: 1 });
  });

  test('a chunk spliced in from another object under the same data key is detected', async () => {
    const other = sealObject(dek, pieces);
    const r = object.records;
    const v = await verify(Buffer.concat([object.header, r[0]!, other.records[1]!, r[2]!, r[3]!, r[4]!]), keys);
    assert.deepEqual(v.corrupt.map((c) => c.chunk), [1]);
  });

  test('a final chunk spliced from another object does not close this one', async () => {
    const other = sealObject(dek, pieces);
    const v = await verify(Buffer.concat([object.bytes.subarray(0, object.bytes.length - 20), other.records[4]!]), keys);
    assert.deepEqual(v.corrupt, [{ chunk: 4, reason: 'authentication' }]);
  });

  test('bytes after the final chunk are corrupt', async () => {
    const v = await verify(Buffer.concat([object.bytes, Buffer.alloc(30)]), keys);
    assert.deepEqual(v.corrupt, [{ chunk: 5, reason: 'data after the final chunk' }]);
  });

  test('an object whose data key is unknown is reported unavailable, not verified', async () => {
    const stranger = sealObject({ id: randomUUID(), key: randomBytes(32) }, pieces);
    const v = await verify(stranger.bytes, keys);
    assert.equal(v.intact, false);
    assert.equal(v.unavailable?.reason, 'data key unavailable');
  });
});
