/**
 * Footage the index forgot is never deleted. Real recording (camsim, vault, SQLite); the
 * database then loses rows as a restored backup or a lost write-ahead log would, or is replaced
 * by an empty one, and the server starts again on the same data directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, readdir, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { openDatabase } from '../../src/db/database.ts';
import { isAppError } from '../../src/lib/errors.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown, type Defer } from '../helpers/teardown.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/custos.js');

async function files(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (entry.isFile()) out.push(relative(root, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

async function query<T>(dataDir: string, fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const { db } = await openDatabase({ url: null, dataDir });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** Records a few closed segments of one camera, then stops cleanly. */
async function recordSome(defer: Defer, dataDir: string): Promise<void> {
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const app = await startTestApp(dataDir, { 'recording.segmentSeconds': 2 });
  try {
    const camera = await app.cameras.add({ name: 'Dock', url: sim.urls[0]! }, testActor);
    await waitFor('four closed segments', 40_000, async () => (await app.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER)).filter((s) => s.state === 'closed').length >= 4);
    await app.cameras.update(camera.id, { enabled: false }, testActor);
    await app.recorder.reconcile();
  } finally {
    await app.close();
  }
}

test('after a database backup is restored, the segments recorded since are indexed again from their headers, recorded and alarmed, never deleted', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('orphans');
  defer(() => dir.remove());
  const backup = await tempDir('orphans-backup');
  defer(() => backup.remove());
  const dbFiles = async (from: string) => (await readdir(from)).filter((n) => n.startsWith('custos.db'));
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  // Record, take a backup of the stopped database, record more.
  let app = await startTestApp(dir.path, { 'recording.segmentSeconds': 2 });
  const camera = await app.cameras.add({ name: 'Dock', url: sim.urls[0]! }, testActor);
  const closed = async () => (await app.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER)).filter((s) => s.state === 'closed');
  await waitFor('two closed segments', 40_000, async () => (await closed()).length >= 2);
  await app.close();
  for (const name of await dbFiles(dir.path)) await cp(join(dir.path, name), join(backup.path, name));
  app = await startTestApp(dir.path, { 'recording.segmentSeconds': 2 });
  const known = new Set((await app.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER)).map((s) => s.id));
  await waitFor('three segments more', 40_000, async () => (await closed()).filter((s) => !known.has(s.id)).length >= 3);
  await app.cameras.update(camera.id, { enabled: false }, testActor);
  await app.recorder.reconcile();
  const rows = await app.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER);
  await app.close();
  const forgotten = rows.filter((r) => !known.has(r.id));
  const segmentsDir = join(dir.path, 'segments');
  const objectsBefore = await files(segmentsDir);

  // The restore: the database as it was at the backup.
  for (const name of await dbFiles(dir.path)) await rm(join(dir.path, name));
  for (const name of await dbFiles(backup.path)) await cp(join(backup.path, name), join(dir.path, name));
  app = await startTestApp(dir.path, { 'recording.segmentSeconds': 2 });
  defer(() => app.close());
  assert.equal(app.recovery.reindexed, forgotten.length);
  assert.equal(app.recovery.removedOrphans + app.recovery.quarantined, 0);
  assert.deepEqual(await files(segmentsDir), objectsBefore, 'no object was deleted or moved');
  for (const row of forgotten) {
    const again = await app.playback.segments(row.cameraId, row.startMs, row.endMs);
    const segment = again.find((s) => s.objectKey === row.objectKey);
    assert.ok(segment, `${row.objectKey} is indexed again`);
    assert.equal(segment.id, row.id, 'with the id its object key names');
    assert.equal(segment.startMs, row.startMs, 'at the start time of its header');
    assert.equal(segment.fragments.length, row.fragments.length);
    assert.ok(Math.abs(segment.endMs - row.endMs) < 100);
  }
  const events = await waitFor('the re-indexing and its alarm in the ledger', 15_000, async () => {
    const found = await query(dir.path, (db) => db.selectFrom('audit_events').select(['type', 'record']).where('type', 'in', ['footage.reindexed', 'alarm.raised']).execute());
    return found.some((e) => e.type === 'footage.reindexed') && found.some((e) => e.type === 'alarm.raised' && e.record.includes('footage-loss')) ? found : null;
  });
  const reindexed = JSON.parse(events.find((e) => e.type === 'footage.reindexed')!.record) as { details: { segmentIds: string[] } };
  assert.deepEqual(reindexed.details.segmentIds.sort(), forgotten.map((r) => r.id).sort());
});

test('a database that knows none of the stored footage is refused at start, and nothing is touched', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('unrelated-db');
  defer(() => dir.remove());
  await recordSome(defer, dir.path);
  const segmentsDir = join(dir.path, 'segments');
  const objectsBefore = await files(segmentsDir);
  // The database is gone (deleted, or database.url now points at a new one): an empty one is made.
  for (const name of await readdir(dir.path)) if (name.startsWith('custos.db')) await rename(join(dir.path, name), join(dir.path, `old-${name}`));

  await assert.rejects(startTestApp(dir.path), (e) => isAppError(e, 'DATABASE_UNRELATED') && /refuses to start/.test(e.message));
  assert.deepEqual(await files(segmentsDir), objectsBefore);
  // The real command says so in one line and exits non-zero.
  const refused = await run(process.execPath, [cli, 'serve', '--data-dir', dir.path, '--port', '0'], { env: { PATH: process.env.PATH ?? '', CUSTOS_LOG_LEVEL: 'silent' } }).catch((e: { code: number; stderr: string }) => e);
  assert.equal((refused as { code: number }).code, 1);
  assert.match((refused as { stderr: string }).stderr, /^custos serve: the database names none of the \d+ segment objects/m);
  assert.deepEqual(await files(segmentsDir), objectsBefore);
});
