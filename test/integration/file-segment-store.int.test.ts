import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isAppError } from '../../src/lib/errors.ts';
import { ffprobeErrors, ffprobeFrameCount, makeFmp4Fixture } from '../helpers/ffmpeg-fixtures.ts';
import { FileSegmentStore } from '../helpers/file-segment-store.ts';
import { Fmp4Reader } from '../../src/media/fmp4/fmp4-reader.ts';
import type { FragmentPiece, InitPiece } from '../../src/media/media.ts';

describe('FileSegmentStore on a real directory with ffmpeg-made fMP4', () => {
  let root: string;
  let init: InitPiece;
  let fragments: FragmentPiece[];
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'custos-store-'));
    const pieces = new Fmp4Reader().push(await makeFmp4Fixture());
    init = pieces[0] as InitPiece;
    fragments = pieces.slice(1) as FragmentPiece[];
  });
  after(async () => rm(root, { recursive: true, force: true }));

  async function writeSegment(store: FileSegmentStore, key: string): Promise<number[]> {
    const writer = await store.create(key, init.bytes, { cameraId: 'cam', startMs: 0 });
    const offsets: number[] = [];
    for (const f of fragments) offsets.push(await writer.append(f.bytes));
    assert.equal(writer.size, init.bytes.length + fragments.reduce((n, f) => n + f.bytes.length, 0));
    await writer.close();
    return offsets;
  }

  test('an object written as init plus fragments reads back byte for byte, whole and by range', async () => {
    const store = new FileSegmentStore(root);
    const key = 'cam-1/2026-11-28/1732800000000-a.mp4';
    const offsets = await writeSegment(store, key);
    const expected = Buffer.concat([init.bytes, ...fragments.map((f) => f.bytes)]);
    assert.equal(offsets[0], init.bytes.length);
    const streamed: Buffer[] = [];
    for await (const chunk of store.stream(key)) streamed.push(chunk);
    assert.ok(Buffer.concat(streamed).equals(expected));
    const second = fragments[1] as FragmentPiece;
    assert.ok((await store.read(key, offsets[1] as number, second.bytes.length)).equals(second.bytes));
    const ranged: Buffer[] = [];
    for await (const chunk of store.stream(key, offsets[1], second.bytes.length)) ranged.push(chunk);
    assert.ok(Buffer.concat(ranged).equals(second.bytes));
    assert.equal(await ffprobeErrors(join(root, key)), '');
  });

  test('creating an object that already exists fails with STORAGE_FAILED', async () => {
    const store = new FileSegmentStore(root);
    await (await store.create('cam-1/dup.mp4', init.bytes, { cameraId: 'cam', startMs: 0 })).close();
    await assert.rejects(store.create('cam-1/dup.mp4', init.bytes, { cameraId: 'cam', startMs: 0 }), (e) => isAppError(e, 'STORAGE_FAILED'));
  });

  test('list yields every stored key and remove deletes one, missing or not', async () => {
    const r = await mkdtemp(join(tmpdir(), 'custos-list-'));
    const store = new FileSegmentStore(join(r, 'not-yet'));
    const none: string[] = [];
    for await (const k of store.list()) none.push(k);
    assert.deepEqual(none, []);
    const s2 = new FileSegmentStore(r);
    for (const k of ['a/1.mp4', 'a/b/2.mp4', 'c/3.mp4']) await (await s2.create(k, init.bytes, { cameraId: 'cam', startMs: 0 })).close();
    const keys: string[] = [];
    for await (const k of s2.list()) keys.push(k);
    assert.deepEqual(keys.sort(), ['a/1.mp4', 'a/b/2.mp4', 'c/3.mp4']);
    await s2.remove('a/1.mp4');
    await s2.remove('a/1.mp4');
    const left: string[] = [];
    for await (const k of s2.list()) left.push(k);
    assert.deepEqual(left.sort(), ['a/b/2.mp4', 'c/3.mp4']);
    await rm(r, { recursive: true, force: true });
  });

  test('recover cuts a file torn inside its last fragment back to the last whole fragment', async () => {
    const store = new FileSegmentStore(root);
    const key = 'cam-2/2026-11-28/torn.mp4';
    const writer = await store.create(key, init.bytes, { cameraId: 'cam', startMs: 0 });
    for (const f of fragments.slice(0, -1)) await writer.append(f.bytes);
    const last = fragments.at(-1) as FragmentPiece;
    await writer.append(last.bytes.subarray(0, Math.floor(last.bytes.length / 2)));
    await writer.close();

    const rec = await store.recover(key);
    const kept = fragments.slice(0, -1);
    const wholeSize = init.bytes.length + kept.reduce((n, f) => n + f.bytes.length, 0);
    assert.equal(rec.initSize, init.bytes.length);
    assert.equal(rec.timescale, init.timescale);
    assert.equal(rec.size, wholeSize);
    assert.equal(rec.truncatedBytes, Math.floor(last.bytes.length / 2));
    assert.deepEqual(rec.fragments.map((f) => f.decodeTime), kept.map((f) => f.decodeTime));
    assert.deepEqual(rec.fragments.map((f) => f.size), kept.map((f) => f.bytes.length));
    assert.equal(rec.fragments[0]?.offset, init.bytes.length);
    assert.ok(rec.fragments.every((f) => f.keyframe && f.duration === init.timescale));
    assert.equal((await stat(join(root, key))).size, wholeSize);
    assert.equal(await ffprobeErrors(join(root, key)), '');
    assert.equal(await ffprobeFrameCount(join(root, key)), 75);
  });

  test('recover leaves an intact file as it is', async () => {
    const store = new FileSegmentStore(root);
    const key = 'cam-2/2026-11-28/whole.mp4';
    await writeSegment(store, key);
    const rec = await store.recover(key);
    assert.equal(rec.truncatedBytes, 0);
    assert.equal(rec.fragments.length, fragments.length);
  });

  test('recover refuses a file whose init segment is itself torn', async () => {
    const store = new FileSegmentStore(root);
    await mkdir(join(root, 'cam-3'), { recursive: true });
    await writeFile(join(root, 'cam-3/torn-init.mp4'), init.bytes.subarray(0, 100));
    await assert.rejects(store.recover('cam-3/torn-init.mp4'), (e) => isAppError(e, 'STORAGE_FAILED'));
  });

  test('keys that could leave the root are rejected before touching the disk', async () => {
    const store = new FileSegmentStore(root);
    for (const key of ['../escape.mp4', '/etc/passwd', 'a/../../b.mp4', 'a\\b.mp4', 'a//b.mp4', '', 'a/./b.mp4', 'a/']) {
      await assert.rejects(store.create(key, init.bytes, { cameraId: 'cam', startMs: 0 }), (e) => isAppError(e, 'STORAGE_FAILED'), key);
      await assert.rejects(store.read(key, 0, 1), (e) => isAppError(e, 'STORAGE_FAILED'), key);
    }
  });

  test('storage errors name the key and errno, not the host path', async () => {
    const store = new FileSegmentStore(root);
    await assert.rejects(store.read('cam-9/missing.mp4', 0, 10), (e) => {
      assert.ok(isAppError(e, 'STORAGE_FAILED'));
      assert.match(e.message, /cam-9\/missing\.mp4: ENOENT/);
      assert.ok(!e.message.includes(root));
      return true;
    });
  });
});
