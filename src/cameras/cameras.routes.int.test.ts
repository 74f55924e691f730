/**
 * The camera API refuses what would leak or corrupt: stored credentials do not follow a camera
 * to another host, conflicts do not name cameras out of the caller's scope, names hold no
 * control characters, and a malformed URL is a 400. Real: the app, SQLite, the audit ledger,
 * site-scoped principals with API tokens.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { App } from '../app.ts';
import { startDeferredTestApp } from '../../test/helpers/harness.ts';
import { testPrincipal, type TestPrincipal } from '../../test/helpers/access.ts';
import { testActor } from '../../test/helpers/audit.ts';
import { codeOf } from '../../test/helpers/login.ts';
import { teardown } from '../../test/helpers/teardown.ts';

describe('the camera API, as a site-scoped administrator', () => {
  let app: App;
  let northAdmin: TestPrincipal;
  let southId = '';
  const defer = teardown({ after });

  before(async () => {
    ({ app } = await startDeferredTestApp(defer, 'camera-api'));
    await app.identity.sites.createSite({ id: 'north', name: 'North', fourEyes: false }, testActor);
    await app.identity.sites.createSite({ id: 'south', name: 'South', fourEyes: false }, testActor);
    southId = (await app.cameras.add({ name: 'South vault', url: 'rtsp://192.0.2.20/secret-feed', siteId: 'south', enabled: false }, testActor)).id;
    northAdmin = await testPrincipal(app, { roles: ['admin'], scope: 'site:north' });
  });

  const add = (body: Record<string, unknown>) => northAdmin.inject({ method: 'POST', url: '/api/v1/cameras', payload: { siteId: 'north', enabled: false, ...body } });
  const patch = (id: string, body: Record<string, unknown>) => northAdmin.inject({ method: 'PATCH', url: `/api/v1/cameras/${id}`, payload: body });

  it('drops the stored credentials when the URL moves to another host, unless they are given again', async () => {
    const created = await add({ name: 'North door', url: 'rtsp://192.0.2.10/stream', username: 'admin', password: 'cam-secret' });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json<{ id: string }>().id;

    const samePlace = await patch(id, { url: 'rtsp://192.0.2.10:8554/other-path' });
    assert.equal(samePlace.json<{ hasCredentials: boolean }>().hasCredentials, true, 'another path or port of the same host keeps them');

    const moved = await patch(id, { url: 'rtsp://attacker.example/stream' });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json<{ hasCredentials: boolean }>().hasCredentials, false);
    const stored = await app.cameras.get(id);
    assert.deepEqual([stored.username, stored.password], [null, null], 'nothing is left to send to the new host');
    const auditor = await testPrincipal(app, { roles: ['auditor'] });
    const page = await auditor.inject({ method: 'GET', url: `/api/v1/audit/events?type=camera.updated&camera=${id}&limit=50` });
    const records = page.json<{ events: { record: { details?: Record<string, unknown> } }[] }>().events.map((e) => e.record);
    assert.ok(records.some((r) => r.details?.credentialsDropped === true), 'the drop is in the audit trail');

    await patch(id, { url: 'rtsp://192.0.2.10/stream', username: 'admin', password: 'cam-secret' });
    const withNew = await patch(id, { url: 'rtsps://camera-2.example/stream', username: 'viewer', password: 'new-secret' });
    assert.equal(withNew.json<{ hasCredentials: boolean }>().hasCredentials, true, 'credentials given with the move are kept');
    assert.equal((await app.cameras.get(id)).password, 'new-secret');
  });

  it('answers a name or URL conflict with a camera out of scope without its id or name', async () => {
    const byName = await add({ name: 'South vault', url: 'rtsp://192.0.2.11/a' });
    assert.equal(byName.statusCode, 409);
    assert.equal(codeOf(byName), 'CAMERA_NAME_TAKEN');
    assert.doesNotMatch(byName.body, new RegExp(southId));
    const byUrl = await add({ name: 'Probe', url: 'rtsp://192.0.2.20/secret-feed' });
    assert.equal(byUrl.statusCode, 409);
    assert.equal(codeOf(byUrl), 'CAMERA_URL_TAKEN');
    assert.doesNotMatch(byUrl.body, new RegExp(`${southId}|South vault`));

    const own = await add({ name: 'North yard', url: 'rtsp://192.0.2.12/a' });
    const ownId = own.json<{ id: string }>().id;
    const clash = await add({ name: 'Another', url: 'rtsp://192.0.2.12/a' });
    assert.equal(clash.statusCode, 409);
    assert.equal(clash.json<{ cameraId?: string }>().cameraId, ownId, 'a camera in scope is still named');
  });

  it('refuses control characters in a camera name', async () => {
    for (const name of ['Gate\u001b[2J', 'Gate\u009b31m', 'Gate\nforged line', 'Gate\u202eevil', 'Gate\u0007']) {
      const res = await add({ name, url: `rtsp://192.0.2.13/${encodeURIComponent(name.length.toString())}` });
      assert.equal(res.statusCode, 400, JSON.stringify(name));
      assert.equal(codeOf(res), 'VALIDATION_FAILED');
    }
    const ok = await add({ name: 'Tor Süd 🚪', url: 'rtsp://192.0.2.13/ok' });
    assert.equal(ok.statusCode, 201, 'printable Unicode is still a name');
    const renamed = await patch(ok.json<{ id: string }>().id, { name: 'x\u0000y' });
    assert.equal(renamed.statusCode, 400);
  });

  it('answers a malformed percent-escape in the URL with 400 CAMERA_URL_INVALID', async () => {
    for (const url of ['rtsp://us%zzer:pw@192.0.2.14/a', 'rtsp://user:p%E0%A4%A@192.0.2.14/a']) {
      const res = await add({ name: 'Escapes', url });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(codeOf(res), 'CAMERA_URL_INVALID');
      assert.doesNotMatch(res.body, /zz|%E0/, 'the URL is not echoed');
    }
  });
});
