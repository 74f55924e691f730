import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../lib/logger.ts';
import { resumeMarginBytes, SpaceGuard, watermarkBytes } from './space-guard.ts';

const mib = 1 << 20;
const log = createLogger({ level: 'silent' });

/** A disk of 100 MiB whose free space the test sets, and a reclaimer over a pool of deletable bytes (a fake disk: the tmpfs test is disk-watermark.int.test.ts). */
function rig(opts: { free: number; deletable: number }) {
  const disk = { free: opts.free, deletable: opts.deletable, asked: [] as number[] };
  const events: string[] = [];
  const guard = new SpaceGuard({
    path: '/data/segments',
    watermark: { minFreeBytes: 10 * mib, minFreePercent: 0 },
    measure: async () => ({ freeBytes: disk.free, totalBytes: 100 * mib }),
    reclaim: async (need) => {
      disk.asked.push(need);
      const freed = Math.min(need, disk.deletable);
      disk.deletable -= freed;
      disk.free += freed;
      return { freedBytes: freed, deletedSegments: freed > 0 ? 1 : 0 };
    },
    log,
    onStop: (reason) => events.push(`stop: ${reason}`),
    onResume: () => events.push('resume'),
  });
  return { disk, events, guard };
}

test('the watermark is the larger of bytes and percent; the resume margin is a tenth of it, at least 1 MiB', () => {
  assert.equal(watermarkBytes({ minFreeBytes: 5 * mib, minFreePercent: 10 }, 100 * mib), 10 * mib);
  assert.equal(watermarkBytes({ minFreeBytes: 50 * mib, minFreePercent: 10 }, 100 * mib), 50 * mib);
  assert.equal(resumeMarginBytes(100 * mib), 10 * mib);
  assert.equal(resumeMarginBytes(2 * mib), mib);
});

test('below the watermark with deletable footage: it frees up to the watermark plus the margin and does not stop', async () => {
  const { disk, events, guard } = rig({ free: 9 * mib, deletable: 50 * mib });
  await guard.check();
  assert.deepEqual(disk.asked, [2 * mib]);
  assert.equal(disk.free, 11 * mib);
  assert.equal(guard.blocked(), null);
  assert.deepEqual(events, []);
});

test('with nothing (enough) deletable it stops once, with a reason naming the watermark; it resumes only past the margin, and waiting recorders are released', async () => {
  const { disk, events, guard } = rig({ free: 8 * mib, deletable: mib });
  await guard.check();
  assert.match(guard.blocked() ?? '', /free space 9\.0 MiB is below the watermark of 10\.0 MiB on \/data\/segments/);
  assert.deepEqual(guard.problems(), [guard.blocked()]);
  await guard.check();
  assert.equal(events.length, 1, 'one stop per episode');
  let released = false;
  const waiting = guard.clear(new AbortController().signal).then(() => (released = true));
  disk.free = 10.5 * mib; // above the watermark, not past the margin
  await guard.check();
  assert.notEqual(guard.blocked(), null);
  assert.equal(released, false);
  disk.free = 11 * mib;
  await guard.check();
  assert.equal(guard.blocked(), null);
  await waiting;
  assert.ok(released);
  assert.deepEqual(events.slice(1), ['resume']);
});

test('a watermark of 0 and 0 is off: it never measures, deletes or stops', async () => {
  let measured = 0;
  const guard = new SpaceGuard({ path: '/d', watermark: { minFreeBytes: 0, minFreePercent: 0 }, measure: async () => (measured++, { freeBytes: 0, totalBytes: 1 }), reclaim: async () => assert.fail('no deletion'), log });
  await guard.check();
  assert.equal(measured, 0);
  assert.equal(guard.blocked(), null);
});
