/**
 * Placement W = 2 over two real local zones (ADR 0040), no S3 server needed: while the second
 * zone is unavailable (its directory replaced by a file, so every put fails with ENOTDIR, root or
 * not), recording goes on, status shows the camera under-replicated and it raises
 * `storage-under-replicated` once; when the directory is back, the spool fills it, the episode
 * ends with `storage.camera.caught-up`, and every segment is acknowledged with both copies'
 * hashes equal to its ledger leaf.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StorageStatus } from '../../src/storage/replicator.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { testActor } from '../helpers/audit.ts';
import { everyRole, testPrincipal } from '../helpers/access.ts';
import { teardown } from '../helpers/teardown.ts';

test('W = 2 over two local zones: one unavailable keeps recording, shows and alarms the camera as under-replicated once, and catches up when it returns', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('storage-placement');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const dataDir = join(dir.path, 'app');
  const mirror = join(dir.path, 'mirror');
  await mkdir(mirror);
  const app = await startTestApp(dataDir, {
    'recording.segmentSeconds': 2,
    'storage.zones': [
      { id: 'local', kind: 'local', path: join(dataDir, 'segments'), jurisdiction: 'DE' },
      { id: 'mirror', kind: 'local', path: mirror, jurisdiction: 'DE' },
    ],
    'storage.placement': { default: { zones: ['local', 'mirror'], ack: 2 } },
    'storage.spool': { lagAlarmSeconds: 4, retryMaxSeconds: 1 },
  });
  defer(() => app.close());
  const root = await testPrincipal(app, { roles: everyRole });
  const status = async () => (await root.inject({ method: 'GET', url: '/api/v1/storage/status' })).json<StorageStatus>();
  const events = async (type: string) =>
    (await root.inject({ method: 'GET', url: `/api/v1/audit/events?type=${type}&limit=1000` })).json<{ events: { record: { target?: { id: string }; details?: Record<string, unknown> } }[] }>().events.map((e) => e.record);
  const alarms = async () => (await events('alarm.raised')).filter((r) => r.details?.['rule'] === 'storage-under-replicated');
  const camera = await app.cameras.add({ name: 'Gate', url: sim.urls[0]! }, testActor);

  await waitFor('copies in the mirror zone', 30_000, async () => (await status()).zones.find((z) => z.id === 'mirror')!.backlog.stored >= 2);
  assert.deepEqual(await alarms(), [], 'no alarm while both zones take every segment');

  // The mirror zone becomes unavailable.
  await rename(mirror, `${mirror}.away`);
  await writeFile(mirror, '');
  const short = await waitFor('the under-replication alarm', 30_000, async () => ((await alarms()).length > 0 ? await status() : null));
  const entry = short.underReplicated.find((c) => c.cameraId === camera.id);
  assert.ok(entry !== undefined && entry.segments >= 2 && entry.lagSeconds > 4, JSON.stringify(short.underReplicated));
  assert.deepEqual(entry.waitingFor, ['mirror']);
  assert.equal(short.zones.find((z) => z.id === 'mirror')!.health, 'down');
  assert.equal(app.recorder.status(await app.cameras.get(camera.id)).state, 'recording', 'recording does not wait for W');
  await new Promise((resolve) => setTimeout(resolve, 5000));
  assert.equal((await alarms()).length, 1, 'raised once per episode');
  assert.equal((await alarms())[0]?.target?.id, camera.id);

  // It returns: the spool fills it and the episode ends.
  await rm(mirror);
  await rename(`${mirror}.away`, mirror);
  await waitFor('the caught-up event', 30_000, async () => (await events('storage.camera.caught-up')).some((r) => r.target?.id === camera.id));
  await app.cameras.update(camera.id, { enabled: false }, testActor);
  await app.recorder.reconcile();
  await waitFor('every segment acknowledged', 30_000, async () => {
    const s = await status();
    return s.unacknowledged === 0 && s.underReplicated.length === 0;
  });
  const segments = await app.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER);
  const leaves = await waitFor('the ledger leaves', 20_000, async () => {
    const m = await app.storage.copies.leafHashes(segments.map((s) => s.id));
    return m.size === segments.length ? m : null;
  });
  for (const s of segments) {
    const copies = await app.storage.copies.ofSegment(s.id);
    assert.deepEqual(copies.map((c) => [c.zoneId, c.state, c.sha256]), [['local', 'stored', leaves.get(s.id)], ['mirror', 'stored', leaves.get(s.id)]], s.id);
  }
  assert.equal((await alarms()).length, 1);
});
