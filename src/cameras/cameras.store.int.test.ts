import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, engines, type TestDatabase } from '../../test/helpers/databases.ts';
import { createCameraStore } from './cameras.store.ts';
import { CamerasService } from './cameras.service.ts';
import { isAppError } from '../lib/errors.ts';

for (const engine of engines) {
  describe(`camera store on ${engine}`, () => {
    let database: TestDatabase;
    let service: CamerasService;
    let now = 1_700_000_000_000;
    before(async () => {
      database = await createTestDatabase(engine);
      service = new CamerasService(createCameraStore(database.db), { now: () => now });
    });
    after(async () => database.close());

    test('a camera added with credentials in its URL is stored without them in the URL', async () => {
      const camera = await service.add({ name: 'Gate', url: 'rtsp://admin:s%40cret@127.0.0.1:8554/cam1' });
      assert.equal(camera.url, 'rtsp://127.0.0.1:8554/cam1');
      assert.equal(camera.username, 'admin');
      assert.equal(camera.password, 's@cret');
      assert.equal(camera.retentionHours, 72);
      assert.equal(camera.enabled, true);
      const again = await service.get(camera.id);
      assert.deepEqual(again, camera);
    });

    test('duplicate names and URLs are refused with their own codes', async () => {
      await assert.rejects(service.add({ name: 'Gate', url: 'rtsp://127.0.0.1:8554/other' }), (e) => isAppError(e, 'CAMERA_NAME_TAKEN'));
      await assert.rejects(service.add({ name: 'Other', url: 'rtsp://127.0.0.1:8554/cam1' }), (e) => isAppError(e, 'CAMERA_URL_TAKEN'));
    });

    test('bad URLs and unknown schemes are refused without echoing credentials', async () => {
      await assert.rejects(service.add({ name: 'X', url: 'http://u:pw@host/x' }), (e) => isAppError(e, 'CAMERA_URL_INVALID') && !e.message.includes('pw'));
      await assert.rejects(service.add({ name: 'X', url: 'not a url' }), (e) => isAppError(e, 'CAMERA_URL_INVALID'));
      await assert.rejects(service.add({ name: 'X', url: 'rtsp://u:p@h/x', username: 'v' }), (e) => isAppError(e, 'CAMERA_URL_INVALID'));
    });

    test('an update keeps omitted fields and clears credentials given as null', async () => {
      const [gate] = await service.list();
      assert.ok(gate);
      now += 1000;
      const renamed = await service.update(gate.id, { name: 'Main gate', enabled: false });
      assert.equal(renamed.password, 's@cret');
      assert.equal(renamed.enabled, false);
      assert.equal(renamed.updatedMs, now);
      const cleared = await service.update(gate.id, { username: null, password: null, url: 'rtsps://127.0.0.1:8555/cam1' });
      assert.equal(cleared.username, null);
      assert.equal(cleared.url, 'rtsps://127.0.0.1:8555/cam1');
    });

    test('removing a camera twice reports not found the second time', async () => {
      const camera = await service.add({ name: 'Dock', url: 'rtsp://127.0.0.1:8554/cam2', retentionHours: 24 });
      const seen: Array<string | undefined> = [];
      service.onChange((_id, c) => seen.push(c?.name));
      await service.remove(camera.id);
      assert.deepEqual(seen, [undefined]);
      await assert.rejects(service.remove(camera.id), (e) => isAppError(e, 'NOT_FOUND'));
    });
  });
}
