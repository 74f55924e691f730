import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Segmenter } from './segmenter.ts';
import type { FragmentPiece } from '../media/media.ts';

const timescale = 12800;
function frag(index: number, keyframe = true, seconds = 1): FragmentPiece {
  return { kind: 'fragment', bytes: Buffer.alloc(0), decodeTime: index * timescale * seconds, duration: timescale * seconds, sampleCount: 25, keyframe };
}

test('the first key-frame fragment opens a segment anchored to its arrival', () => {
  const s = new Segmenter(10_000, timescale);
  const p = s.place(frag(0), 1_000_000);
  assert.deepEqual(p, { startMs: 999_000, durationMs: 1000, cut: true });
});

test('a fragment without a key frame cannot open a segment', () => {
  const s = new Segmenter(10_000, timescale);
  const p = s.place(frag(0, false), 1_000_000);
  assert.equal(p.cut, false);
  assert.ok(Number.isNaN(p.startMs));
  assert.equal(s.open, false);
});

test('segments are cut at the first key frame at or after the target length', () => {
  const s = new Segmenter(3_000, timescale);
  const arrivals = [1000, 2000, 3000, 4000, 5000, 6000, 7000];
  const keyframes = [true, true, true, false, true, true, true];
  const cuts = arrivals.map((t, i) => s.place(frag(i, keyframes[i]), 100_000 + t).cut);
  // opens at 0; 3 s reached at fragment 3 (not a key frame), so the cut waits for fragment 4.
  assert.deepEqual(cuts, [true, false, false, false, true, false, false]);
});

test('times inside a segment follow decode timestamps, not arrival jitter', () => {
  const s = new Segmenter(60_000, timescale);
  s.place(frag(0), 10_000);
  const late = s.place(frag(1), 12_700);
  assert.equal(late.startMs, 10_000);
});

test('a requested cut happens at the next key frame, however short the segment, and only once', () => {
  const s = new Segmenter(60_000, timescale);
  const keyframes = [true, true, false, false, true, true, true];
  const cuts: boolean[] = [];
  for (const [i, key] of keyframes.entries()) {
    if (i === 2) s.requestCut();
    cuts.push(s.place(frag(i, key), 100_000 + i * 1000).cut);
  }
  // Requested before fragment 2 (no key frame): the cut waits for fragment 4, then the 60 s target rules again.
  assert.deepEqual(cuts, [true, false, false, false, true, false, false]);
});

test('a cut requested with no open segment is ignored', () => {
  const s = new Segmenter(60_000, timescale);
  s.requestCut();
  assert.equal(s.place(frag(0), 1000).cut, true);
  assert.equal(s.place(frag(1), 2000).cut, false);
});
