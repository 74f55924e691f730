/**
 * Four-eyes over the bytes (ADR 0012), export ownership and playback sessions in the ledger,
 * against a real recording: camsim, the native ingest, SQLite, the HTTPS server (inject), the
 * audit ledger. One camera sits at a four-eyes site ("vault"), one at an ordinary site ("yard").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/app.ts';
import type { Camsim } from '../../tools/camsim/camsim.ts';
import type { Segment } from '../../src/media/segment.ts';
import { sessionCookieName } from '../../src/identity/session-cookie.ts';
import { startDeferredTestApp, startTestCamsim, waitFor } from '../helpers/harness.ts';
import { strongPassword, testPrincipal, type TestPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

/** A logged-in browser session of a new user holding `role` on `scope` (MFA counted as done). */
interface SessionUser {
  readonly id: string;
  send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

describe('Four-eyes over the bytes, export ownership and playback sessions, over a real recording', () => {
  let sim: Camsim;
  let app: App;
  let vault = '';
  let yard = '';
  let sealed: Segment;
  const from = () => new Date(Date.now() - 60_000).toISOString();
  const to = () => new Date(Date.now() - 1_000).toISOString();
  const defer = teardown({ after });
  let n = 0;

  async function sessionUser(role: string, scope = 'global'): Promise<SessionUser> {
    const user = await app.identity.users.create({ username: `fe-${role}-${++n}`, password: strongPassword() }, testActor);
    await app.identity.grants.grant(user, { role, scope }, { audit: testActor, userId: null });
    const { token, session } = await app.identity.sessions.start(user.id, 'test', true);
    return {
      id: user.id,
      send: (method, url, payload, headers = {}) =>
        app.server.inject({ method, url, headers: { cookie: `${sessionCookieName}=${token}`, 'x-csrf-token': session.csrf, ...headers }, ...(payload ? { payload } : {}) }),
    };
  }

  async function ledger(type: string): Promise<{ actor: { id: string }; outcome: string; camera_id?: string; details?: Record<string, unknown> }[]> {
    await app.ledger.drain();
    const auditor = await testPrincipal(app, { roles: ['auditor'] });
    const res = await auditor.inject({ method: 'GET', url: `/api/v1/audit/events?type=${type}&limit=1000` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ events: { record: { actor: { id: string }; outcome: string; camera_id?: string; details?: Record<string, unknown> } }[] }>().events.map((e) => e.record);
  }

  before(async () => {
    sim = await startTestCamsim({ cameras: 2 });
    defer(() => sim.close());
    ({ app } = await startDeferredTestApp(defer, 'four-eyes', { 'recording.segmentSeconds': 2 }));
    await app.identity.sites.createSite({ id: 'vault', name: 'Vault', fourEyes: true }, testActor);
    await app.identity.sites.createSite({ id: 'yard', name: 'Yard', fourEyes: false }, testActor);
    vault = (await app.cameras.add({ name: 'Vault door', url: sim.urls[0]!, siteId: 'vault' }, testActor)).id;
    yard = (await app.cameras.add({ name: 'Yard gate', url: sim.urls[1]!, siteId: 'yard' }, testActor)).id;
    for (const id of [vault, yard]) {
      await waitFor('two sealed segments', 90_000, async () => (await app.playback.segments(id, 0, Date.now())).filter((s) => s.state === 'closed').length >= 2);
    }
    sealed = (await app.playback.segments(vault, 0, Date.now())).find((s) => s.state === 'closed' && s.fragments.length >= 2)!;
    assert.ok(sealed, 'a sealed segment with fragments');
  });

  it('at a four-eyes site an investigator refused an export cannot download the same footage as segments: only the init or one fragment is streamed to a session', async () => {
    const investigator = await sessionUser('investigator', 'site:vault');
    const exported = await investigator.send('POST', '/api/v1/exports', { cameraId: vault, from: from(), to: to(), reason: 'curiosity', requestedFor: 'nobody' });
    assert.equal(codeOf(exported), 'APPROVAL_REQUIRED');
    const url = `/api/v1/cameras/${vault}/segments/${sealed.id}.mp4`;
    const whole = await investigator.send('GET', url);
    assert.equal(whole.statusCode, 403);
    assert.equal(codeOf(whole), 'EXPORT_REQUIRED', 'a whole segment is a file');
    assert.equal(codeOf(await investigator.send('GET', url, undefined, { range: `bytes=0-${sealed.bytes - 1}` })), 'EXPORT_REQUIRED', 'a range over the whole segment is a file too');
    const [f1, f2] = sealed.fragments;
    assert.equal(codeOf(await investigator.send('GET', url, undefined, { range: `bytes=${f1!.offset}-${f2!.offset + f2!.size - 1}` })), 'EXPORT_REQUIRED', 'two fragments at once are refused');
    assert.equal(codeOf(await investigator.send('GET', url, undefined, { range: `bytes=0-` })), 'EXPORT_REQUIRED', 'an open range is refused');
    const init = await investigator.send('GET', url, undefined, { range: `bytes=0-${sealed.initSize - 1}` });
    assert.equal(init.statusCode, 206, init.body);
    assert.equal(init.rawPayload.length, sealed.initSize);
    const fragment = await investigator.send('GET', url, undefined, { range: `bytes=${f1!.offset}-${f1!.offset + f1!.size - 1}` });
    assert.equal(fragment.statusCode, 206);
    assert.equal(fragment.rawPayload.length, f1!.size);
    const playlist = await investigator.send('GET', `/api/v1/cameras/${vault}/playback.m3u8?from=${from()}&to=${to()}`);
    assert.equal(playlist.statusCode, 200, 'a session still plays the site back');
    const refusals = (await ledger('access.denied')).filter((e) => e.actor.id === `user:${investigator.id}` && e.camera_id === vault);
    assert.equal(refusals.length, 1, 'the refused downloads are on record, once per window');
  });

  it('at a four-eyes site an API token gets neither playlist nor segment bytes; at an ordinary site it still plays back whole segments', async () => {
    const token = await testPrincipal(app, { roles: ['investigator'], scope: 'site:vault' });
    const playlist = await token.inject({ method: 'GET', url: `/api/v1/cameras/${vault}/playback.m3u8?from=${from()}&to=${to()}` });
    assert.equal(codeOf(playlist), 'EXPORT_REQUIRED');
    const init = await token.inject({ method: 'GET', url: `/api/v1/cameras/${vault}/segments/${sealed.id}.mp4`, headers: { range: `bytes=0-${sealed.initSize - 1}` } });
    assert.equal(codeOf(init), 'EXPORT_REQUIRED', 'a token cannot fetch even a fragment');
    const yardOperator = await testPrincipal(app, { roles: ['operator'], scope: 'site:yard' });
    const yardSegment = (await app.playback.segments(yard, 0, Date.now())).find((s) => s.state === 'closed')!;
    const whole = await yardOperator.inject({ method: 'GET', url: `/api/v1/cameras/${yard}/segments/${yardSegment.id}.mp4` });
    assert.equal(whole.statusCode, 200);
    assert.equal(whole.rawPayload.length, yardSegment.bytes);
  });

  it('playback, export or unmasking on a scope covering a four-eyes site is a sensitive grant: operator globally waits for a second administrator, operator on an ordinary site does not', async () => {
    const admin = await sessionUser('admin');
    const grantee = await app.identity.users.create({ username: `fe-grantee-${++n}`, password: strongPassword() }, testActor);
    const globalOperator = await admin.send('POST', '/api/v1/access/grants', { userId: grantee.id, role: 'operator', scope: 'global' });
    assert.equal(codeOf(globalOperator), 'APPROVAL_REQUIRED', globalOperator.body);
    assert.equal(codeOf(await admin.send('POST', '/api/v1/access/grants', { userId: grantee.id, role: 'operator', scope: `camera:${vault}` })), 'APPROVAL_REQUIRED');
    assert.equal(codeOf(await admin.send('POST', '/api/v1/access/grants', { userId: grantee.id, role: 'operator', scope: 'site:vault' })), 'APPROVAL_REQUIRED');
    assert.equal((await admin.send('POST', '/api/v1/access/grants', { userId: grantee.id, role: 'operator', scope: 'site:yard' })).statusCode, 201);
    assert.equal((await admin.send('POST', '/api/v1/access/grants', { userId: grantee.id, role: 'viewer', scope: 'global' })).statusCode, 201, 'live view is not recorded footage');
    assert.equal((await app.identity.grants.effective(grantee.id)).some((g) => g.scope.kind === 'global' && g.role === 'operator'), false, 'nothing granted yet');
    const second = await sessionUser('admin');
    const approvalId = globalOperator.json<{ approvalId: string }>().approvalId;
    assert.equal((await second.send('POST', `/api/v1/approvals/${approvalId}/decision`, { approve: true })).statusCode, 200);
    assert.equal((await app.identity.grants.effective(grantee.id)).some((g) => g.scope.kind === 'global' && g.role === 'operator'), true, 'granted once approved');
  });

  it('export jobs belong to their requester: another investigator of the same camera can neither read, list nor download one', async () => {
    const owner = await sessionUser('investigator', 'site:yard');
    const other = await sessionUser('investigator', 'site:yard');
    const made = await owner.send('POST', '/api/v1/exports', { cameraId: yard, from: from(), to: to(), reason: 'case 7', requestedFor: 'police' });
    assert.equal(made.statusCode, 202, made.body);
    const id = made.json<{ id: string }>().id;
    await app.exports.idle();
    assert.equal(made.json<{ id: string }>().id, id);
    for (const path of ['', '/file', '/evidence']) {
      const res = await other.send('GET', `/api/v1/exports/${id}${path}`);
      assert.equal(res.statusCode, 404, `${path || 'status'}: ${res.body}`);
      assert.equal(codeOf(res), 'NOT_FOUND');
    }
    assert.deepEqual((await other.send('GET', '/api/v1/exports')).json<{ id: string }[]>(), []);
    assert.equal((await owner.send('GET', `/api/v1/exports/${id}`)).json<{ state: string }>().state, 'done');
    assert.equal((await owner.send('GET', `/api/v1/exports/${id}/file`)).statusCode, 200);
    assert.equal((await owner.send('GET', `/api/v1/exports/${id}/evidence`)).statusCode, 200);
    assert.deepEqual((await owner.send('GET', '/api/v1/exports')).json<{ id: string }[]>().map((j) => j.id), [id]);
    const token = await testPrincipal(app, { roles: ['investigator'], scope: 'site:yard' });
    assert.equal((await token.inject({ method: 'GET', url: `/api/v1/exports/${id}` })).statusCode, 404, 'an API token of someone else neither');
  });

  it('a four-eyes export belongs to its requester and approver; a third investigator sees the request but not its export', async () => {
    const requester = await sessionUser('investigator', 'site:vault');
    const approver = await sessionUser('investigator', 'site:vault');
    const third = await sessionUser('investigator', 'site:vault');
    const filed = await requester.send('POST', '/api/v1/exports', { cameraId: vault, from: from(), to: to(), reason: 'incident 9', requestedFor: 'insurer' });
    assert.equal(codeOf(filed), 'APPROVAL_REQUIRED');
    const approvalId = filed.json<{ approvalId: string }>().approvalId;
    const decided = await approver.send('POST', `/api/v1/approvals/${approvalId}/decision`, { approve: true });
    assert.equal(decided.statusCode, 200, decided.body);
    const exportId = decided.json<{ exportId: string | null }>().exportId;
    assert.ok(exportId);
    await app.exports.idle();
    const seen = await third.send('GET', `/api/v1/approvals/${approvalId}`);
    assert.equal(seen.statusCode, 200, 'a possible approver still sees the request');
    assert.equal(seen.json<{ exportId: string | null }>().exportId, null);
    assert.doesNotMatch(seen.body, new RegExp(exportId), 'nor the export id in its details');
    assert.doesNotMatch((await third.send('GET', '/api/v1/approvals')).body, new RegExp(exportId));
    assert.equal((await third.send('GET', `/api/v1/exports/${exportId}`)).statusCode, 404);
    assert.equal((await requester.send('GET', `/api/v1/approvals/${approvalId}`)).json<{ exportId: string | null }>().exportId, exportId);
    for (const who of [requester, approver]) {
      assert.equal((await who.send('GET', `/api/v1/exports/${exportId}`)).json<{ state: string }>().state, 'done');
      assert.equal((await who.send('GET', `/api/v1/exports/${exportId}/evidence`)).statusCode, 200);
      assert.ok((await who.send('GET', '/api/v1/exports')).json<{ id: string }[]>().some((j) => j.id === exportId));
    }
  });

  it('a playlist polled 40 times, 20 at once, by one viewer is one ledger leaf per range; another range or viewer is a new leaf', async () => {
    const tokenActor = async (p: TestPrincipal) => `token:${(await p.inject({ method: 'GET', url: '/api/v1/auth/tokens' })).json<{ id: string }[]>()[0]!.id}`;
    const viewer = await testPrincipal(app, { roles: ['operator'], scope: 'site:yard' });
    const second = await testPrincipal(app, { roles: ['operator'], scope: 'site:yard' });
    const range = `from=${from()}&to=${to()}`;
    const poll = () => viewer.inject({ method: 'GET', url: `/api/v1/cameras/${yard}/playback.m3u8?${range}` });
    for (const res of await Promise.all(Array.from({ length: 20 }, poll))) assert.equal(res.statusCode, 200);
    for (let i = 0; i < 20; i++) assert.equal((await poll()).statusCode, 200);
    const playlistsOf = async (actor: string) => (await ledger('footage.played')).filter((e) => e.actor.id === actor && e.camera_id === yard && e.details?.from !== undefined);
    const viewerId = await tokenActor(viewer);
    assert.equal((await playlistsOf(viewerId)).length, 1, 'one leaf for the session');
    const other = await viewer.inject({ method: 'GET', url: `/api/v1/cameras/${yard}/playback.m3u8?from=${from()}&to=${new Date(Date.now() - 2_000).toISOString()}` });
    assert.equal(other.statusCode, 200);
    assert.equal((await playlistsOf(viewerId)).length, 2, 'another range is a new leaf');
    assert.equal((await second.inject({ method: 'GET', url: `/api/v1/cameras/${yard}/playback.m3u8?${range}` })).statusCode, 200);
    assert.equal((await playlistsOf(await tokenActor(second))).length, 1, 'another viewer is a new leaf');
  });

  it('at a four-eyes site, lowering retention, moving a camera to a site without four-eyes, removing a camera with footage and switching four-eyes off wait for a second person', async () => {
    const admin = await sessionUser('admin');
    const second = await sessionUser('admin');
    const approve = async (res: LightMyRequestResponse) => {
      assert.equal(codeOf(res), 'APPROVAL_REQUIRED', res.body);
      const id = res.json<{ approvalId: string }>().approvalId;
      assert.equal(codeOf(await admin.send('POST', `/api/v1/approvals/${id}/decision`, { approve: true })), 'SELF_APPROVAL');
      const decided = await second.send('POST', `/api/v1/approvals/${id}/decision`, { approve: true });
      assert.equal(decided.statusCode, 200, decided.body);
      assert.equal(decided.json<{ status: string }>().status, 'used');
    };
    const retention = (await app.cameras.get(vault)).retentionHours;
    assert.equal((await admin.send('PATCH', `/api/v1/cameras/${vault}`, { retentionHours: retention + 1 })).statusCode, 200, 'raising retention is not sensitive');
    const lower = await admin.send('PATCH', `/api/v1/cameras/${vault}`, { retentionHours: 1 });
    assert.equal((await app.cameras.get(vault)).retentionHours, retention + 1, 'not lowered yet');
    assert.equal(codeOf(await admin.send('PATCH', `/api/v1/cameras/${vault}`, { retentionHours: 1, name: 'Renamed' })), 'VALIDATION_FAILED', 'a sensitive change comes alone');
    await approve(lower);
    assert.equal((await app.cameras.get(vault)).retentionHours, 1, 'lowered once approved');
    const move = await admin.send('PATCH', `/api/v1/cameras/${vault}`, { siteId: 'yard' });
    assert.equal(codeOf(move), 'APPROVAL_REQUIRED');
    assert.equal((await app.cameras.get(vault)).siteId, 'vault');
    const remove = await admin.send('DELETE', `/api/v1/cameras/${vault}`);
    assert.equal(codeOf(remove), 'APPROVAL_REQUIRED');
    assert.equal((await app.cameras.get(vault)).id, vault, 'still there');
    await approve(remove);
    await assert.rejects(app.cameras.get(vault), /camera not found/);
    const off = await admin.send('PATCH', '/api/v1/sites/vault', { fourEyes: false });
    assert.equal((await app.identity.sites.site('vault')).fourEyes, true, 'still four-eyes');
    await approve(off);
    assert.equal((await app.identity.sites.site('vault')).fourEyes, false, 'switched off once approved');
    assert.equal((await admin.send('PATCH', '/api/v1/sites/vault', { fourEyes: true })).statusCode, 200, 'switching it on is not sensitive');
  });
});
