import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fmp4Writer } from './fmp4-writer.ts';
import { LiveChunker } from './live-chunker.ts';

const idr = Buffer.from([0x65, 0x88, 0x84, 0x00, 0x10]);
const slice = Buffer.from([0x41, 0x9a, 0x02]);

test('one moof+mdat per frame, at once, on the recording writer\'s timeline', () => {
  const chunker = new LiveChunker();
  const writer = new Fmp4Writer();
  writer.init({ codec: 'h264', sps: Buffer.from('6764001eacb201405ff2e022000003000200000300641e2c5c90', 'hex'), pps: [Buffer.from('68ebc3cb22c0', 'hex')] });
  const frames = [0, 1, 2, 3].map((i) => ({ nalus: [i === 0 ? idr : slice], timestamp: 1_000_000 + i * 3600, keyframe: i === 0 }));
  const chunks = frames.map((f) => chunker.chunk(f));
  for (const f of frames) writer.addFrame(f);
  const fragment = writer.flush();
  assert.deepEqual(chunks.map((c) => [c?.decodeTime, c?.keyframe]), [[0, true], [3600, false], [7200, false], [10800, false]]);
  assert.equal(fragment?.decodeTime, 0);
  // Each chunk is a moof, then an mdat holding exactly its frame, length-prefixed.
  for (const [i, c] of chunks.entries()) {
    assert.ok(c);
    assert.equal(c.bytes.toString('latin1', 4, 8), 'moof');
    const mdatAt = c.bytes.readUInt32BE(0);
    const nal = i === 0 ? idr : slice;
    assert.equal(c.bytes.toString('latin1', mdatAt + 4, mdatAt + 8), 'mdat');
    assert.deepEqual(c.bytes.subarray(mdatAt + 8), Buffer.concat([Buffer.from([0, 0, 0, nal.length]), nal]));
  }
});

test('a timestamp that does not increase or an empty frame makes no chunk; reset restarts the timeline', () => {
  const chunker = new LiveChunker();
  assert.ok(chunker.chunk({ nalus: [idr], timestamp: 900, keyframe: true }));
  assert.equal(chunker.chunk({ nalus: [slice], timestamp: 900, keyframe: false }), undefined);
  assert.equal(chunker.chunk({ nalus: [Buffer.alloc(0)], timestamp: 4500, keyframe: false }), undefined);
  chunker.reset();
  assert.equal(chunker.chunk({ nalus: [idr], timestamp: 50, keyframe: true })?.decodeTime, 0);
});

test('a viewer arriving mid-group gets the group from its key frame at once, each chunk with its real duration, then goes on live', () => {
  const chunker = new LiveChunker();
  const f = (ts: number, keyframe = false) => ({ nalus: [new Uint8Array([0x41, ts & 0xff])], timestamp: ts, keyframe });
  chunker.skip(f(1000, true)); // an earlier group
  chunker.skip(f(4600));
  chunker.skip(f(8200, true)); // the current group starts here
  chunker.skip(f(11_800));
  chunker.skip(f(15_400));
  const first = chunker.start(f(19_000)) ?? [];
  assert.deepEqual(first.map((c) => [c.decodeTime, c.duration, c.keyframe]), [
    [7200, 3600, true],
    [10_800, 3600, false],
    [14_400, 3600, false],
    [18_000, 3600, false],
  ]);
  assert.equal(chunker.chunk(f(22_600))?.decodeTime, 21_600, 'then live, on the same timeline');
});

test('start before any key frame skips the frame and starts nothing; at a key frame it is that frame\'s chunk', () => {
  const chunker = new LiveChunker();
  const f = (ts: number, keyframe = false) => ({ nalus: [new Uint8Array([0x41])], timestamp: ts, keyframe });
  assert.equal(chunker.start(f(100)), undefined);
  const key = chunker.start(f(3700, true)) ?? [];
  assert.deepEqual(key.map((c) => [c.decodeTime, c.keyframe]), [[3600, true]]);
});
