import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planAroundDamage, type SegmentDamage } from './export-damage.ts';
import { selectFragments } from './hls-playlist.ts';
import type { Segment } from '../media/segment.ts';

/** A segment of `keys.length` one-second fragments; `keys[i]` says whether fragment i starts with a key frame. */
function segment(id: string, startMs: number, keys: boolean[]): Segment {
  const fragments = keys.map((keyframe, i) => ({ offset: 100 + i * 10, size: 10, durationMs: 1000, keyframe }));
  return { id, cameraId: 'cam', objectKey: `cam/${id}.mp4`, startMs, endMs: startMs + keys.length * 1000, bytes: 100 + keys.length * 10, initSize: 100, codec: 'avc1', timescale: 90000, fragments, state: 'closed' };
}

test('a damaged fragment and the fragments up to the next key frame are left out and stated, and footage after them starts a new part', () => {
  const a = segment('a', 0, [true, false, false, true, false]);
  const b = segment('b', 5000, [true, false]);
  const c = segment('c', 7000, [true, false]);
  const selections = selectFragments([a, b, c], 0, 9000);
  const damage = new Map<string, SegmentDamage>([
    ['a', { all: false, fragments: new Map([[1, 'chunk 2 fails authentication']]) }],
    ['b', { all: true, reason: 'object missing' }],
  ]);
  const { plan, damaged } = planAroundDamage(selections, damage);
  assert.deepEqual(
    plan.map((p) => [p.segment.id, p.fragments.map((f) => f.startMs), p.breakBefore]),
    [
      ['a', [0], false],
      ['a', [3000, 4000], true],
      ['c', [7000, 8000], true],
    ],
  );
  assert.deepEqual(damaged, [
    { segmentId: 'a', fromMs: 1000, toMs: 3000, reason: 'chunk 2 fails authentication' },
    { segmentId: 'b', fromMs: 5000, toMs: 7000, reason: 'object missing' },
  ]);
});

test('without damage the plan is the selection itself', () => {
  const selections = selectFragments([segment('a', 0, [true, false])], 0, 2000);
  const { plan, damaged } = planAroundDamage(selections, new Map());
  assert.deepEqual(plan, selections.map((s) => ({ ...s, breakBefore: false })));
  assert.deepEqual(damaged, []);
});
