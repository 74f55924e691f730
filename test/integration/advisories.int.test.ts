/**
 * Advisories (AST-4) and the security score through the real server (inject), real SQLite, the
 * real recorder against camsim over RTSPS with Digest authentication, and camsim ONVIF devices of
 * several identities (fake cameras: the only kind that runs here). A CSAF advisory whose firmware
 * range matches exactly one camsim identity raises the alarm for that camera only; cameras of
 * another model, a fixed firmware and another vendor are not matched. The same on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { App } from '../../src/app.ts';
import { systemClock } from '../../src/lib/clock.ts';
import type { Camsim } from '../../tools/camsim/camsim.ts';
import { defaultOnvifIdentity, type OnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import { startOnvifDevice } from '../../tools/camsim/onvif-device.ts';
import { testPrincipal, type TestPrincipal } from '../helpers/access.ts';
import { csafAdvisory, osvAdvisory } from '../helpers/advisory-documents.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import { startDeferredTestApp, startTestCamsim, waitFor } from '../helpers/harness.ts';
import { codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

const onvifUser = 'onvif-admin';
const onvifPassword = 'onvif-pass-42';
const rtspUser = 'recorder';
const rtspPassword = 'Strong-Rtsp-Pass-9431';

type Ledgered = { actor: { id: string }; outcome: string; camera_id?: string; reason?: string; details?: Record<string, unknown> };

describe('advisories and the security score', () => {
  const defer = teardown({ after });
  let app: App;
  let sim: Camsim;
  let admin: TestPrincipal;
  let viewer: TestPrincipal;
  const cams: Record<string, { id: string; xaddr: string }> = {};

  async function ledger(type: string): Promise<Ledgered[]> {
    await app.ledger.drain();
    const auditor = await testPrincipal(app, { roles: ['auditor'] });
    const res = await auditor.inject({ method: 'GET', url: `/api/v1/audit/events?type=${type}&limit=1000` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ events: { record: Ledgered }[] }>().events.map((e) => e.record);
  }

  /** Adds a camera with `camera` fields and identifies it over a camsim ONVIF device of `identity`. */
  async function onboard(name: string, camera: Record<string, unknown>, identity: Partial<OnvifIdentity>): Promise<{ id: string; xaddr: string }> {
    const device = await startOnvifDevice({ identity: { ...defaultOnvifIdentity, ...identity }, rtspUrl: String(camera.url), username: onvifUser, password: onvifPassword, clock: systemClock });
    defer(() => device.close());
    const added = await admin.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name, ...camera } });
    assert.equal(added.statusCode, 201, added.body);
    const id = added.json<{ id: string }>().id;
    const identified = await admin.inject({ method: 'POST', url: `/api/v1/cameras/${id}/identify`, payload: { xaddr: device.xaddr, username: onvifUser, password: onvifPassword } });
    assert.equal(identified.statusCode, 200, identified.body);
    return { id, xaddr: device.xaddr };
  }

  before(async () => {
    sim = await startTestCamsim({ cameras: 1, tls: 'self-signed', username: rtspUser, password: rtspPassword });
    defer(() => sim.close());
    ({ app } = await startDeferredTestApp(defer, 'advisories'));
    admin = await testPrincipal(app, { roles: ['admin'] });
    viewer = await testPrincipal(app, { roles: ['viewer'] });
    const mac = (n: number) => `02:00:5e:aa:cc:0${n}`;
    // The one camsim identity the advisory's range covers: records over RTSPS with strong credentials.
    cams.affected = await onboard('affected', { url: sim.urls[0], username: rtspUser, password: rtspPassword, tlsCaPem: sim.certificatePem }, { manufacturer: 'Acme Optics', model: 'AO-200', firmwareVersion: 'V2.4.1 build 260101', serialNumber: 'AO-1', mac: mac(1) });
    // Not covered: the fixed firmware (and a vendor-default password), another model, another vendor.
    cams.fixed = await onboard('fixed', { url: 'rtsp://127.0.0.1:9/fixed', username: 'admin', password: '12345' }, { manufacturer: 'Acme Optics', model: 'AO-200', firmwareVersion: '2.4.2', serialNumber: 'AO-2', mac: mac(2) });
    cams.otherModel = await onboard('other-model', { url: 'rtsp://127.0.0.1:9/model' }, { manufacturer: 'Acme Optics', model: 'AO-300', firmwareVersion: '2.4.1', serialNumber: 'AO-3', mac: mac(3) });
    cams.otherVendor = await onboard('other-vendor', { url: 'rtsp://127.0.0.1:9/vendor' }, { manufacturer: 'Globex Vision', model: 'AO-200', firmwareVersion: '2.4.1', serialNumber: 'GX-4', mac: mac(4) });
  });

  const advisory = csafAdvisory({
    trackingId: 'ACME-SA-2026-0042',
    cve: 'CVE-2026-41234',
    affected: [{ id: 'AO200-lt-242', vendor: 'Acme Optics', model: 'AO-200', range: 'vers:generic/>=2.0|<2.4.2' }],
    fixed: [{ id: 'AO200-242', vendor: 'Acme Optics', model: 'AO-200', version: '2.4.2' }],
  });

  test('a CSAF advisory matching one firmware range affects exactly that camera, raises its alarm and is audited', async () => {
    const res = await admin.inject({ method: 'POST', url: '/api/v1/advisories', payload: advisory });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<{ change: string; matched: number; advisory: { cameras: { cameraId: string; firmware: string; fixedIn: string[] }[]; severity: string } }>();
    assert.deepEqual([body.change, body.matched, body.advisory.severity], ['new', 1, 'critical']);
    assert.deepEqual(body.advisory.cameras.map((c) => [c.cameraId, c.firmware, c.fixedIn]), [[cams.affected!.id, 'V2.4.1 build 260101', ['2.4.2']]]);

    const matched = await ledger('camera.advisory.matched');
    assert.deepEqual(matched.map((e) => e.camera_id), [cams.affected!.id], 'no other model, fixed firmware or other vendor');
    assert.deepEqual(matched[0]?.details?.cves, ['CVE-2026-41234']);
    const imported = (await ledger('advisory.imported')).filter((e) => e.outcome === 'success');
    assert.equal(imported.at(-1)?.details?.change, 'new');
    await waitFor('the camera-advisory alarm', 10_000, async () => (await ledger('alarm.raised')).some((e) => e.details?.rule === 'camera-advisory' && e.camera_id === cams.affected!.id));
    const alarms = (await ledger('alarm.raised')).filter((e) => e.details?.rule === 'camera-advisory');
    assert.deepEqual(alarms.map((e) => e.camera_id), [cams.affected!.id]);

    // The same document again changes nothing and records no second match.
    const again = await admin.inject({ method: 'POST', url: '/api/v1/advisories', payload: advisory });
    assert.deepEqual([again.json<{ change: string }>().change, again.json<{ matched: number }>().matched], ['unchanged', 0]);
    assert.equal((await ledger('camera.advisory.matched')).length, 1);
  });

  test('a bad document is refused with a stable code, audited as a failure, and nothing is stored; a viewer may not import', async () => {
    const before = (await admin.inject({ method: 'GET', url: '/api/v1/advisories' })).json<unknown[]>().length;
    const bad = await admin.inject({ method: 'POST', url: '/api/v1/advisories', payload: { document: { csaf_version: '2.0', category: 'csaf_vex' } } });
    assert.equal(bad.statusCode, 422, bad.body);
    assert.equal(codeOf(bad), 'ADVISORY_REFUSED');
    assert.match(bad.headers['content-type'] ?? '', /application\/problem\+json/);
    assert.equal((await admin.inject({ method: 'GET', url: '/api/v1/advisories' })).json<unknown[]>().length, before);
    assert.ok((await ledger('advisory.imported')).some((e) => e.outcome === 'failure' && e.details?.refusal === 'invalid-csaf'));
    assert.equal((await viewer.inject({ method: 'POST', url: '/api/v1/advisories', payload: advisory })).statusCode, 403);
    assert.equal((await viewer.inject({ method: 'GET', url: `/api/v1/cameras/${cams.affected!.id}/security-score` })).statusCode, 403);
  });

  test('the security score gives each factor its evidence; a vendor default password is named by vendor only', async () => {
    await waitFor('the affected camera records over RTSPS', 30_000, async () => (await admin.inject({ method: 'GET', url: `/api/v1/cameras/${cams.affected!.id}` })).json<{ status: { state: string } }>().status.state === 'recording');
    type Score = { total: number; grade: string; cappedBy: string | null; factors: { id: string; points: number; state: string; evidence: string }[] };
    const score = async (id: string) => {
      const res = await admin.inject({ method: 'GET', url: `/api/v1/cameras/${id}/security-score` });
      assert.equal(res.statusCode, 200, res.body);
      return res;
    };
    const affected = (await score(cams.affected!.id)).json<Score>();
    const f = new Map(affected.factors.map((x) => [x.id, x]));
    assert.deepEqual(['transport', 'credentials', 'vendor', 'clock', 'last-seen'].map((id) => f.get(id)?.state), ['pass', 'pass', 'pass', 'pass', 'pass']);
    assert.equal(f.get('firmware')?.state, 'partial', 'no releases of the vendor in the trust store');
    assert.equal(f.get('advisories')?.points, 0);
    assert.match(f.get('advisories')?.evidence ?? '', /ACME-SA-2026-0042 \(critical\)/);
    assert.deepEqual([affected.total, affected.grade, affected.cappedBy], [70, 'D', 'an open critical advisory'], 'C by points, capped at D');

    const fixedRes = await score(cams.fixed!.id);
    assert.ok(!fixedRes.body.includes('12345'), 'the password never leaves');
    const fixed = fixedRes.json<Score>();
    const cred = fixed.factors.find((x) => x.id === 'credentials');
    assert.equal(cred?.points, 0);
    assert.match(cred?.evidence ?? '', /^matches a known default for vendor any/);
    assert.equal(fixed.factors.find((x) => x.id === 'transport')?.state, 'fail');
    assert.equal(fixed.factors.find((x) => x.id === 'advisories')?.state, 'pass');
  });

  test('the vet step records advisories and the score; re-identifying at the fixed firmware clears the match; an OSV import matches its model', async () => {
    const identified = (await ledger('camera.identified')).filter((e) => e.camera_id === cams.affected!.id && e.outcome === 'success');
    const first = identified[0]?.details;
    assert.deepEqual(first?.advisories, [], 'identified before any advisory was imported');
    assert.equal((first?.securityScore as { factors: unknown[] } | undefined)?.factors.length, 7);

    // The camera is upgraded: a device at 2.4.2 answers for it now.
    const upgraded = await startOnvifDevice({ identity: { ...defaultOnvifIdentity, manufacturer: 'Acme Optics', model: 'AO-200', firmwareVersion: '2.4.2', serialNumber: 'AO-1', mac: '02:00:5e:aa:cc:01' }, rtspUrl: sim.urls[0]!, username: onvifUser, password: onvifPassword, clock: systemClock });
    defer(() => upgraded.close());
    const res = await admin.inject({ method: 'POST', url: `/api/v1/cameras/${cams.affected!.id}/identify`, payload: { xaddr: upgraded.xaddr, username: onvifUser, password: onvifPassword } });
    assert.equal(res.statusCode, 200, res.body);
    const cleared = await waitFor('the match cleared', 10_000, async () => (await ledger('camera.advisory.cleared')).find((e) => e.camera_id === cams.affected!.id));
    assert.equal(cleared.reason, 'firmware is now 2.4.2');

    // Re-identifying the old firmware would match again; an OSV record for AO-300 matches that model now.
    const osv = osvAdvisory({ id: 'OSV-2026-0007', aliases: ['CVE-2026-5555'], vendor: 'Acme Optics', model: 'AO-300', events: [{ introduced: '0' }, { fixed: '3.0' }] });
    const imp = await admin.inject({ method: 'POST', url: '/api/v1/advisories', payload: osv });
    assert.equal(imp.json<{ matched: number }>().matched, 1, imp.body);
    const list = (await admin.inject({ method: 'GET', url: '/api/v1/advisories' })).json<{ documentId: string; cameras: { cameraId: string }[] }[]>();
    assert.deepEqual(list.map((a) => [a.documentId, a.cameras.map((c) => c.cameraId)]), [['ACME-SA-2026-0042', []], ['OSV-2026-0007', [cams.otherModel!.id]]]);

    // Vetting that camera again records the advisory and its effect on the score as evidence.
    const again = await admin.inject({ method: 'POST', url: `/api/v1/cameras/${cams.otherModel!.id}/identify`, payload: { xaddr: cams.otherModel!.xaddr, username: onvifUser, password: onvifPassword } });
    assert.equal(again.statusCode, 200, again.body);
    const vetted = (await ledger('camera.identified')).filter((e) => e.camera_id === cams.otherModel!.id).at(-1)?.details;
    assert.deepEqual((vetted?.advisories as { documentId: string; cves: string[] }[]).map((a) => [a.documentId, a.cves]), [['OSV-2026-0007', ['CVE-2026-5555']]]);
    const factors = (vetted?.securityScore as { factors: { id: string; points: number }[] }).factors;
    assert.equal(factors.find((x) => x.id === 'advisories')?.points, 5, 'a high advisory');
    assert.equal((await ledger('camera.advisory.matched')).filter((e) => e.camera_id === cams.otherModel!.id).length, 1, 'the same match is not recorded twice');
  });

  test('live evidence and the readiness pack list the affected cameras and open advisories', async () => {
    const facts = await app.governance.liveEvidence();
    const metric = facts.metrics.find((x) => x.id === 'camera-advisories');
    assert.equal(metric?.state, 'attention');
    assert.match(metric?.summary ?? '', /1 camera affected by 1 of 2 imported advisories: OSV-2026-0007 \(high\)/);
    const pack = await app.governance.bundles.readinessPack({ actor: { kind: 'system', id: 'system:test' } });
    const readiness = pack.files.find(([name]) => name === 'contents/readiness.json')?.[1];
    assert.ok(readiness);
    const q = (JSON.parse(readiness.toString()) as { questions: { id: string; status: string; facts: { affectedCameras?: string[]; openAdvisories?: { documentId: string }[] } }[] }).questions.find((x) => x.id === 'camera-vulnerabilities');
    assert.equal(q?.status, 'facts only');
    assert.deepEqual(q?.facts.affectedCameras, [cams.otherModel!.id]);
    assert.deepEqual(q?.facts.openAdvisories?.map((a) => a.documentId), ['OSV-2026-0007']);
  });
});

