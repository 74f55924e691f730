import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { ConcurrencyLimit } from './concurrency-limit.ts';

test('never runs more than the limit at once, runs every task in arrival order, and frees a slot on failure', async () => {
  const limit = new ConcurrencyLimit(2);
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const tasks = Array.from({ length: 8 }, (_, i) =>
    limit.run(async () => {
      started.push(i);
      running++;
      peak = Math.max(peak, running);
      await delay(5);
      running--;
      if (i === 3) throw new Error('task 3 fails');
      return i;
    }),
  );
  const results = await Promise.allSettled(tasks);
  assert.equal(peak, 2);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
  assert.deepEqual(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])), [0, 1, 2, 4, 5, 6, 7]);
});
