import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedRing } from './shared-ring.ts';

test('regions are taken in ring order and reused once every region before them is back', () => {
  const ring = new SharedRing(100);
  assert.equal(ring.take(40), 0);
  assert.equal(ring.take(40), 40);
  assert.equal(ring.take(30), -1, 'no room after the head, and none before the oldest region');
  ring.give(40); // the second back first: the first still holds the start
  assert.equal(ring.take(30), -1);
  ring.give(0);
  assert.equal(ring.used, 0);
  assert.equal(ring.take(30), 0, 'all back: from the start again');
});

test('a region that does not fit at the end wraps to the start, never reaching the oldest live region', () => {
  const ring = new SharedRing(100);
  const a = ring.take(30);
  const b = ring.take(30);
  const c = ring.take(30);
  assert.deepEqual([a, b, c], [0, 30, 60]);
  ring.give(a);
  assert.equal(ring.take(31), -1, 'wrapping needs space strictly before the oldest region (30)');
  assert.equal(ring.take(20), 0, 'wraps');
  assert.equal(ring.take(10), -1, 'the head (20) + 10 would touch the oldest region (30)');
  assert.equal(ring.take(9), 20);
  ring.give(b);
  ring.give(c);
  assert.equal(ring.take(50), 29, 'after the wrap the ring goes on from its head');
});

test('out-of-order gives, a table of random takes and gives: live regions never overlap and stay inside the buffer', () => {
  const ring = new SharedRing(1000);
  const live = new Map<number, number>();
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 5000; i++) {
    if (rnd() < 0.55) {
      const len = 1 + Math.floor(rnd() * 200);
      const at = ring.take(len);
      if (at < 0) continue;
      assert.ok(at + len <= 1000);
      for (const [o, l] of live) assert.ok(at + len <= o || o + l <= at, `overlap: [${at},${at + len}) and [${o},${o + l})`);
      live.set(at, len);
    } else if (live.size > 0) {
      const keys = [...live.keys()];
      const k = keys[Math.floor(rnd() * keys.length)] as number;
      ring.give(k);
      live.delete(k);
    }
  }
  for (const k of live.keys()) ring.give(k);
  assert.equal(ring.used, 0);
  assert.throws(() => ring.give(0), /no live region/);
});

test('a ring that is full grows up to its maximum, keeping what its regions hold', () => {
  const ring = new SharedRing(100, 1000);
  const a = ring.take(80);
  new Uint8Array(ring.buffer, a, 80).fill(9);
  const view = Buffer.from(ring.buffer, a, 80);
  assert.equal(ring.take(80), 80, 'grown instead of refused');
  assert.ok(ring.buffer.byteLength >= 160 && ring.buffer.byteLength <= 1000);
  assert.ok(view.every((b) => b === 9), 'a view made before the growth still reads the region');
  assert.equal(ring.take(2000), -1, 'never past the maximum');
  const fixed = new SharedRing(100);
  fixed.take(80);
  assert.equal(fixed.take(80), -1, 'no maximum given: a fixed size');
});

test('a wrapped ring does not grow (the new space would lie behind its oldest region); it grows again once unwrapped', () => {
  const ring = new SharedRing(100, 10_000);
  const a = ring.take(60);
  const b = ring.take(30);
  ring.give(a);
  assert.equal(ring.take(50), 0, 'wraps to the start');
  assert.equal(ring.take(50), -1, 'wrapped and full: refused');
  assert.equal(ring.buffer.byteLength, 100, 'not grown while wrapped');
  ring.give(b);
  assert.equal(ring.take(80), 50, 'unwrapped: grows after the head');
  assert.ok(ring.buffer.byteLength >= 130);
});
