import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { RetryBackoff, settledWithin } from './retry-backoff.ts';

/** Runs `wait` under mock timers and returns the delay it waited, in ms of timer time. */
async function waited(backoff: RetryBackoff, step = 50, limit = 60_000): Promise<number> {
  let done = false;
  const waiting = backoff.wait().then(() => (done = true));
  let elapsed = 0;
  while (!done && elapsed < limit) {
    mock.timers.tick(step);
    elapsed += step;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await waiting;
  return elapsed;
}

test('the wait doubles from 250 ms up to the maximum and starts again after a success', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const backoff = new RetryBackoff(1000);
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) delays.push(await waited(backoff));
  assert.deepEqual(delays, [250, 500, 1000, 1000]);
  backoff.reset();
  assert.equal(await waited(backoff), 250);
});

test('wake ends the wait in progress, and after hurry every wait is the shortest', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const backoff = new RetryBackoff(10_000);
  await waited(backoff);
  await waited(backoff); // the next wait would be 1 s
  const waiting = backoff.wait();
  backoff.wake();
  await waiting; // resolved without any timer moving
  backoff.hurry();
  assert.equal(await waited(backoff), 250);
  assert.equal(await waited(backoff), 250);
});

test('settledWithin resolves when the work settles, rejected or not, or when the time is up', async () => {
  await settledWithin(Promise.reject(new Error('refused')), 60_000);
  await settledWithin(Promise.resolve(1), 60_000);
  const started = performance.now();
  await settledWithin(new Promise(() => undefined), 20);
  assert.ok(performance.now() - started < 5_000);
});
