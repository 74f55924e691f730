import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppError } from '../lib/errors.ts';
import { ChunkCipher, RECORD_OVERHEAD, deriveObjectKey } from './chunk-cipher.ts';
import { newHeader } from './vault-header.ts';

describe('ChunkCipher', () => {
  const dataKey = randomBytes(32);
  const header = newHeader(randomUUID(), 'cam-1', 1_732_800_000_000);

  test('a sealed chunk opens to its plaintext at its index, and the final chunk is empty', () => {
    const cipher = new ChunkCipher(dataKey, header);
    const reader = new ChunkCipher(dataKey, header); // a separate instance derives the same key
    for (const [i, size] of [[0, 200], [1, 1], [2, 65_536], [7, 300]] as const) {
      const plain = randomBytes(size);
      const record = cipher.seal(i, plain, false);
      assert.equal(record.length, size + RECORD_OVERHEAD);
      assert.equal(record.readUInt32BE(0), size);
      assert.ok(reader.open(i, record, false).equals(plain));
      assert.ok(Buffer.concat(cipher.sealParts(i, plain, false)).equals(record), 'sealing is deterministic per (key, index)');
    }
    assert.equal(reader.open(3, cipher.seal(3, Buffer.alloc(0), true), true).length, 0);
  });

  test('a record opened at another index or with another last flag fails authentication', () => {
    const cipher = new ChunkCipher(dataKey, header);
    const record = cipher.seal(5, randomBytes(100), false);
    const fails = (fn: () => unknown): void => assert.throws(fn, (e) => isAppError(e, 'STORAGE_FAILED') && e.detail?.['chunk'] !== undefined);
    fails(() => cipher.open(4, record, false));
    fails(() => cipher.open(5, record, true));
    fails(() => cipher.open(5, record.subarray(0, record.length - 1), false));
  });

  test('a record sealed for another object (other salt) or another data key fails authentication', () => {
    const record = new ChunkCipher(dataKey, header).seal(1, randomBytes(100), false);
    const sameCameraOtherObject = newHeader(header.keyId, header.cameraId, header.startMs);
    assert.throws(() => new ChunkCipher(dataKey, sameCameraOtherObject).open(1, record, false));
    assert.throws(() => new ChunkCipher(randomBytes(32), header).open(1, record, false));
  });

  test('only the final chunk may be empty, and it must be', () => {
    const cipher = new ChunkCipher(dataKey, header);
    assert.throws(() => cipher.seal(1, Buffer.alloc(0), false), (e) => isAppError(e, 'STORAGE_FAILED'));
    assert.throws(() => cipher.seal(1, Buffer.alloc(1), true), (e) => isAppError(e, 'STORAGE_FAILED'));
  });

  test('the object key is HKDF-SHA256 of the data key and salt, as openssl derives it', async () => {
    const { execFileSync } = await import('node:child_process');
    const salt = randomBytes(32);
    const out = execFileSync('openssl', [
      'kdf', '-keylen', '32', '-kdfopt', 'digest:SHA256', '-kdfopt', `hexkey:${dataKey.toString('hex')}`,
      '-kdfopt', `hexsalt:${salt.toString('hex')}`, '-kdfopt', 'info:custos vault v1', 'HKDF',
    ], { encoding: 'utf8' });
    assert.equal(out.trim().replaceAll(':', '').toLowerCase(), deriveObjectKey(dataKey, salt).toString('hex'));
  });

  test('a data key that is not 256 bits is refused', () => {
    assert.throws(() => new ChunkCipher(randomBytes(16), header), (e) => isAppError(e, 'STORAGE_FAILED'));
  });
});
