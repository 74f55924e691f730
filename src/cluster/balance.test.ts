import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planBalance } from './balance.ts';

const six = ['a', 'b', 'c', 'd', 'e', 'f'];

test('a node alone claims every camera; three nodes take two each', () => {
  assert.deepEqual(planBalance({ self: 'n1', liveRecorders: 1, wanted: six, leases: [], held: new Set() }).claim, six);
  const plan = planBalance({ self: 'n1', liveRecorders: 3, wanted: six, leases: [], held: new Set() });
  assert.equal(plan.claim.length, 2);
  assert.deepEqual(plan.release, []);
});

test('a camera held by a live node is not claimed; a lapsed or released one is', () => {
  const leases = [
    { cameraId: 'a', holder: 'n2', lapsed: false },
    { cameraId: 'b', holder: 'n2', lapsed: true },
    { cameraId: 'c', holder: null, lapsed: false },
  ];
  const plan = planBalance({ self: 'n1', liveRecorders: 1, wanted: ['a', 'b', 'c'], leases, held: new Set() });
  assert.deepEqual(plan.claim, ['b', 'c']);
});

test('when a node joins, a node above its share releases the excess (handover)', () => {
  const plan = planBalance({ self: 'n1', liveRecorders: 3, wanted: six, leases: [], held: new Set(['a', 'b', 'c']) });
  assert.deepEqual(plan.release, ['c']);
  assert.deepEqual(plan.claim, []);
});

test('a camera no longer wanted is released; nothing is claimed beyond the share', () => {
  const plan = planBalance({ self: 'n1', liveRecorders: 1, wanted: ['a', 'b'], leases: [], held: new Set(['a', 'z']) });
  assert.deepEqual(plan.release, ['z']);
  assert.deepEqual(plan.claim, ['b']);
  const rotated = planBalance({ self: 'n1', liveRecorders: 3, wanted: six, leases: [], held: new Set(), order: 4 });
  assert.deepEqual(rotated.claim, ['e', 'f']);
});
