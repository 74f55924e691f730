import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fmp4Writer } from '../media/fmp4/fmp4-writer.ts';
import type { FragmentPiece } from '../media/media.ts';
import type { Segment } from '../media/segment.ts';
import type { Selection } from './hls-playlist.ts';
import { continuesRun } from './run-continuity.ts';

const H264 = { codec: 'h264', sps: Buffer.from('6764001eacb201405ff2e022000003000200000300641e2c5c90', 'hex'), pps: [Buffer.from('68ebc3cb22c0', 'hex')] } as const;

/** One ingest run: `seconds` of 25 fps video with a key frame every second, written by our writer. */
function run(seconds: number): { init: Buffer; fragments: FragmentPiece[] } {
  const writer = new Fmp4Writer();
  const init = writer.init(H264).bytes;
  const fragments: FragmentPiece[] = [];
  for (let i = 0; i < seconds * 25; i++) {
    const slice = Buffer.alloc(50, 3);
    slice[0] = i % 25 === 0 ? 0x65 : 0x41;
    fragments.push(...writer.addFrame({ nalus: [slice], timestamp: 1000 + i * 3600, keyframe: i % 25 === 0 }));
  }
  const last = writer.flush();
  if (last !== undefined) fragments.push(last);
  return { init, fragments };
}

/** A segment object of `fragments` and the selection of all of it. */
function segment(id: string, init: Buffer, fragments: FragmentPiece[]): { selection: Selection; bytes: Buffer } {
  const bytes = Buffer.concat([init, ...fragments.map((f) => f.bytes)]);
  let offset = init.length;
  const entries = fragments.map((f) => {
    const e = { offset, size: f.bytes.length, durationMs: (f.duration * 1000) / 90_000, keyframe: f.keyframe };
    offset += f.bytes.length;
    return e;
  });
  const seg: Segment = { id, cameraId: 'c', objectKey: id, startMs: 0, endMs: 0, bytes: bytes.length, initSize: init.length, codec: 'avc1.64001E', timescale: 90_000, fragments: entries, state: 'closed' };
  return { selection: { segment: seg, fragments: entries.map((e) => ({ offset: e.offset, size: e.size, startMs: 0, durationMs: e.durationMs })) }, bytes };
}

test('segments of one run continue each other; a new run (decode times from 0 again) does not, however close on the wall clock', async () => {
  const a = run(4);
  const b = run(2);
  const s1 = segment('s1', a.init, a.fragments.slice(0, 2));
  const s2 = segment('s2', a.init, a.fragments.slice(2));
  const s3 = segment('s3', b.init, b.fragments);
  const objects = new Map([['s1', s1.bytes], ['s2', s2.bytes], ['s3', s3.bytes]]);
  const read = async (sel: Selection, offset: number, length: number) => (objects.get(sel.segment.id) as Buffer).subarray(offset, offset + length);
  assert.equal(await continuesRun(read, s1.selection, s2.selection), true);
  assert.equal(await continuesRun(read, s2.selection, s3.selection), false);
  // A selection that does not reach its segment's end cannot be continued.
  const cut = { ...s1.selection, fragments: s1.selection.fragments.slice(0, 1) };
  assert.equal(await continuesRun(read, cut, s2.selection), false);
});
