/**
 * The jobs switch (ADR 0039): starts and stops follow the jobs lease, serialised, the latest word
 * winning; a new claim restarts a run started under an older one; nothing starts after close.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { JobsSwitch } from './cluster-jobs.ts';
import { createLogger } from '../lib/logger.ts';
import type { Claimed } from './leases.store.ts';

const claim = (token: number, prevHolder: string | null = null): Claimed => ({ token, prevHolder, prevEndMs: null, nowMs: 0 });

function recorder(opts: { startMs?: number; failFirst?: boolean } = {}) {
  const log: string[] = [];
  let fail = opts.failFirst === true;
  const jobs = new JobsSwitch({
    log: createLogger({ level: 'silent' }),
    start: async (c) => {
      log.push(`start ${c?.token ?? '-'}`);
      if (opts.startMs !== undefined) await delay(opts.startMs);
      if (fail) {
        fail = false;
        throw new Error('destination down');
      }
      return { stop: async () => void log.push(`stop ${c?.token ?? '-'}`) };
    },
  });
  return { jobs, log };
}

test('words that come before a start begins: only the latest counts', async () => {
  const { jobs, log } = recorder({ startMs: 10 });
  void jobs.change({ held: true, claim: claim(1) });
  void jobs.change({ held: false });
  await jobs.change({ held: true, claim: claim(2) });
  assert.deepEqual(log, ['start 2']);
  await jobs.close();
  assert.deepEqual(log, ['start 2', 'stop 2']);
});

test('held starts once, lost stops, held again under a new token starts again from scratch', async () => {
  const { jobs, log } = recorder();
  await jobs.change({ held: true, claim: claim(1) });
  await jobs.change({ held: true, claim: claim(1) });
  assert.equal(jobs.running(), true);
  await jobs.change({ held: false });
  assert.equal(jobs.running(), false);
  await jobs.change({ held: true, claim: claim(3, 'n2') });
  assert.deepEqual(log, ['start 1', 'stop 1', 'start 3']);
  await jobs.close();
  assert.deepEqual(log, ['start 1', 'stop 1', 'start 3', 'stop 3']);
});

test('lost and retaken while a start runs: the run under the old token is stopped and one under the new token runs', async () => {
  const { jobs, log } = recorder({ startMs: 50 });
  const first = jobs.change({ held: true, claim: claim(1) });
  await delay(10);
  void jobs.change({ held: false });
  const last = jobs.change({ held: true, claim: claim(2) });
  await Promise.all([first, last]);
  assert.deepEqual(log, ['start 1', 'stop 1', 'start 2']);
  assert.equal(jobs.running(), true);
  await jobs.close();
});

test('lost while a start runs: stopped as soon as it started; nothing starts after close', async () => {
  const { jobs, log } = recorder({ startMs: 50 });
  const started = jobs.change({ held: true, claim: claim(1) });
  await delay(10);
  const lost = jobs.change({ held: false });
  await Promise.all([started, lost]);
  assert.deepEqual(log, ['start 1', 'stop 1']);
  await jobs.close();
  await jobs.change({ held: true, claim: claim(2) });
  assert.deepEqual(log, ['start 1', 'stop 1'], 'closed: no start');
  assert.equal(jobs.running(), false);
});

test('a failed start is retried after 5 s while the lease is held, not after it was lost', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const flush = async () => {
    for (let i = 0; i < 50; i++) await Promise.resolve();
  };
  const held = recorder({ failFirst: true });
  await held.jobs.change({ held: true, claim: claim(1) });
  assert.equal(held.jobs.running(), false);
  t.mock.timers.tick(4_999);
  await flush();
  assert.deepEqual(held.log, ['start 1'], 'no retry before 5 s');
  t.mock.timers.tick(1);
  await flush();
  assert.deepEqual(held.log, ['start 1', 'start 1']);
  assert.equal(held.jobs.running(), true, 'the retry started the jobs');
  await held.jobs.close();

  const lost = recorder({ failFirst: true });
  await lost.jobs.change({ held: true, claim: claim(1) });
  await lost.jobs.change({ held: false });
  t.mock.timers.tick(5_000);
  await flush();
  assert.deepEqual(lost.log, ['start 1'], 'lost: no retry');
  await lost.jobs.close();
});
