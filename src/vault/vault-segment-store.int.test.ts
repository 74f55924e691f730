import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AppError, isAppError } from '../lib/errors.ts';
import { ffprobeErrors, makeFmp4Fixture } from '../../test/helpers/ffmpeg-fixtures.ts';
import { Fmp4Reader } from '../media/fmp4/fmp4-reader.ts';
import type { FragmentPiece, InitPiece } from '../media/media.ts';
import { RECORD_OVERHEAD } from './chunk-cipher.ts';
import type { DataKeySource } from './data-key-source.ts';
import { fsckVault } from './vault-fsck.ts';
import { VaultSegmentStore } from './vault-segment-store.ts';

/** Test data keys per camera per hour in a Map; `destroy` crypto-shreds one. */
class MapKeySource implements DataKeySource {
  readonly byHour = new Map<string, { id: string; key: Buffer }>();
  readonly byId = new Map<string, Buffer>();
  async keyFor(cameraId: string, atMs: number): Promise<{ id: string; key: Buffer }> {
    const slot = `${cameraId}/${Math.floor(atMs / 3_600_000)}`;
    let k = this.byHour.get(slot);
    if (k === undefined) {
      k = { id: randomUUID(), key: randomBytes(32) };
      this.byHour.set(slot, k);
      this.byId.set(k.id, k.key);
    }
    return k;
  }
  async keyById(id: string): Promise<Buffer> {
    const key = this.byId.get(id);
    if (key === undefined) throw new AppError('KEY_UNAVAILABLE', `data key ${id} is unavailable`, { keyId: id });
    return key;
  }
  destroy(id: string): void {
    this.byId.delete(id);
  }
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(b);
  return Buffer.concat(parts);
}

async function keysOf(store: VaultSegmentStore): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list()) out.push(k);
  return out;
}

