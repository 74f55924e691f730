import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, engines, type TestDatabase } from '../../test/helpers/databases.ts';
import { createCameraStore } from './cameras.store.ts';
import { CamerasService } from './cameras.service.ts';
import { isAppError } from '../lib/errors.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { createTestLedger, testActor } from '../../test/helpers/audit.ts';
import { teardown } from '../../test/helpers/teardown.ts';

for (const engine of engines) {
  describe(`camera store on ${engine}`, () => {
    let database: TestDatabase;
    let service: CamerasService;
    let keys: Awaited<ReturnType<typeof createTestDataKeys>>;
    let ledger: Awaited<ReturnType<typeof createTestLedger>>;
    let now = 1_700_000_000_000;
    before(async () => {
      database = await createTestDatabase(engine);
      keys = await createTestDataKeys(database.db);
      ledger = await createTestLedger(database.db, keys.dataKeys);
      service = new CamerasService(createCameraStore(database.db, keys.dataKeys), { now: () => now }, ledger.ledger);
    });
    const defer = teardown({ after });
    defer(() => database.close());
    defer(() => keys.close());
    defer(() => ledger.close());

    test('credentials are sealed in the database row and opened when read', async () => {
      const camera = await service.add({ name: 'Sealed', url: 'rtsp://127.0.0.1:8554/sealed', username: 'op', password: 'Tr0ub4dor&3' }, testActor);
      const row = await database.db.selectFrom('cameras').selectAll().where('id', '=', camera.id).executeTakeFirstOrThrow();
      assert.match(row.password ?? '', /^v1:/);
      assert.doesNotMatch(JSON.stringify(row), /Tr0ub4dor|"op"/);
      // The change is in the ledger, saying credentials exist without holding them.
      const [event] = await ledger.store.eventsByTarget('camera.created', [camera.id]);
      assert.ok(event, 'camera.created is recorded');
      assert.match(event.record, /"hasCredentials":true/);
      assert.doesNotMatch(event.record, /Tr0ub4dor/);
      assert.equal((await service.get(camera.id)).password, 'Tr0ub4dor&3');
      await service.remove(camera.id, testActor);
    });

    test('credentials stored in clear by the foundation are sealed by the legacy pass, readable before and after', async () => {
      await database.db
        .insertInto('cameras')
        .values({ id: '00000000-0000-4000-8000-0000000000c1', name: 'Legacy', url: 'rtsp://127.0.0.1:8554/legacy', username: 'old', password: 'plain-pw', enabled: 1, retention_hours: 72, min_retention_hours: 0, ingest: 'auto', site_id: 'default', record_audio: 0, record_sub_stream: 0, created_ms: now, updated_ms: now })
        .execute();
      const store = createCameraStore(database.db, keys.dataKeys);
      assert.equal((await store.get('00000000-0000-4000-8000-0000000000c1'))?.password, 'plain-pw');
      assert.equal(await store.sealLegacyCredentials(), 1);
      const row = await database.db.selectFrom('cameras').select('password').where('id', '=', '00000000-0000-4000-8000-0000000000c1').executeTakeFirstOrThrow();
      assert.match(row.password ?? '', /^v1:/);
      assert.equal((await store.get('00000000-0000-4000-8000-0000000000c1'))?.password, 'plain-pw');
      assert.equal(await store.remove('00000000-0000-4000-8000-0000000000c1'), true);
    });

    test('a camera added with credentials in its URL is stored without them in the URL', async () => {
      const camera = await service.add({ name: 'Gate', url: 'rtsp://admin:s%40cret@127.0.0.1:8554/cam1' }, testActor);
      assert.equal(camera.url, 'rtsp://127.0.0.1:8554/cam1');
      assert.equal(camera.username, 'admin');
      assert.equal(camera.password, 's@cret');
      assert.equal(camera.retentionHours, 72);
      assert.equal(camera.enabled, true);
      assert.equal(camera.recordAudio, false, 'audio is off by default');
      const again = await service.get(camera.id);
      assert.deepEqual(again, camera);
    });

    test('audio is off unless turned on; a sub-stream URL is stored without userinfo, follows the camera on its host and is dropped when the camera moves', async () => {
      const camera = await service.add({ name: 'Porch', url: 'rtsp://u:p@127.0.0.1:8554/main', subStreamUrl: 'rtsp://u:p@127.0.0.1:8554/sub', recordAudio: true }, testActor);
      assert.equal(camera.subStreamUrl, 'rtsp://127.0.0.1:8554/sub');
      assert.equal(camera.recordAudio, true);
      assert.deepEqual(await service.get(camera.id), camera);
      const samehost = await service.update(camera.id, { url: 'rtsp://127.0.0.1:8554/main2' }, testActor);
      assert.equal(samehost.subStreamUrl, 'rtsp://127.0.0.1:8554/sub');
      const moved = await service.update(camera.id, { url: 'rtsp://127.0.0.2:8554/main' }, testActor);
      assert.equal(moved.subStreamUrl, null);
      assert.equal((await service.get(camera.id)).subStreamUrl, null);
      await service.remove(camera.id, testActor);
    });

    test('duplicate names and URLs are refused with their own codes', async () => {
      await assert.rejects(service.add({ name: 'Gate', url: 'rtsp://127.0.0.1:8554/other' }, testActor), (e) => isAppError(e, 'CAMERA_NAME_TAKEN'));
      await assert.rejects(service.add({ name: 'Other', url: 'rtsp://127.0.0.1:8554/cam1' }, testActor), (e) => isAppError(e, 'CAMERA_URL_TAKEN'));
    });

    test('bad URLs and unknown schemes are refused without echoing credentials', async () => {
      await assert.rejects(service.add({ name: 'X', url: 'http://u:pw@host/x' }, testActor), (e) => isAppError(e, 'CAMERA_URL_INVALID') && !e.message.includes('pw'));
      await assert.rejects(service.add({ name: 'X', url: 'not a url' }, testActor), (e) => isAppError(e, 'CAMERA_URL_INVALID'));
      await assert.rejects(service.add({ name: 'X', url: 'rtsp://u:p@h/x', username: 'v' }, testActor), (e) => isAppError(e, 'CAMERA_URL_INVALID'));
    });

    test('an update keeps omitted fields and clears credentials given as null', async () => {
      const [gate] = await service.list();
      assert.ok(gate);
      now += 1000;
      const renamed = await service.update(gate.id, { name: 'Main gate', enabled: false }, testActor);
      assert.equal(renamed.password, 's@cret');
      assert.equal(renamed.enabled, false);
      assert.equal(renamed.updatedMs, now);
      const cleared = await service.update(gate.id, { username: null, password: null, url: 'rtsps://127.0.0.1:8555/cam1' }, testActor);
      assert.equal(cleared.username, null);
      assert.equal(cleared.url, 'rtsps://127.0.0.1:8555/cam1');
    });

    test('removing a camera twice reports not found the second time', async () => {
      const camera = await service.add({ name: 'Dock', url: 'rtsp://127.0.0.1:8554/cam2', retentionHours: 24 }, testActor);
      const seen: Array<string | undefined> = [];
      service.onChange((_id, c) => seen.push(c?.name));
      await service.remove(camera.id, testActor);
      assert.deepEqual(seen, [undefined]);
      await assert.rejects(service.remove(camera.id, testActor), (e) => isAppError(e, 'NOT_FOUND'));
    });
  });
}
