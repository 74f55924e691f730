import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { createLogger } from '../lib/logger.ts';
import type { Camera } from '../cameras/camera.ts';
import { createSegmentIndex } from './segment-index.store.ts';
import { recordDowntimeGaps, serverDownReason } from './downtime-gaps.ts';

test('downtime becomes a closed gap per enabled camera, except after an earlier interruption, a clock that went back, or no footage', async (t) => {
  const database = await createTestDatabase('sqlite');
  teardown(t)(() => database.close());
  const index = createSegmentIndex(database.db);
  const now = 1_795_000_000_000;
  const camera = (id: string, enabled = true): Camera => ({ id, name: id, url: `rtsp://h/${id}`, username: null, password: null, tlsCaPem: null, enabled, retentionHours: 24, minRetentionHours: 0, ingest: 'auto', siteId: 'default', createdMs: 0, updatedMs: 0 });
  const segment = (cameraId: string, endMs: number) =>
    index.insert({ id: `${cameraId}-${endMs}`, cameraId, objectKey: `${cameraId}/${endMs}.mp4`, startMs: endMs - 2000, endMs, bytes: 1, initSize: 1, codec: 'avc1', timescale: 90000, fragments: [], state: 'closed' });
  await segment('down', now - 60_000);
  await segment('down', now - 30_000);
  await segment('offline', now - 30_000);
  await index.insertGap({ id: 'g', cameraId: 'offline', startMs: now - 30_000, endMs: null, reason: 'camera sent no frame for 15 s' });
  await segment('ahead', now + 60_000);
  await segment('disabled', now - 30_000);
  const cameras = [camera('down'), camera('offline'), camera('ahead'), camera('disabled', false), camera('never')];
  const recorded = await recordDowntimeGaps({ cameras: { list: async () => cameras }, index, nowMs: now, log: createLogger({ level: 'silent' }) });
  assert.equal(recorded, 1);
  assert.deepEqual(
    (await index.gapsOverlapping('down', 0, Number.MAX_SAFE_INTEGER)).map((g) => [g.startMs, g.endMs, g.reason]),
    [[now - 30_000, now, serverDownReason]],
  );
  assert.deepEqual((await index.gapsOverlapping('offline', 0, Number.MAX_SAFE_INTEGER)).map((g) => g.reason), ['camera sent no frame for 15 s']);
  for (const id of ['ahead', 'disabled', 'never']) assert.deepEqual(await index.gapsOverlapping(id, 0, Number.MAX_SAFE_INTEGER), [], id);
});
