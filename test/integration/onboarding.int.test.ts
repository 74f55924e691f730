/**
 * Camera onboarding through the real server (inject), real SQLite, real recorder and native
 * ingest against camsim's RTSP cameras, and camsim's ONVIF device service (a fake camera: the
 * only kind that runs here) with three identities: a clean vendor (records), an "Acme" camera
 * with a Hikvision OUI (likely relabel, quarantined, alarmed) and a camera whose MAC cannot be
 * read (unvetted, quarantined until a second person accepts the risk; the acceptance expires).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { App } from '../../src/app.ts';
import { systemClock } from '../../src/lib/clock.ts';
import type { Camsim } from '../../tools/camsim/camsim.ts';
import { defaultOnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import type { OnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import { startOnvifDevice } from '../../tools/camsim/onvif-device.ts';
import { startDiscoveryResponder } from '../../tools/camsim/ws-discovery-responder.ts';
import { testPrincipal, type TestPrincipal } from '../helpers/access.ts';
import { startDeferredTestApp, startTestCamsim, waitFor } from '../helpers/harness.ts';
import { codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

const onvifUser = 'onvif-admin';
const onvifPassword = 'onvif-pass-42';

describe('camera onboarding', { concurrency: true }, () => {
  const defer = teardown({ after });
  let app: App;
  let sim: Camsim;
  let first: TestPrincipal;
  let second: TestPrincipal;
  let nextCam = 0;

  async function ledger(type: string): Promise<{ actor: { id: string }; outcome: string; camera_id?: string; reason?: string; details?: Record<string, unknown> }[]> {
    await app.ledger.drain();
    const auditor = await testPrincipal(app, { roles: ['auditor'] });
    const res = await auditor.inject({ method: 'GET', url: `/api/v1/audit/events?type=${type}&limit=1000` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ events: { record: { actor: { id: string }; outcome: string; camera_id?: string; reason?: string; details?: Record<string, unknown> } }[] }>().events.map((e) => e.record);
  }

  /** A camera recording camsim's next stream, and an ONVIF device with `identity` pointing at it. */
  async function onboardCamera(name: string, identity: Partial<OnvifIdentity>, clockSkewMs = 0): Promise<{ id: string; xaddr: string }> {
    const url = sim.urls[nextCam++];
    assert.ok(url !== undefined);
    const device = await startOnvifDevice({ identity: { ...defaultOnvifIdentity, ...identity }, rtspUrl: url, username: onvifUser, password: onvifPassword, clock: systemClock, clockSkewMs });
    defer(() => device.close());
    const res = await first.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name, url } });
    assert.equal(res.statusCode, 201, res.body);
    return { id: res.json<{ id: string }>().id, xaddr: device.xaddr };
  }

  async function identify(cam: { id: string; xaddr: string }): Promise<Record<string, unknown>> {
    const res = await first.inject({ method: 'POST', url: `/api/v1/cameras/${cam.id}/identify`, payload: { xaddr: cam.xaddr, username: onvifUser, password: onvifPassword } });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes(onvifPassword));
    return res.json();
  }

  const stateOf = async (id: string): Promise<string> => (await first.inject({ method: 'GET', url: `/api/v1/cameras/${id}` })).json<{ status: { state: string } }>().status.state;

  before(async () => {
    sim = await startTestCamsim({ cameras: 5 });
    defer(() => sim.close());
    ({ app } = await startDeferredTestApp(defer, 'onboarding'));
    first = await testPrincipal(app, { roles: ['admin'] });
    second = await testPrincipal(app, { roles: ['admin'] });
  });

  test('a clean vendor is identified with its evidence, vetted clear, listed in the inventory and recorded', async () => {
    const cam = await onboardCamera('clean', { manufacturer: 'Acme Optics', model: 'AO-200', firmwareVersion: '2.4.1', serialNumber: 'AO-0001', mac: '02:00:5e:aa:bb:01' });
    const entry = await identify(cam);
    assert.equal(entry.vetting, 'clear');
    assert.equal(entry.quarantined, false);
    assert.deepEqual([entry.vendor, entry.model, entry.firmware, entry.serial, entry.mac], ['Acme Optics', 'AO-200', '2.4.1', 'AO-0001', '02:00:5e:aa:bb:01']);
    await waitFor('the clean camera records', 20_000, async () => (await stateOf(cam.id)) === 'recording');
    const patched = await first.inject({ method: 'PATCH', url: `/api/v1/inventory/${cam.id}`, payload: { location: 'Gate 3', owner: 'Facilities', installDate: '2026-11-30', endOfSupport: '2031-12-31' } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(codeOf(await first.inject({ method: 'PATCH', url: `/api/v1/inventory/${cam.id}`, payload: { installDate: '2026-13-01' } })), 'VALIDATION_FAILED');
    const listed = (await first.inject({ method: 'GET', url: '/api/v1/inventory' })).json<{ cameraId: string; location: string }[]>();
    assert.equal(listed.find((e) => e.cameraId === cam.id)?.location, 'Gate 3');
    const identified = (await ledger('camera.identified')).find((e) => e.camera_id === cam.id);
    assert.equal(identified?.details?.vetting, 'clear');
    assert.equal(identified?.details?.oui, '02:00:5e');
    assert.deepEqual((await ledger('camera.asset.updated')).find((e) => e.camera_id === cam.id)?.details?.changed, ['location', 'owner', 'installDate', 'endOfSupport']);
  });

  test('an "Acme" camera with a Hikvision OUI is flagged as a likely relabel, quarantined (not recorded) and alarmed', async () => {
    const cam = await onboardCamera('relabel', { manufacturer: 'Acme Optics', model: 'AO-300', mac: '44:19:b6:01:02:03' });
    const entry = await identify(cam);
    assert.equal(entry.vetting, 'flagged');
    assert.equal(entry.likelyRelabel, true);
    assert.equal(entry.quarantined, true);
    assert.deepEqual((entry.matches as { by: string; entryId: string }[]).map((m) => [m.by, m.entryId]), [['oui', 'hikvision']]);
    await waitFor('the relabelled camera shows quarantined', 10_000, async () => (await stateOf(cam.id)) === 'quarantined');
    const q = (await ledger('camera.quarantined')).find((e) => e.camera_id === cam.id);
    assert.match(q?.reason ?? '', /likely relabel: oui 44:19:b6 is hikvision/);
    await waitFor('the camera-quarantined alarm', 10_000, async () => (await ledger('alarm.raised')).some((e) => e.details?.rule === 'camera-quarantined' && e.camera_id === cam.id));
  });

  test('an unvetted camera stays quarantined until a second person accepts the risk, and again when the acceptance expires', async () => {
    const cam = await onboardCamera('unvetted', { manufacturer: 'Nameless', mac: 'not-a-mac' });
    const entry = await identify(cam);
    assert.equal(entry.vetting, 'unvetted');
    assert.equal(entry.quarantined, true);
    await waitFor('quarantined', 10_000, async () => (await stateOf(cam.id)) === 'quarantined');

    const until = new Date(Date.now() + 8_000).toISOString();
    const asked = await first.inject({ method: 'POST', url: `/api/v1/cameras/${cam.id}/risk-acceptance`, payload: { reason: 'legacy camera in the loading bay, replacement ordered', until } });
    assert.equal(codeOf(asked), 'APPROVAL_REQUIRED', asked.body);
    const approvalId = asked.json<{ approvalId: string }>().approvalId;
    assert.equal(codeOf(await first.inject({ method: 'POST', url: `/api/v1/approvals/${approvalId}/decision`, payload: { approve: true } })), 'SELF_APPROVAL');
    assert.equal((await first.inject({ method: 'GET', url: '/api/v1/inventory' })).json<{ cameraId: string; quarantined: boolean }[]>().find((e) => e.cameraId === cam.id)?.quarantined, true);

    const decided = await second.inject({ method: 'POST', url: `/api/v1/approvals/${approvalId}/decision`, payload: { approve: true } });
    assert.equal(decided.statusCode, 200, decided.body);
    const accepted = (await first.inject({ method: 'GET', url: '/api/v1/inventory' })).json<{ cameraId: string; quarantined: boolean; acceptedUntil: string | null }[]>().find((e) => e.cameraId === cam.id);
    assert.equal(accepted?.quarantined, false);
    assert.equal(accepted?.acceptedUntil, until);
    const record = (await ledger('camera.risk.accepted')).find((e) => e.camera_id === cam.id);
    assert.equal(record?.details?.requestedBy, `user:${first.user.id}`);
    assert.equal(record?.details?.approvedBy, `user:${second.user.id}`);
    await waitFor('the accepted camera records', 20_000, async () => (await stateOf(cam.id)) === 'recording');

    // Past `until` the next reconcile (every 3 s) quarantines it again, once, with the alarm.
    await waitFor('quarantined again after expiry', 20_000, async () => (await stateOf(cam.id)) === 'quarantined');
    const expiries = (await ledger('camera.quarantined')).filter((e) => e.camera_id === cam.id && e.reason === 'risk acceptance expired');
    assert.equal(expiries.length, 1);
  });

  test('a camera calling itself Hikvision is flagged; its clock a minute ahead is alarmed; a risk acceptance without a reason, in the past or past a year is refused', async () => {
    const cam = await onboardCamera('refusals', { manufacturer: 'Hikvision', mac: '02:00:5e:aa:bb:09' }, 60_000);
    const entry = await identify(cam);
    assert.deepEqual([entry.vetting, entry.likelyRelabel, entry.quarantined], ['flagged', false, true]);
    const ask = (payload: object) => first.inject({ method: 'POST', url: `/api/v1/cameras/${cam.id}/risk-acceptance`, payload });
    assert.equal(codeOf(await ask({ reason: ' ', until: new Date(Date.now() + 60_000).toISOString() })), 'VALIDATION_FAILED');
    assert.equal(codeOf(await ask({ reason: 'x', until: new Date(Date.now() + 400 * 86_400_000).toISOString() })), 'VALIDATION_FAILED');
    assert.equal(codeOf(await ask({ reason: 'x', until: new Date(Date.now() - 1).toISOString() })), 'VALIDATION_FAILED');
    assert.ok(Math.abs((entry.clockOffsetMs as number) - 60_000) < 2_000);
    await waitFor('the camera-clock-offset alarm', 10_000, async () => (await ledger('alarm.raised')).some((e) => e.details?.rule === 'camera-clock-offset' && e.camera_id === cam.id));
  });

  test('discovery through the API finds a camsim responder by unicast and records what answered', async () => {
    const r = await startDiscoveryResponder({ interfaceAddress: '127.0.0.1', port: 0, multicast: false, xaddr: 'http://127.0.0.1:9/onvif/device_service' });
    defer(() => r.close());
    const res = await first.inject({ method: 'POST', url: '/api/v1/onboarding/discover', payload: { unicast: [`127.0.0.1:${r.port}`], timeoutMs: 400 } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json<{ endpoint: string; xaddrs: string[] }[]>().map((d) => [d.endpoint, d.xaddrs]), [[r.endpoint, ['http://127.0.0.1:9/onvif/device_service']]]);
    const viewer = await testPrincipal(app, { roles: ['viewer'] });
    assert.equal(codeOf(await viewer.inject({ method: 'POST', url: '/api/v1/onboarding/discover', payload: {} })), 'FORBIDDEN');
    const recorded = (await ledger('camera.discovered')).find((e) => JSON.stringify(e.details).includes(r.endpoint));
    assert.ok(recorded, 'the discovery is audited with the endpoint that answered');
  });

  test("the camera's stored credentials are not sent to an ONVIF address on another host", async () => {
    const url = sim.urls[nextCam++];
    assert.ok(url !== undefined);
    // The device listens on 127.0.0.2 and knows the camera's password; the camera's URL names 127.0.0.1.
    const device = await startOnvifDevice({ identity: defaultOnvifIdentity, rtspUrl: url, host: '127.0.0.2', username: onvifUser, password: onvifPassword, clock: systemClock });
    defer(() => device.close());
    const added = await first.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'elsewhere', url, username: onvifUser, password: onvifPassword } });
    assert.equal(added.statusCode, 201, added.body);
    const id = added.json<{ id: string }>().id;
    const res = await first.inject({ method: 'POST', url: `/api/v1/cameras/${id}/identify`, payload: { xaddr: device.xaddr } });
    assert.equal(codeOf(res), 'ONVIF_FAULT', res.body);
    assert.match(res.body, /NotAuthorized/);
    const given = await first.inject({ method: 'POST', url: `/api/v1/cameras/${id}/identify`, payload: { xaddr: device.xaddr, username: onvifUser, password: onvifPassword } });
    assert.equal(given.statusCode, 200, given.body);
  });
});
