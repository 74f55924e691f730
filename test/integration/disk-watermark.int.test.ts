/**
 * The disk-full policy (issue 14 item 6) on a real small disk: the data directory is a 64 MiB
 * tmpfs the test mounts (we run as root) and unmounts after. Two real cameras record through the
 * real app; the test fills the disk below the free-space watermark with a file of its own.
 * - Deletion allowed (camera A: minimum retention 0 h): the oldest footage of A goes, only as much
 *   as needed, and recording keeps going; camera B (minimum 24 h, paused meanwhile) loses nothing.
 * - Deletion not allowed (both 24 h): recording stops (state storage-full, /healthz degraded,
 *   recording.space.stopped and the storage-fault alarm in the ledger) and resumes by itself
 *   when the test frees space.
 * Afterwards every segment decodes, `vault fsck` and `audit verify` are clean, and the gap carries
 * the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, rmdir, statfs } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/db/database.ts';
import { resumeMarginBytes } from '../../src/recording/space-guard.ts';
import { startTestApp, startTestCamsim, waitFor } from '../helpers/harness.ts';
import { testActor } from '../helpers/audit.ts';
import { decodeErrors } from '../helpers/media-probe.ts';
import { teardown } from '../helpers/teardown.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/custos.js');
const mib = 1 << 20;
const watermark = 8 * mib;
/** Step 1's shortfall below the watermark. */
const deficit = mib / 4;
/**
 * Below the watermark the policy frees up to the watermark plus its resume margin (space-guard.ts).
 * Room for what the rest of the data directory writes while step 1 watches: the SQLite WAL grows
 * (tens of KiB/s) and its auto-checkpoint writes the database file in one step (~0.6 MiB).
 */
const slack = (3 * mib) / 2;
/**
 * The footage A needs before step 1: the deficit, the margin and the slack. With less, the first pass
 * deletes ALL of A's footage, and when the database then grows into the watermark the policy stops A
 * for lack of anything left to delete: the right outcome, not the one step 1 is about.
 */
const aFootageNeeded = deficit + resumeMarginBytes(watermark) + slack;