test('on PostgreSQL too, an imported advisory matches the identified camera, alarms, and the score reads it', async (t) => {
  const defer = teardown(t);
  const pg = await createTestDatabase('postgres');
  // Deferred first, so it runs last: the app's pool MUST be closed before the database is dropped.
  defer(() => pg.close());
  await pg.db.destroy();
  const { app } = await startDeferredTestApp(defer, 'advisories-pg', { 'database.url': pg.location });
  const admin = await testPrincipal(app, { roles: ['admin'] });
  const device = await startOnvifDevice({ identity: { ...defaultOnvifIdentity, manufacturer: 'Acme Optics', model: 'AO-200', firmwareVersion: '2.3.9', mac: '02:00:5e:aa:ee:01' }, rtspUrl: 'rtsp://127.0.0.1:9/pg', username: onvifUser, password: onvifPassword, clock: systemClock });
  defer(() => device.close());
  const added = await admin.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'pg-cam', url: 'rtsp://127.0.0.1:9/pg', enabled: false } });
  assert.equal(added.statusCode, 201, added.body);
  const id = added.json<{ id: string }>().id;
  assert.equal((await admin.inject({ method: 'POST', url: `/api/v1/cameras/${id}/identify`, payload: { xaddr: device.xaddr, username: onvifUser, password: onvifPassword } })).statusCode, 200);
  const doc = csafAdvisory({ trackingId: 'ACME-SA-2026-0042', cve: 'CVE-2026-41234', affected: [{ id: 'p', vendor: 'Acme Optics', model: 'AO-200', range: '5.0 - 5.7.3' }, { id: 'q', vendor: 'Acme Optics', model: 'AO-200', range: '>=2.0, <2.4.2' }], baseScore: 8.1 });
  const res = await admin.inject({ method: 'POST', url: '/api/v1/advisories', payload: doc });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json<{ matched: number }>().matched, 1);
  await app.ledger.drain();
  const auditor = await testPrincipal(app, { roles: ['auditor'] });
  await waitFor('the camera-advisory alarm on PostgreSQL', 10_000, async () => {
    const events = (await auditor.inject({ method: 'GET', url: '/api/v1/audit/events?type=alarm.raised&limit=100' })).json<{ events: { record: Ledgered }[] }>().events;
    return events.some((e) => e.record.details?.rule === 'camera-advisory' && e.record.camera_id === id);
  });
  const score = (await admin.inject({ method: 'GET', url: `/api/v1/cameras/${id}/security-score` })).json<{ factors: { id: string; points: number; state: string }[] }>();
  assert.deepEqual(score.factors.filter((f) => f.id === 'advisories' || f.id === 'last-seen').map((f) => [f.id, f.points, f.state]), [['advisories', 5, 'partial'], ['last-seen', 0, 'unknown']]);
});
