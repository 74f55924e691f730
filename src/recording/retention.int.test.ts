import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { makeFmp4Fixture } from '../../test/helpers/ffmpeg-fixtures.ts';
import { Fmp4Reader } from '../media/fmp4/fmp4-reader.ts';
import { FileSegmentStore } from '../../test/helpers/file-segment-store.ts';
import { createSegmentIndex } from './segment-index.store.ts';
import { applyRetention } from './retention.ts';
import { createLogger } from '../lib/logger.ts';
import type { Camera } from '../cameras/camera.ts';
import { isAppError } from '../lib/errors.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { ClockWatch } from '../lib/clock-watch.ts';

test('retention shreds the data keys of expired footage, deletes its index rows and files, and keeps the rest', async (t) => {
  const database = await createTestDatabase('sqlite');
  const dir = await tempDir('retention');
  const defer = teardown(t);
  defer(() => dir.remove());
  defer(() => database.close());
  const store = new FileSegmentStore(join(dir.path, 'segments'));
  const index = createSegmentIndex(database.db);
  const [init, ...fragments] = new Fmp4Reader().push(await makeFmp4Fixture({ seconds: 2 }));
  const hour = 3_600_000;
  const now = 1_795_000_000_000;
  const camera: Camera = { id: 'cam-1', name: 'C', url: 'rtsp://h/x', username: null, password: null, tlsCaPem: null, enabled: true, retentionHours: 24, minRetentionHours: 0, ingest: 'auto', siteId: 'default', createdMs: 0, updatedMs: 0 };
  const ages = { old: 30 * hour, fresh: 2 * hour, orphanOld: 100 * hour, orphanFresh: 50 * hour };
  for (const [name, age] of Object.entries(ages)) {
    const cameraId = name.startsWith('orphan') ? 'gone' : camera.id;
    const key = `${cameraId}/${name}.mp4`;
    const writer = await store.create(key, init!.bytes, { cameraId: 'cam', startMs: 0 });
    for (const f of fragments) await writer.append(f.bytes);
    await writer.close();
    await index.insert({ id: name, cameraId, objectKey: key, startMs: now - age, endMs: now - age + 2000, bytes: writer.size, initSize: init!.bytes.length, codec: 'avc1', timescale: 12800, fragments: [], state: 'closed' });
  }
  const keys = await createTestDataKeys(database.db, { now: () => now });
  defer(() => keys.close());
  const keyIds: Record<string, string> = {};
  for (const [name, age] of Object.entries(ages)) {
    keyIds[name] = (await keys.dataKeys.keyFor(name.startsWith('orphan') ? 'gone' : camera.id, now - age)).id;
  }
  const report = await applyRetention({
    cameras: { list: async () => [camera] },
    index,
    store,
    clock: { now: () => now },
    log: createLogger({ level: 'silent' }),
    shred: (id, before) => keys.dataKeys.destroyBefore(id, before),
  });
  assert.deepEqual(report, { deletedSegments: 2, shreddedKeys: 2 });
  keys.dataKeys.clearCache();
  for (const name of ['old', 'orphanOld']) {
    await assert.rejects(keys.dataKeys.keyById(keyIds[name]!), (e) => isAppError(e, 'KEY_UNAVAILABLE'), `${name}'s key is shredded`);
  }
  for (const name of ['fresh', 'orphanFresh']) assert.equal((await keys.dataKeys.keyById(keyIds[name]!)).length, 32, `${name}'s key is kept`);
  const left = [...(await index.objectKeys())].sort();
  assert.deepEqual(left, ['cam-1/fresh.mp4', 'gone/orphanFresh.mp4'], 'a removed camera keeps the default 72 h');
  await assert.rejects(access(join(dir.path, 'segments', 'cam-1/old.mp4')));
  await access(join(dir.path, 'segments', 'cam-1/fresh.mp4'));
});

test('retention deletes and shreds nothing while the wall clock is not steady, and catches up once it is', async (t) => {
  const database = await createTestDatabase('sqlite');
  const dir = await tempDir('retention-clock');
  const defer = teardown(t);
  defer(() => dir.remove());
  defer(() => database.close());
  const store = new FileSegmentStore(join(dir.path, 'segments'));
  const index = createSegmentIndex(database.db);
  const [init] = new Fmp4Reader().push(await makeFmp4Fixture({ seconds: 1 }));
  const hour = 3_600_000;
  const real = 1_795_000_000_000;
  const camera: Camera = { id: 'cam-1', name: 'C', url: 'rtsp://h/x', username: null, password: null, tlsCaPem: null, enabled: true, retentionHours: 1, minRetentionHours: 0, ingest: 'auto', siteId: 'default', createdMs: 0, updatedMs: 0 };
  const writer = await store.create('cam-1/recent.mp4', init!.bytes, { cameraId: 'cam', startMs: 0 });
  await writer.close();
  await index.insert({ id: 'recent', cameraId: camera.id, objectKey: 'cam-1/recent.mp4', startMs: real - 60_000, endMs: real - 30_000, bytes: writer.size, initSize: init!.bytes.length, codec: 'avc1', timescale: 12800, fragments: [], state: 'closed' });
  const keys = await createTestDataKeys(database.db, { now: () => real });
  defer(() => keys.close());
  const keyId = (await keys.dataKeys.keyFor(camera.id, real - 60_000)).id;
  // The wall clock was stepped 2 h ahead: by it, everything is past the 1 h retention.
  let mono = 0;
  const wall = { now: () => real + 2 * hour + mono };
  const watch = new ClockWatch({ wall, monotonic: { now: () => mono }, toleranceMs: 2000, confirmMs: 600_000 });
  const pass = () =>
    applyRetention({ cameras: { list: async () => [camera] }, index, store, clock: wall, log: createLogger({ level: 'silent' }), clockTrust: () => watch.steady(), shred: (id, before) => keys.dataKeys.destroyBefore(id, before) });
  const held = await pass();
  assert.deepEqual(held, { deletedSegments: 0, shreddedKeys: 0, heldMs: 600_000 });
  keys.dataKeys.clearCache();
  assert.equal((await keys.dataKeys.keyById(keyId)).length, 32, 'the key is kept');
  assert.deepEqual([...(await index.objectKeys())], ['cam-1/recent.mp4']);
  mono += 600_000;
  assert.deepEqual(await pass(), { deletedSegments: 1, shreddedKeys: 1 }, 'a clock steady for the delay is trusted');
});
