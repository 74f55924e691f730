/**
 * Crypto-shredding: a copy of the storage taken before retention expires (a backup) cannot be
 * decrypted afterwards with anything Custos still holds. Real recording through camsim/ffmpeg;
 * the clock is moved forward by hand so retention can expire an hour in seconds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { decodeErrors } from '../helpers/media-probe.ts';
import { VaultSegmentStore } from '../../src/vault/vault-segment-store.ts';
import { isAppError } from '../../src/lib/errors.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

test('after retention shreds an hour of footage, a copy of its objects taken earlier cannot be decrypted', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('shred');
  defer(() => dir.remove());
  const backup = await tempDir('shred-backup');
  defer(() => backup.remove());
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  let offsetMs = 0;
  const clock = { now: () => Date.now() + offsetMs };
  const app = await startTestApp(dir.path, { 'recording.segmentSeconds': 3, 'recording.retentionCheckSeconds': 1 }, clock);
  defer(() => app.close());
  const camera = await app.cameras.add({ name: 'Short memory', url: sim.urls[0]!, retentionHours: 1 }, testActor);
  await waitFor('recording', 20_000, () => app.recorder.status(camera).state === 'recording');
  await delay(7_000);
  await app.cameras.update(camera.id, { enabled: false }, testActor);
  await app.recorder.reconcile();
  const segments = await app.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER);
  assert.ok(segments.length >= 2);

  // The backup: a byte-for-byte copy of the stored objects, readable while the keys exist.
  await cp(join(dir.path, 'segments'), backup.path, { recursive: true });
  const copy = new VaultSegmentStore(backup.path, app.dataKeys);
  const first = segments[0]!;
  assert.equal(await decodeErrors(await copy.read(first.objectKey, 0, first.bytes)), '', 'the copy decrypts before the shred');

  // Two hours later, the camera's one-hour retention has expired everything recorded.
  offsetMs = 2 * 3_600_000 + 3_600_000;
  await waitFor('retention to delete the segments', 10_000, async () => (await app.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER)).length === 0);
  const keyRows = await (await import('../../src/db/database.ts')).openDatabase({ url: null, dataDir: dir.path });
  const rows = await keyRows.db.selectFrom('data_keys').selectAll().where('camera_id', '=', camera.id).execute();
  await keyRows.db.destroy();
  assert.ok(rows.length >= 1);
  for (const row of rows) {
    assert.notEqual(row.destroyed_ms, null, `data key ${row.id} is destroyed`);
    assert.equal(row.wrapped, '', 'nothing of the wrapped key is kept');
  }

  app.dataKeys.clearCache();
  const copied: string[] = [];
  for (const entry of await readdir(backup.path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) copied.push(relative(backup.path, join(entry.parentPath, entry.name)));
  }
  assert.equal(copied.length, segments.length);
  for (const key of copied) {
    await assert.rejects(copy.read(key, 0, 16), (e) => isAppError(e, 'KEY_UNAVAILABLE'), `${key} still decrypts`);
  }
});
