/**
 * PTZ through the real server (inject), real SQLite and ledger, against camsim's ONVIF device
 * with its PTZ service (a fake camera that keeps a position: the only kind that runs here). The
 * camera is identified first; moves, stop and presets go through ONVIF with the camera's stored
 * credentials; the ledger holds one record per session and per preset action, not per move.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { App } from '../../src/app.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { defaultOnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import type { OnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import { startOnvifDevice } from '../../tools/camsim/onvif-device.ts';
import type { OnvifDevice } from '../../tools/camsim/onvif-device.ts';
import { testPrincipal, type TestPrincipal } from '../helpers/access.ts';
import { startDeferredTestApp, waitFor } from '../helpers/harness.ts';
import { codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

const onvifUser = 'ptz-admin';
const onvifPassword = 'ptz-pass-42';

interface Rec { actor: { id: string }; outcome: string; camera_id?: string; details?: Record<string, unknown> }

describe('PTZ through ONVIF', { concurrency: false }, () => {
  const defer = teardown({ after });
  let app: App;
  let admin: TestPrincipal;
  let operator: TestPrincipal;
  let n = 0;

  async function ledger(type: string): Promise<Rec[]> {
    await app.ledger.drain();
    const auditor = await testPrincipal(app, { roles: ['auditor'] });
    const res = await auditor.inject({ method: 'GET', url: `/api/v1/audit/events?type=${type}&limit=1000` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ events: { record: Rec }[] }>().events.map((e) => e.record);
  }

  /** A camera whose ONVIF device (with or without PTZ) shares its host and credentials, identified. */
  async function camera(opts: { ptz: boolean; identity?: Partial<OnvifIdentity>; identify?: boolean }): Promise<{ id: string; device: OnvifDevice }> {
    n++;
    const device = await startOnvifDevice({
      identity: { ...defaultOnvifIdentity, manufacturer: 'Acme Optics', model: 'AO-PTZ', mac: `02:00:5e:00:00:${n.toString(16).padStart(2, '0')}`, ...opts.identity },
      rtspUrl: `rtsp://127.0.0.1:1/ptz-${n}`, username: onvifUser, password: onvifPassword, clock: systemClock, ptz: opts.ptz,
    });
    defer(() => device.close());
    const added = await admin.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: `ptz-${n}`, url: `rtsp://127.0.0.1:1/ptz-${n}`, username: onvifUser, password: onvifPassword, enabled: false } });
    assert.equal(added.statusCode, 201, added.body);
    const id = added.json<{ id: string }>().id;
    if (opts.identify !== false) {
      const res = await admin.inject({ method: 'POST', url: `/api/v1/cameras/${id}/identify`, payload: { xaddr: device.xaddr } });
      assert.equal(res.statusCode, 200, res.body);
    }
    return { id, device };
  }

  before(async () => {
    ({ app } = await startDeferredTestApp(defer, 'ptz', { ptz: { sessionIdleSeconds: 1 } }));
    admin = await testPrincipal(app, { roles: ['admin'] });
    operator = await testPrincipal(app, { roles: ['operator'] });
  });

  test('moves, stops and presets reach the camera; the ledger holds sessions and presets, not every move', async () => {
    const { id, device } = await camera({ ptz: true });
    const ptz = device.ptz;
    assert.ok(ptz !== undefined);
    const url = (p: string) => `/api/v1/cameras/${id}/ptz/${p}`;

    const first = await operator.inject({ method: 'POST', url: url('move'), payload: { pan: 0.5, timeoutMs: 5000 } });
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { session: 'started' });
    const again = await operator.inject({ method: 'POST', url: url('move'), payload: { pan: 0.5, tilt: 0.25, timeoutMs: 5000 } });
    assert.deepEqual(again.json(), { session: 'continued' });
    await waitFor('the camera pans', 5_000, () => ptz.position().pan > 0.05);
    const moving = (await operator.inject({ method: 'GET', url: url('status') })).json<{ moveStatus: string; position: { pan: number } }>();
    assert.equal(moving.moveStatus, 'MOVING');
    assert.ok(moving.position.pan > 0);
    assert.deepEqual((await operator.inject({ method: 'POST', url: url('stop') })).json(), { stopped: true });
    const stoppedAt = ptz.position();
    assert.equal(ptz.moving(), false);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(ptz.position(), stoppedAt, 'a stopped camera stays put');
    assert.equal((await operator.inject({ method: 'GET', url: url('status') })).json<{ moveStatus: string }>().moveStatus, 'IDLE');

    // A preset stores the position; moving away and going to it brings the camera back.
    const set = await operator.inject({ method: 'POST', url: url('presets'), payload: { name: 'Door' } });
    assert.equal(set.statusCode, 200, set.body);
    const token = set.json<{ token: string }>().token;
    assert.deepEqual((await operator.inject({ method: 'GET', url: url('presets') })).json(), [{ token, name: 'Door' }]);
    assert.equal((await operator.inject({ method: 'POST', url: url('move'), payload: { pan: -1, zoom: 1, timeoutMs: 300 } })).statusCode, 200);
    await waitFor('the move times out by itself', 5_000, () => !ptz.moving());
    assert.notDeepEqual(ptz.position(), stoppedAt);
    const went = await operator.inject({ method: 'POST', url: url(`presets/${encodeURIComponent(token)}/goto`) });
    assert.equal(went.statusCode, 200, went.body);
    assert.deepEqual(ptz.position(), stoppedAt);
    assert.equal(codeOf(await operator.inject({ method: 'POST', url: url('presets/nope/goto') })), 'ONVIF_FAULT');
    // Values are checked before anything is sent.
    assert.equal(codeOf(await operator.inject({ method: 'POST', url: url('move'), payload: { pan: 2 } })), 'VALIDATION_FAILED');
    assert.equal(codeOf(await operator.inject({ method: 'POST', url: url('presets'), payload: { name: 'a\u0007b' } })), 'VALIDATION_FAILED');

    // The second session (the move to -1) ends by idleness (1 s here) without a Stop.
    const ended = await waitFor('the idle session ends', 10_000, async () => {
      const e = (await ledger('camera.ptz.session.ended')).filter((r) => r.camera_id === id);
      return e.length >= 2 ? e : undefined;
    });
    const started = (await ledger('camera.ptz.session.started')).filter((r) => r.camera_id === id);
    assert.equal(started.length, 2, 'one record per session, not per move (three moves were sent)');
    assert.equal(new Set(started.map((r) => r.actor.id)).size, 1, 'both by the operator');
    assert.deepEqual(ended.map((r) => [r.details?.reason, r.details?.moves]), [['stop', 2], ['idle', 1]]);
    assert.deepEqual((await ledger('camera.ptz.preset.set')).filter((r) => r.camera_id === id).map((r) => [r.outcome, r.details?.name, r.details?.token]), [['success', 'Door', token]]);
    assert.deepEqual((await ledger('camera.ptz.preset.goto')).filter((r) => r.camera_id === id).map((r) => r.details?.token), [token, 'nope']);
    assert.deepEqual(ptz.calls.filter((c) => c === 'ContinuousMove').length, 3);
  });

  test('camera.ptz is needed, and a camera that is not identified, has no PTZ service or is quarantined cannot be moved', async () => {
    const { id } = await camera({ ptz: true });
    const viewer = await testPrincipal(app, { roles: ['viewer'] });
    assert.equal(codeOf(await viewer.inject({ method: 'POST', url: `/api/v1/cameras/${id}/ptz/move`, payload: { pan: 0.1 } })), 'FORBIDDEN');
    assert.equal(codeOf(await viewer.inject({ method: 'GET', url: `/api/v1/cameras/${id}/ptz/presets` })), 'FORBIDDEN');

    const unidentified = await camera({ ptz: true, identify: false });
    const r1 = await operator.inject({ method: 'POST', url: `/api/v1/cameras/${unidentified.id}/ptz/move`, payload: { pan: 0.1 } });
    assert.equal(r1.statusCode, 409);
    assert.equal(codeOf(r1), 'PTZ_UNAVAILABLE');
    const fixed = await camera({ ptz: false });
    const r2 = await operator.inject({ method: 'POST', url: `/api/v1/cameras/${fixed.id}/ptz/move`, payload: { pan: 0.1 } });
    assert.equal(codeOf(r2), 'PTZ_UNAVAILABLE');
    assert.match(r2.json<{ detail: string }>().detail, /no PTZ service/);
    const relabel = await camera({ ptz: true, identity: { mac: 'bc:ad:28:01:02:03' } });
    const r3 = await operator.inject({ method: 'POST', url: `/api/v1/cameras/${relabel.id}/ptz/move`, payload: { pan: 0.1 } });
    assert.equal(codeOf(r3), 'PTZ_UNAVAILABLE');
    assert.match(r3.json<{ detail: string }>().detail, /quarantined/);
    assert.equal(relabel.device.ptz?.calls.length, 0, 'nothing reached the quarantined camera');
  });
});
