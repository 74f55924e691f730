import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockWatch, type ClockStep } from './clock-watch.ts';

/** Wall and monotonic clocks moved by hand: `tick` moves both, `step` only the wall clock. */
function clocks() {
  let wall = 1_795_000_000_000;
  let mono = 5_000;
  return {
    wall: { now: () => wall },
    monotonic: { now: () => mono },
    tick: (ms: number) => {
      wall += ms;
      mono += ms;
    },
    step: (ms: number) => void (wall += ms),
  };
}

test('the wall clock is steady only after running in step with the monotonic clock for the confirmation delay', () => {
  const c = clocks();
  const watch = new ClockWatch({ wall: c.wall, monotonic: c.monotonic, toleranceMs: 2000, confirmMs: 600_000 });
  assert.deepEqual(watch.steady(), { steady: false, waitMs: 600_000 }, 'not at start-up');
  c.tick(599_999);
  assert.equal(watch.steady().steady, false);
  c.tick(1);
  assert.deepEqual(watch.steady(), { steady: true, waitMs: 0 });
});

test('a step either way beyond the tolerance is reported once and restarts the confirmation delay; drift within it is not', () => {
  const c = clocks();
  const steps: ClockStep[] = [];
  const watch = new ClockWatch({ wall: c.wall, monotonic: c.monotonic, toleranceMs: 2000, confirmMs: 10_000, onStep: (s) => steps.push(s) });
  c.tick(20_000);
  assert.equal(watch.steady().steady, true);
  c.tick(1000);
  c.step(1500);
  assert.equal(watch.sample(), null, 'within tolerance');
  c.step(2 * 3_600_000);
  c.tick(1000);
  assert.deepEqual(watch.steady(), { steady: false, waitMs: 10_000 }, 'a forward step is not trusted');
  assert.deepEqual(steps.map((s) => s.stepMs), [7_200_000]);
  c.tick(10_000);
  assert.equal(watch.steady().steady, true, 'a step that lasts the delay is taken as true');
  c.step(-2 * 3_600_000);
  assert.equal(watch.steady().steady, false, 'a step back is not trusted either');
  assert.deepEqual(steps.map((s) => s.stepMs), [7_200_000, -7_200_000]);
});
