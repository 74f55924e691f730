/**
 * The whole app on PostgreSQL instead of SQLite: record, read the timeline and the playlist,
 * stop, start again and find every segment closed and indexed. Real PostgreSQL on 127.0.0.1:5432.
 * (Crash recovery itself is database-independent and is tested with kill -9 on SQLite.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestDatabase } from '../helpers/databases.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

test('Custos records, plays back and restarts with its metadata in PostgreSQL', async (t) => {
  const defer = teardown(t);
  const pg = await createTestDatabase('postgres');
  // Deferred first, so it runs last: the apps' pools MUST be closed before the database is dropped.
  defer(() => pg.close());
  // The app opens its own pool on the same database; ours only created and migrated it.
  await pg.db.destroy();
  const dir = await tempDir('pg-app');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const app = await startTestApp(dir.path, { 'database.url': pg.location, 'recording.segmentSeconds': 3 });
  defer(() => app.close());
  const camera = await app.cameras.add({ name: 'On PostgreSQL', url: sim.urls[0]! }, testActor);
  const t0 = Date.now();
  await waitFor('recording', 20_000, () => app.recorder.status(camera).state === 'recording');
  await delay(8_000);
  const timeline = await app.playback.timeline(camera.id, t0 - 2_000, Date.now());
  assert.equal(timeline.spans.length, 1, JSON.stringify(timeline));
  const playlist = await app.playback.playlist(camera.id, t0 - 2_000, Date.now());
  assert.ok((playlist.match(/#EXTINF/g) ?? []).length >= 6, playlist);
  await app.close();

  const again = await startTestApp(dir.path, { 'database.url': pg.location });
  defer(() => again.close());
  assert.equal(again.recovery.removedOrphans, 0);
  const segments = await again.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER);
  assert.ok(segments.length >= 2, `segments kept across restarts: ${segments.length}`);
  assert.ok(segments.every((s) => s.state !== 'open'));
});