/** GET over HTTPS (self-signed). */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer`)));
    req.on('error', reject);
    req.end();
  });
}

async function freeBytes(dir: string): Promise<number> {
  const fs = await statfs(dir);
  return fs.bavail * fs.bsize;
}

/** Appends to `path` until the disk under `dir` has about `targetFree` bytes free. */
async function fillTo(dir: string, path: string, targetFree: number): Promise<void> {
  const file = await open(path, 'a');
  try {
    for (let need = (await freeBytes(dir)) - targetFree; need > 0; need = (await freeBytes(dir)) - targetFree) {
      await file.write(Buffer.alloc(Math.min(need, 4 * mib)));
    }
  } finally {
    await file.close();
  }
}

test('disk-full policy on a 64 MiB tmpfs: below the watermark the oldest footage past its minimum retention goes and recording goes on; with nothing deletable recording stops with a status and an alarm and resumes when space is freed; fsck, audit verify and every segment clean', async (t) => {
  const defer = teardown(t);
  const dir = await mkdtemp(join(tmpdir(), 'custos-watermark-'));
  defer(() => rmdir(dir));
  await run('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', dir]);
  defer(() => run('umount', ['-l', dir]));
  const sim = await startTestCamsim({ cameras: 2 });
  defer(() => sim.close());
  const app = await startTestApp(dir, {
    'recording.segmentSeconds': 2,
    'recording.minFreeBytes': watermark,
    'recording.spaceCheckSeconds': 0.3,
    'recording.clockConfirmSeconds': 1,
  });
  let closed = false;
  defer(async () => {
    if (!closed) await app.close();
  });
  const a = await app.cameras.add({ name: 'A', url: sim.urls[0]!, minRetentionHours: 0 }, testActor);
  const b = await app.cameras.add({ name: 'B', url: sim.urls[1]!, minRetentionHours: 24 }, testActor);
  const segments = async (id: string) => (await app.playback.segments(id, 0, Number.MAX_SAFE_INTEGER)).filter((s) => s.state === 'closed');
  const state = async (id: string) => app.recorder.status(await app.cameras.get(id));
  const bytesOf = (list: readonly { bytes: number }[]) => list.reduce((n, s) => n + s.bytes, 0);
  await waitFor('enough closed footage of each camera', 90_000, async () => bytesOf(await segments(a.id)) >= aFootageNeeded && (await segments(b.id)).length >= 3);

  // 1. Deletion allowed: a deficit below the watermark. B pauses (its footage, which may not go,
  // stays), so A's own footage pays for the deficit, the margin and what A writes.
  await app.cameras.update(b.id, { enabled: false }, testActor);
  await app.recorder.reconcile();
  const aBefore = await segments(a.id);
  const bBefore = await segments(b.id);
  const filler = join(dir, 'filler');
  await fillTo(dir, filler, watermark - deficit);
  await waitFor('the oldest footage of A deleted', 20_000, async () => (await segments(a.id))[0]?.id !== aBefore[0]!.id);
  assert.ok((await segments(a.id)).some((s) => s.id === aBefore.at(-1)!.id), 'only the oldest footage of A went, not all of it');
  const fragmentsAt = (await state(a.id)).fragments;
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await state(a.id)).state, 'recording', 'deletion was allowed: recording MUST go on');
  }
  assert.ok((await state(a.id)).fragments > fragmentsAt, 'A kept recording');
  const bNow = new Set((await segments(b.id)).map((s) => s.id));
  assert.ok(bBefore.every((s) => bNow.has(s.id)), 'B (minimum retention 24 h) lost no footage');
  assert.ok(await freeBytes(dir) >= watermark - 2 * mib, 'the policy kept free space near the watermark');

  // 2. Deletion not allowed: both cameras keep 24 h; the disk goes below the watermark again.
  await app.cameras.update(a.id, { minRetentionHours: 24 }, testActor);
  await app.cameras.update(b.id, { enabled: true }, testActor);
  await app.recorder.reconcile();
  const filler2 = join(dir, 'filler2');
  await fillTo(dir, filler2, watermark - mib);
  await waitFor('both cameras stopped by the disk-full policy', 20_000, async () => {
    const states = await Promise.all([a.id, b.id].map(state));
    return states.every((s) => s.state === 'storage-full');
  });
  const stopped = await state(a.id);
  assert.match(stopped.lastError ?? '', /below the watermark/);
  const health = await get(`${app.url}/healthz`);
  assert.equal(health.status, 503, health.body);
  assert.match(health.body, /watermark/);
  const countWhileStopped = (await segments(a.id)).length + (await segments(b.id)).length;
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await segments(a.id)).length + (await segments(b.id)).length, countWhileStopped, 'nothing is written while stopped');
  const freedAt = Date.now();
  await rm(filler2);
  await rm(filler);
  await waitFor('recording resumed by itself', 30_000, async () => {
    const states = await Promise.all([a.id, b.id].map(state));
    return states.every((s) => s.state === 'recording');
  });
  await waitFor('a segment recorded after the resume', 20_000, async () => (await segments(a.id)).some((s) => s.startMs >= freedAt));

  // Stop recording; every segment left decodes.
  await app.cameras.update(a.id, { enabled: false }, testActor);
  await app.cameras.update(b.id, { enabled: false }, testActor);
  await app.recorder.reconcile();
  for (const s of [...(await segments(a.id)), ...(await segments(b.id))]) {
    const plain = await app.store.read(s.objectKey, 0, s.bytes);
    assert.equal(await decodeErrors(plain), '', s.objectKey);
  }
  closed = true;
  await app.close();

  const { db } = await openDatabase({ url: null, dataDir: dir });
  try {
    const gaps = await db.selectFrom('gaps').selectAll().execute();
    const spaceGaps = gaps.filter((g) => /watermark/.test(g.reason));
    assert.deepEqual(new Set(spaceGaps.map((g) => g.camera_id)), new Set([a.id, b.id]), JSON.stringify(gaps));
    assert.ok(spaceGaps.every((g) => g.end_ms !== null && g.end_ms >= freedAt - 1000), 'the gaps closed when recording resumed');
    const events = (await db.selectFrom('audit_events').select(['type', 'camera_id', 'record']).orderBy('seq').execute()).map((e) => ({ type: e.type, cameraId: e.camera_id, record: JSON.parse(e.record) as { details?: Record<string, unknown> } }));
    const types = events.map((e) => e.type);
    for (const type of ['recording.space.stopped', 'recording.space.resumed', 'recording.interrupted', 'recording.resumed']) assert.ok(types.includes(type), `${type} in the ledger: ${types.join(', ')}`);
    assert.ok(events.some((e) => e.type === 'alarm.raised' && e.record.details?.rule === 'storage-fault'), 'the storage-fault alarm is in the ledger');
    const deletions = events.filter((e) => e.type === 'footage.deleted' && e.record.details?.trigger === 'disk-watermark');
    assert.ok(deletions.length > 0 && deletions.every((e) => e.cameraId === a.id), 'only A (minimum 0 h) lost footage, each deletion in the ledger');
    const deletedIds = deletions.flatMap((e) => e.record.details?.segmentIds as string[]);
    assert.ok(deletedIds.includes(aBefore[0]!.id), 'the oldest went first');
    const left = await db.selectFrom('segments').select('id').where('id', 'in', deletedIds).execute();
    assert.deepEqual(left, [], 'deleted segments are gone from the index');
  } finally {
    await db.destroy();
  }
  const fsck = await run(process.execPath, [cli, 'vault', 'fsck', '--data-dir', dir], { env: { PATH: process.env.PATH ?? '' } }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
  assert.equal(fsck.code, 0, fsck.out);
  const verify = await run(process.execPath, [cli, 'audit', 'verify', '--data-dir', dir], { env: { PATH: process.env.PATH ?? '' } }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
  assert.equal(verify.code, 0, verify.out);
});