describe('VaultSegmentStore on a real directory with ffmpeg-made fMP4', () => {
  let root: string;
  let init: InitPiece;
  let fragments: FragmentPiece[];
  let plain: Buffer;
  const keys = new MapKeySource();
  const meta = { cameraId: 'cam-1', startMs: 1_732_800_000_000 };
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'custos-vault-'));
    const pieces = new Fmp4Reader().push(await makeFmp4Fixture({ seconds: 5 }));
    init = pieces[0] as InitPiece;
    fragments = pieces.slice(1) as FragmentPiece[];
    plain = Buffer.concat([init.bytes, ...fragments.map((f) => f.bytes)]);
  });
  after(async () => rm(root, { recursive: true, force: true }));

  async function writeSegment(store: VaultSegmentStore, key: string, m = meta): Promise<number[]> {
    const writer = await store.create(key, init.bytes, m);
    const offsets: number[] = [];
    for (const f of fragments) offsets.push(await writer.append(f.bytes));
    assert.equal(writer.size, plain.length);
    await writer.close();
    return offsets;
  }

  test('closing a writer gives the SHA-256 of the object as stored, hashed while writing (appends in flight together, no read-back)', async () => {
    const store = new VaultSegmentStore(root, keys);
    const key = 'cam-1/2026-11-28/hashed.mp4';
    const writer = await store.create(key, init.bytes, meta);
    await Promise.all(fragments.map((f) => writer.append(f.bytes)));
    const objectSha256 = await writer.close();
    assert.equal(objectSha256, await store.digest(key));
    assert.equal(await writer.close(), null, 'a second close has nothing to tell');
  });

  test('offsets, reads and streams are those of the plaintext object, across chunk boundaries and without a cache', async () => {
    const store = new VaultSegmentStore(root, keys);
    const key = 'cam-1/2026-11-28/a.mp4';
    const offsets = await writeSegment(store, key);
    let expected = init.bytes.length;
    for (const [i, f] of fragments.entries()) {
      assert.equal(offsets[i], expected);
      expected += f.bytes.length;
    }
    const boundary = offsets[1] as number;
    const ranges: [number, number][] = [[0, plain.length], [0, 1], [boundary - 1, 2], [boundary - 100, 5000], [plain.length - 1, 1], [boundary, 0]];
    for (let i = 0; i < 20; i++) {
      const off = Math.floor(Math.random() * plain.length);
      ranges.push([off, Math.floor(Math.random() * (plain.length - off))]);
    }
    for (const s of [store, new VaultSegmentStore(root, keys)]) {
      for (const [off, len] of ranges) {
        assert.ok((await s.read(key, off, len)).equals(plain.subarray(off, off + len)), `read ${off}+${len}`);
        assert.ok((await collect(s.stream(key, off, len))).equals(plain.subarray(off, off + len)), `stream ${off}+${len}`);
      }
      assert.ok((await collect(s.stream(key))).equals(plain));
      await assert.rejects(s.read(key, plain.length - 10, 11), (e) => isAppError(e, 'STORAGE_FAILED'));
    }
  });

  test('the object file holds no box type, no start-code run and no other window of the plaintext', async () => {
    const store = new VaultSegmentStore(root, keys);
    const key = 'cam-1/2026-11-28/secret.mp4';
    await writeSegment(store, key);
    const file = await readFile(join(root, key));
    assert.equal(file.length, 72 + 5 + plain.length + RECORD_OVERHEAD * (fragments.length + 2));
    for (const type of ['ftyp', 'moov', 'moof', 'mdat', 'avcC']) assert.equal(file.indexOf(type, 0, 'latin1'), -1, type);
    const startCode = Buffer.from([0, 0, 0, 1]);
    let runs = 0;
    for (let at = plain.indexOf(startCode); at >= 0; at = plain.indexOf(startCode, at + 1)) {
      assert.equal(file.indexOf(plain.subarray(at, at + 8)), -1, `start-code run at ${at}`);
      runs++;
    }
    for (let at = 0; at + 16 <= plain.length; at += 1024) assert.equal(file.indexOf(plain.subarray(at, at + 16)), -1, `window at ${at}`);
    assert.ok(runs > 0, 'the plaintext has start-code runs to look for');
    const out = join(root, 'decrypted.mp4');
    await writeFile(out, await collect(new VaultSegmentStore(root, keys).stream(key)));
    assert.equal(await ffprobeErrors(out), '');
    await rm(out);
  });

  test('an object is readable while it is being written', async () => {
    const store = new VaultSegmentStore(root, keys);
    const key = 'cam-1/2026-11-28/live.mp4';
    const writer = await store.create(key, init.bytes, meta);
    const first = fragments[0] as FragmentPiece;
    const at = await writer.append(first.bytes);
    assert.ok((await store.read(key, at, first.bytes.length)).equals(first.bytes));
    assert.ok((await new VaultSegmentStore(root, keys).read(key, 0, at + first.bytes.length)).equals(plain.subarray(0, at + first.bytes.length)));
    await writer.close();
  });

  test('a torn object is recovered to its last whole chunk, with the right fragments, and decodes', async () => {
    const store = new VaultSegmentStore(root, keys);
    const key = 'cam-2/2026-11-28/torn.mp4';
    const offsets = await writeSegment(store, key);
    const path = join(root, key);
    const last = fragments.at(-1) as FragmentPiece;
    const { size } = await stat(path);
    // A crash: no final chunk, the last fragment's record cut in half.
    const cut = size - RECORD_OVERHEAD - Math.floor((last.bytes.length + RECORD_OVERHEAD) / 2);
    await truncate(path, cut);
    assert.deepEqual((await fsckVault(root, keys)).torn.find((t) => t.key === key), { key, wholeChunks: fragments.length });

    const fresh = new VaultSegmentStore(root, keys);
    const r = await fresh.recover(key);
    const kept = fragments.slice(0, -1);
    assert.equal(r.initSize, init.bytes.length);
    assert.equal(r.timescale, init.timescale);
    assert.deepEqual(r.fragments, kept.map((f, i) => ({ offset: offsets[i], size: f.bytes.length, decodeTime: f.decodeTime, duration: f.duration, keyframe: f.keyframe })));
    assert.equal(r.size, plain.length - last.bytes.length);
    assert.equal(r.truncatedBytes, cut - (size - RECORD_OVERHEAD - last.bytes.length - RECORD_OVERHEAD));
    assert.equal((await stat(path)).size, size - RECORD_OVERHEAD * 2 - last.bytes.length);
    const out = join(root, 'recovered.mp4');
    const recovered = await collect(fresh.stream(key));
    assert.ok(recovered.equals(plain.subarray(0, r.size)));
    await writeFile(out, recovered);
    assert.equal(await ffprobeErrors(out), '');
    await rm(out);
    const again = await new VaultSegmentStore(root, keys).recover(key);
    assert.equal(again.truncatedBytes, 0);
    assert.equal(again.fragments.length, kept.length);
  });

  test('recover cuts trailing records a power cut left as zeros, but never an authentic chunk after a bad one', async () => {
    const store = new VaultSegmentStore(root, keys);
    const key = 'cam-2/2026-11-28/zeros.mp4';
    await writeSegment(store, key);
    const path = join(root, key);
    const file = await readFile(path);
    const lastRecord = file.length - RECORD_OVERHEAD - RECORD_OVERHEAD - (fragments.at(-1) as FragmentPiece).bytes.length;
    const zeroed = Buffer.from(file);
    zeroed.fill(0, lastRecord + 4); // length survived, data blocks never written
    await writeFile(path, zeroed);
    const r = await new VaultSegmentStore(root, keys).recover(key);
    assert.equal(r.fragments.length, fragments.length - 1);
    assert.equal((await stat(path)).size, lastRecord);

    const middle = Buffer.from(file);
    middle[lastRecord - 50] = (middle[lastRecord - 50] as number) ^ 1;
    await writeFile(path, middle);
    const c = await new VaultSegmentStore(root, keys).recover(key);
    assert.equal(c.fragments.length, fragments.length - 2, 'the authentic prefix is reported');
    assert.equal(c.truncatedBytes, 0);
    assert.equal((await stat(path)).size, file.length, 'nothing is cut from a corrupt object');
  });

  test('recover leaves a closed object whole', async () => {
    const store = new VaultSegmentStore(root, keys);
    const key = 'cam-2/2026-11-28/closed.mp4';
    await writeSegment(store, key);
    const r = await store.recover(key);
    assert.equal(r.fragments.length, fragments.length);
    assert.equal(r.truncatedBytes, 0);
    assert.equal(r.size, plain.length);
  });

  test('fsck names the object and chunk of a one-byte corruption, and the other chunks still read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'custos-fsck-'));
    const store = new VaultSegmentStore(dir, keys);
    const offsets = await writeSegment(store, 'cam-3/a.mp4');
    await writeSegment(store, 'cam-3/b.mp4');
    const path = join(dir, 'cam-3/a.mp4');
    const file = await readFile(path);
    // Chunk 3 is fragment 3: skip the header, the init record and two fragment records.
    let at = 77 + RECORD_OVERHEAD + init.bytes.length;
    for (const f of fragments.slice(0, 2)) at += RECORD_OVERHEAD + f.bytes.length;
    file[at + 4 + 100] = (file[at + 4 + 100] as number) ^ 0x20;
    await writeFile(path, file);
    const progress: [number, number][] = [];
    const report = await fsckVault(dir, keys, (done, total) => progress.push([done, total]));
    assert.deepEqual(report.corrupt, [{ key: 'cam-3/a.mp4', chunk: 3, reason: 'authentication' }]);
    assert.deepEqual(report.torn, []);
    assert.equal(report.objects, 2);
    assert.equal(report.chunks, 2 * (fragments.length + 2));
    assert.deepEqual(progress.at(-1), [2, 2]);

    const fresh = new VaultSegmentStore(dir, keys);
    const f2 = fragments[1] as FragmentPiece;
    const f4 = fragments[3] as FragmentPiece;
    assert.ok((await fresh.read('cam-3/a.mp4', offsets[1] as number, f2.bytes.length)).equals(f2.bytes));
    assert.ok((await fresh.read('cam-3/a.mp4', offsets[3] as number, f4.bytes.length)).equals(f4.bytes));
    await assert.rejects(fresh.read('cam-3/a.mp4', (offsets[2] as number) + 10, 10), (e) => isAppError(e, 'STORAGE_FAILED') && e.detail?.['chunk'] === 3 && e.detail['key'] === 'cam-3/a.mp4');
    await rm(dir, { recursive: true, force: true });
  });

  test('a destroyed data key makes read and stream fail with KEY_UNAVAILABLE', async () => {
    const own = new MapKeySource();
    const store = new VaultSegmentStore(root, own);
    const key = 'cam-4/shredded.mp4';
    const writer = await store.create(key, init.bytes, { cameraId: 'cam-4', startMs: 0 });
    await writer.append((fragments[0] as FragmentPiece).bytes);
    await writer.close();
    assert.ok((await store.read(key, 0, 10)).equals(plain.subarray(0, 10)));
    for (const id of own.byId.keys()) own.destroy(id);
    const unavailable = (e: unknown): boolean => isAppError(e, 'KEY_UNAVAILABLE') && /unavailable/.test(e.message);
    await assert.rejects(store.read(key, 0, 10), unavailable);
    await assert.rejects(collect(store.stream(key)), unavailable);
    assert.equal((await fsckVault(join(root, 'cam-4'), own)).unavailable.length, 1);
  });

  test('creating an existing object fails, list yields every key and remove deletes one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'custos-vlist-'));
    const store = new VaultSegmentStore(join(dir, 'v'), keys);
    assert.deepEqual(await keysOf(store), []);
    for (const k of ['a/1.mp4', 'a/b/2.mp4']) await (await store.create(k, init.bytes, meta)).close();
    await assert.rejects(store.create('a/1.mp4', init.bytes, meta), (e) => isAppError(e, 'STORAGE_FAILED'));
    await assert.rejects(store.create('../x.mp4', init.bytes, meta), (e) => isAppError(e, 'STORAGE_FAILED'));
    assert.deepEqual((await keysOf(store)).sort(), ['a/1.mp4', 'a/b/2.mp4']);
    await store.remove('a/1.mp4');
    await store.remove('a/1.mp4');
    assert.deepEqual(await keysOf(store), ['a/b/2.mp4']);
    await assert.rejects(store.read('a/1.mp4', 0, 1), (e) => isAppError(e, 'STORAGE_FAILED') && !String(e.message).includes(dir));
    await rm(dir, { recursive: true, force: true });
  });
});
