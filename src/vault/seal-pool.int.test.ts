import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { teardown } from '../../test/helpers/teardown.ts';
import { AppError, isAppError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import { makeFmp4Fixture } from '../../test/helpers/ffmpeg-fixtures.ts';
import { Fmp4Reader } from '../media/fmp4/fmp4-reader.ts';
import type { FragmentPiece, InitPiece } from '../media/media.ts';
import type { DataKeySource } from './data-key-source.ts';
import { fsckVault } from './vault-fsck.ts';
import { SealPool } from './seal-pool.ts';
import { VaultSegmentStore } from './vault-segment-store.ts';

/** One fixed data key per camera (the keys module is not under test here). */
class FixedKeys implements DataKeySource {
  readonly #keys = new Map<string, { id: string; key: Buffer }>();
  async keyFor(cameraId: string): Promise<{ id: string; key: Buffer }> {
    let k = this.#keys.get(cameraId);
    if (k === undefined) this.#keys.set(cameraId, (k = { id: randomUUID(), key: randomBytes(32) }));
    return k;
  }
  async keyById(id: string): Promise<Buffer> {
    for (const k of this.#keys.values()) if (k.id === id) return k.key;
    throw new AppError('KEY_UNAVAILABLE', `data key ${id} is unavailable`, { keyId: id });
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const defer = teardown({ after });

describe('sealing on worker threads (SealPool, ADR 0044) with ffmpeg-made fMP4', () => {
  let root: string;
  let init: InitPiece;
  let fragments: FragmentPiece[];
  let plain: Buffer;
  const keys = new FixedKeys();
  const log = createLogger({ level: 'silent' });
  let pool: SealPool;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'custos-seal-pool-'));
    const pieces = new Fmp4Reader().push(await makeFmp4Fixture({ seconds: 4 }));
    init = pieces[0] as InitPiece;
    fragments = pieces.slice(1) as FragmentPiece[];
    plain = Buffer.concat([init.bytes, ...fragments.map((f) => f.bytes)]);
    pool = new SealPool({ size: 2, log });
  });
  after(async () => {
    await pool.close();
    await rm(root, { recursive: true, force: true });
  });

  for (const ring of ['a shared ring with room', 'a shared ring too small for the fragments in flight (the rest cloned into messages)']) test(`objects written by the workers through ${ring}, six at once with appends in flight together, read back whole in this thread and pass fsck; both hashes match the bytes`, async () => {
    const small = ring.includes('too small');
    const tiny = small ? new SealPool({ size: 2, log, ringBytes: 200_000, maxRingBytes: 200_000 }) : null;
    defer(() => tiny?.close());
    const many = join(root, small ? 'many-small' : 'many');
    const pooled = new VaultSegmentStore(many, keys, { sealPool: tiny ?? pool });
    const reader = new VaultSegmentStore(many, keys);
    const names = Array.from({ length: 6 }, (_, i) => `cam-${i}/2026-12-07/${i}.mp4`);
    const results = await Promise.all(
      names.map(async (key, i) => {
        const writer = await pooled.create(key, init.bytes, { cameraId: `cam-${i}`, startMs: 1_765_000_000_000 });
        assert.equal(writer.hashesPlaintext, true);
        // Not awaited one by one: the positions are reserved in call order, the records land in any order.
        const offsets = await Promise.all(fragments.map((f) => writer.append(f.bytes)));
        const objectSha256 = await writer.close();
        return { key, offsets, objectSha256, plaintextSha256: writer.plaintextSha256?.() ?? null };
      }),
    );
    for (const r of results) {
      assert.deepEqual(r.offsets, fragments.map((_, j) => init.bytes.length + fragments.slice(0, j).reduce((n, f) => n + f.bytes.length, 0)));
      assert.ok((await reader.read(r.key, 0, plain.length)).equals(plain), `${r.key} reads back as written`);
      assert.equal(r.objectSha256, sha256(await readFile(join(many, r.key))), 'the object hash is that of the file');
      assert.equal(r.objectSha256, await reader.digest(r.key));
      assert.equal(r.plaintextSha256, sha256(plain), 'the plaintext hash is that of init + fragments');
    }
    const report = await fsckVault(many, keys);
    assert.equal(report.objects, names.length);
    assert.deepEqual([report.torn, report.corrupt, report.unavailable, report.empty], [[], [], [], []]);
  });

  test('the open object is readable while the workers write it, up to the last fragment handed to the disk', async () => {
    const pooled = new VaultSegmentStore(root, keys, { sealPool: pool });
    const key = 'cam-live/2026-12-07/open.mp4';
    const writer = await pooled.create(key, init.bytes, { cameraId: 'cam-live', startMs: 1_765_000_000_000 });
    const first = fragments[0] as FragmentPiece;
    await writer.append(first.bytes);
    const head = await pooled.read(key, 0, init.bytes.length + first.bytes.length);
    assert.ok(head.equals(plain.subarray(0, head.length)));
    await writer.close();
  });

  test('a worker that dies fails the appends of its objects with STORAGE_FAILED, the writer then refuses more and closes as torn; the pool replaces the worker', async () => {
    const own = new SealPool({ size: 1, log });
    try {
      const pooled = new VaultSegmentStore(root, keys, { sealPool: own });
      const key = 'cam-dead/2026-12-07/torn.mp4';
      const writer = await pooled.create(key, init.bytes, { cameraId: 'cam-dead', startMs: 1_765_000_000_000 });
      await writer.append((fragments[0] as FragmentPiece).bytes);
      await own.terminateForTest();
      await assert.rejects(writer.append((fragments[1] as FragmentPiece).bytes), (e: unknown) => isAppError(e, 'STORAGE_FAILED'));
      await assert.rejects(writer.append((fragments[2] as FragmentPiece).bytes), (e: unknown) => isAppError(e, 'STORAGE_FAILED'));
      assert.equal(await writer.close(), null, 'a torn object has no hash');
      const recovered = await new VaultSegmentStore(root, keys).recover(key);
      assert.ok(recovered.fragments.length >= 1, 'the fragment written before the death is kept');
      // The replacement worker seals new objects.
      const again = await pooled.create('cam-dead/2026-12-07/after.mp4', init.bytes, { cameraId: 'cam-dead', startMs: 1_765_000_000_000 });
      for (const f of fragments) await again.append(f.bytes);
      assert.equal(typeof (await again.close()), 'string');
    } finally {
      await own.close();
    }
  });
});
