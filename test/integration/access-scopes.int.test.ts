/**
 * Grants on scopes against a real recording: two cameras of camsim recorded by the app on two
 * sites; live view, playback and export honour the scopes (out of scope looks like absent);
 * the four-eyes rule on exports; API tokens limited to their permissions, expiring and
 * revocable; grant rules (no self-grant, external users expire); the access-rights register.
 * Real: camsim, the native ingest, SQLite, the HTTPS server, WebSockets, the audit ledger.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { App } from '../../src/app.ts';
import type { Camsim } from '../../tools/camsim/camsim.ts';
import { sessionCookieName } from '../../src/identity/session-cookie.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { strongPassword, testPrincipal, type TestPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { BrowserSession, codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

describe('Grants on scopes, over a real recording of two cameras on two sites', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let sim: Camsim;
  let app: App;
  let north = '';
  let south = '';
  let northOperator: TestPrincipal;
  let northInvestigator: TestPrincipal;
  const from = () => new Date(Date.now() - 60_000).toISOString();
  const to = () => new Date(Date.now() - 1_000).toISOString();

  const defer = teardown({ after });

  before(async () => {
    dir = await tempDir('scopes');
    defer(() => dir.remove());
    sim = await startTestCamsim({ cameras: 2 });
    defer(() => sim.close());
    app = await startTestApp(dir.path, { 'recording.segmentSeconds': 2 });
    defer(() => app.close());
    await app.identity.sites.createSite({ id: 'north', name: 'North', fourEyes: false }, testActor);
    await app.identity.sites.createSite({ id: 'south', name: 'South', fourEyes: false }, testActor);
    north = (await app.cameras.add({ name: 'North gate', url: sim.urls[0]!, siteId: 'north' }, testActor)).id;
    south = (await app.cameras.add({ name: 'South gate', url: sim.urls[1]!, siteId: 'south' }, testActor)).id;
    northOperator = await testPrincipal(app, { roles: ['operator'], scope: 'site:north' });
    northInvestigator = await testPrincipal(app, { roles: ['investigator'], scope: 'site:north' });
    for (const id of [north, south]) {
      await waitFor('two sealed segments', 60_000, async () => (await app.playback.segments(id, 0, Date.now())).filter((s) => s.state === 'closed').length >= 2);
    }
  });

  it('plays back a camera in scope and answers NOT_FOUND, as for a missing camera, out of scope', async () => {
    const playlist = (id: string) => northOperator.inject({ method: 'GET', url: `/api/v1/cameras/${id}/playback.m3u8?from=${from()}&to=${to()}` });
    assert.equal((await playlist(north)).statusCode, 200);
    const out = await playlist(south);
    assert.equal(out.statusCode, 404);
    assert.equal(codeOf(out), 'NOT_FOUND');
    const timeline = await northOperator.inject({ method: 'GET', url: `/api/v1/cameras/${south}/timeline?from=${from()}&to=${to()}` });
    assert.equal(timeline.statusCode, 404);
    const segments = await app.playback.segments(south, 0, Date.now());
    const file = await northOperator.inject({ method: 'GET', url: `/api/v1/cameras/${south}/segments/${segments[0]!.id}.mp4` });
    assert.equal(file.statusCode, 404, 'a segment of a camera out of scope is not served even with its exact id');
  });

  it('opens live video in scope and refuses the WebSocket upgrade out of scope', async () => {
    const { default: WebSocket } = await import('ws');
    const open = (id: string) =>
      new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(`${app.url.replace('https:', 'wss:')}/api/v1/cameras/${id}/live`, { rejectUnauthorized: false, headers: northOperator.headers });
        ws.on('message', () => {
          ws.close(1000);
          resolve('frames');
        });
        ws.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
        ws.on('error', (e) => (e.message.includes('Unexpected server response') ? undefined : reject(e)));
      });
    assert.equal(await open(north), 'frames');
    assert.equal(await open(south), 'refused 404');
  });

  it('a grant on a camera group covers exactly the group\'s cameras, whatever their sites', async () => {
    await app.identity.sites.saveGroup('gates', { name: 'Gates', cameraIds: [south] }, testActor, true);
    const guard = await testPrincipal(app, { roles: ['viewer'], scope: 'group:gates' });
    const list = await guard.inject({ method: 'GET', url: '/api/v1/cameras' });
    assert.deepEqual(list.json<{ id: string }[]>().map((c) => c.id), [south]);
    assert.equal((await guard.inject({ method: 'GET', url: `/api/v1/cameras/${north}` })).statusCode, 404);
    await app.identity.sites.saveGroup('gates', { cameraIds: [north, south] }, testActor, false);
    const both = await guard.inject({ method: 'GET', url: '/api/v1/cameras' });
    assert.deepEqual(both.json<{ id: string }[]>().map((c) => c.id).sort(), [north, south].sort(), 'membership is read at each request');
  });

  it('exports in scope, refuses out of scope, and hides an export job from someone without the camera', async () => {
    const body = (cameraId: string) => ({ cameraId, from: from(), to: to(), reason: 'scope test', requestedFor: 'the test suite' });
    const out = await northInvestigator.inject({ method: 'POST', url: '/api/v1/exports', payload: body(south) });
    assert.equal(codeOf(out), 'NOT_FOUND');
    const ok = await northInvestigator.inject({ method: 'POST', url: '/api/v1/exports', payload: body(north) });
    assert.equal(ok.statusCode, 202, ok.body);
    const id = ok.json<{ id: string }>().id;
    const southInvestigator = await testPrincipal(app, { roles: ['investigator'], scope: 'site:south' });
    assert.equal((await southInvestigator.inject({ method: 'GET', url: `/api/v1/exports/${id}` })).statusCode, 404);
    assert.equal((await northInvestigator.inject({ method: 'GET', url: `/api/v1/exports/${id}` })).statusCode, 200);
    const operatorExport = await northOperator.inject({ method: 'POST', url: '/api/v1/exports', payload: body(north) });
    assert.equal(codeOf(operatorExport), 'FORBIDDEN', 'an operator can play back but not export');
  });

  it('at a four-eyes site an export waits for a second investigator, who is not the requester', async () => {
    const admin = await testPrincipal(app, { roles: ['admin'] });
    assert.equal((await admin.inject({ method: 'PATCH', url: '/api/v1/sites/south', payload: { fourEyes: true } })).statusCode, 200);
    const first = await testPrincipal(app, { roles: ['investigator'], scope: 'site:south' });
    const second = await testPrincipal(app, { roles: ['investigator'], scope: `camera:${south}` });
    const filed = await first.inject({ method: 'POST', url: '/api/v1/exports', payload: { cameraId: south, from: from(), to: to(), reason: 'incident 42', requestedFor: 'police' } });
    assert.equal(codeOf(filed), 'APPROVAL_REQUIRED');
    const approvalId = filed.json<{ approvalId: string }>().approvalId;
    const self = await first.inject({ method: 'POST', url: `/api/v1/approvals/${approvalId}/decision`, payload: { approve: true } });
    assert.equal(codeOf(self), 'SELF_APPROVAL');
    const outsider = await testPrincipal(app, { roles: ['investigator'], scope: 'site:north' });
    assert.equal(codeOf(await outsider.inject({ method: 'POST', url: `/api/v1/approvals/${approvalId}/decision`, payload: { approve: true } })), 'NOT_FOUND', 'a second person without the camera cannot see it');
    const approved = await second.inject({ method: 'POST', url: `/api/v1/approvals/${approvalId}/decision`, payload: { approve: true, reason: 'checked the case file' } });
    assert.equal(approved.statusCode, 200, approved.body);
    const decided = approved.json<{ status: string; exportId: string | null }>();
    assert.equal(decided.status, 'used');
    assert.ok(decided.exportId);
    await app.exports.idle();
    const job = await first.inject({ method: 'GET', url: `/api/v1/exports/${decided.exportId}` });
    assert.equal(job.json<{ state: string }>().state, 'done', job.body);
    assert.equal(codeOf(await second.inject({ method: 'POST', url: `/api/v1/approvals/${approvalId}/decision`, payload: { approve: true } })), 'CONFLICT', 'an approval is used once');
    assert.equal(codeOf(await admin.inject({ method: 'PATCH', url: '/api/v1/sites/south', payload: { fourEyes: false } })), 'APPROVAL_REQUIRED', 'switching four-eyes off through the API waits for a second person');
    await app.identity.sites.updateSite('south', { fourEyes: false }, testActor);
  });

  it('an API token carries only its permissions, and stops at expiry and at revocation', async () => {
    const user = await app.identity.users.create({ username: 'robot-owner', password: strongPassword() }, testActor);
    await app.identity.grants.grant(user, { role: 'investigator', scope: 'global' }, { audit: testActor, userId: null });
    const client = new BrowserSession(app);
    const password = strongPassword();
    await app.identity.users.setPassword(user, password, false, testActor);
    await client.attempt('robot-owner', password);
    const tooMuch = await client.send('POST', '/api/v1/auth/tokens', { name: 'nvr', permissions: ['recording.play', 'user.manage'], days: 1 });
    assert.equal(codeOf(tooMuch), 'FORBIDDEN', 'a token cannot carry what its owner lacks');
    const made = await client.send('POST', '/api/v1/auth/tokens', { name: 'nvr', permissions: ['recording.play'], days: 1 });
    assert.equal(made.statusCode, 201, made.body);
    const { token, id } = made.json<{ token: string; id: string }>();
    assert.match(token, /^custos_/);
    const bearer = (url: string) => app.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    assert.equal((await bearer(`/api/v1/cameras/${north}/timeline?from=${from()}&to=${to()}`)).statusCode, 200);
    assert.equal(codeOf(await bearer('/api/v1/cameras')), 'FORBIDDEN', 'camera.read is the owner\'s but not the token\'s');
    const listed = await client.send('GET', '/api/v1/auth/tokens');
    assert.doesNotMatch(listed.body, new RegExp(token), 'the secret is shown once');
    assert.equal((await client.send('DELETE', `/api/v1/auth/tokens/${id}`)).statusCode, 204);
    assert.equal(codeOf(await bearer(`/api/v1/cameras/${north}/timeline?from=${from()}&to=${to()}`)), 'UNAUTHENTICATED');
    const { secret } = await app.identity.tokens.create(user.id, () => true, { name: 'short', permissions: ['recording.play'], days: 0.00001 }, testActor);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(codeOf(await app.server.inject({ method: 'GET', url: `/api/v1/cameras/${north}/timeline?from=${from()}&to=${to()}`, headers: { authorization: `Bearer ${secret}` } })), 'UNAUTHENTICATED', 'expired');
  });

  it('nobody grants to themselves, external users need an expiring grant, and the register lists who holds what, from whom, until when', async () => {
    const adminUser = await app.identity.users.create({ username: 'grant-admin', password: strongPassword() }, testActor);
    await app.identity.grants.grant(adminUser, { role: 'admin', scope: 'global' }, { audit: testActor, userId: null });
    const { token, session } = await app.identity.sessions.start(adminUser.id, 'test', true);
    const admin = (method: 'POST' | 'GET', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: { cookie: `${sessionCookieName}=${token}`, 'x-csrf-token': session.csrf }, ...(payload ? { payload } : {}) });
    const self = await admin('POST', '/api/v1/access/grants', { userId: adminUser.id, role: 'investigator', scope: 'global' });
    assert.equal(codeOf(self), 'SELF_APPROVAL');
    const contractor = await admin('POST', '/api/v1/users', { username: 'contractor', password: strongPassword(), external: true, expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() });
    assert.equal(contractor.statusCode, 201, contractor.body);
    const contractorId = contractor.json<{ id: string }>().id;
    const forever = await admin('POST', '/api/v1/access/grants', { userId: contractorId, role: 'viewer', scope: 'site:north' });
    assert.equal(codeOf(forever), 'VALIDATION_FAILED');
    const until = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const granted = await admin('POST', '/api/v1/access/grants', { userId: contractorId, role: 'viewer', scope: 'site:north', expiresAt: until });
    assert.equal(granted.statusCode, 201, granted.body);
    const auditor = await testPrincipal(app, { roles: ['auditor'] });
    const register = await auditor.inject({ method: 'GET', url: '/api/v1/access/register' });
    const row = register.json<{ username: string; role: string; scope: string; grantedBy: string; expiresAt: string | null; external: boolean }[]>().find((r) => r.username === 'contractor');
    assert.deepEqual(row && { role: row.role, scope: row.scope, grantedBy: row.grantedBy, expiresAt: row.expiresAt, external: row.external }, { role: 'viewer', scope: 'site:north', grantedBy: 'grant-admin', expiresAt: until, external: true });
    const csv = await auditor.inject({ method: 'GET', url: '/api/v1/access/register?format=csv' });
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    assert.match(csv.body, /^username,displayName,kind,external,accountExpiresAt,disabled,role,privileged,scope,grantedBy,grantedAt,expiresAt,source,userId\r\n/);
    assert.match(csv.body, new RegExp(`contractor,contractor,local,true,[^,]+,false,viewer,false,site:north,grant-admin,[^,]+,${until.replace(/\./g, '\\.')},manual,${contractorId}`));
    assert.equal(codeOf(await northOperator.inject({ method: 'GET', url: '/api/v1/access/register' })), 'FORBIDDEN');
  });

  it('a sensitive grant made through the API waits for a second administrator, who is neither the requester nor the grantee', async () => {
    const session = async (name: string) => {
      const user = await app.identity.users.create({ username: name, password: strongPassword() }, testActor);
      await app.identity.grants.grant(user, { role: 'admin', scope: 'global' }, { audit: testActor, userId: null });
      const { token, session: s } = await app.identity.sessions.start(user.id, 'test', true);
      return {
        user,
        send: (method: 'POST' | 'GET', url: string, payload?: object) =>
          app.server.inject({ method, url, headers: { cookie: `${sessionCookieName}=${token}`, 'x-csrf-token': s.csrf }, ...(payload ? { payload } : {}) }),
      };
    };
    const first = await session('admin-first');
    const second = await session('admin-second');
    const third = await session('admin-third');
    const filed = await first.send('POST', '/api/v1/access/grants', { userId: second.user.id, role: 'investigator', scope: 'global' });
    assert.equal(codeOf(filed), 'APPROVAL_REQUIRED', filed.body);
    const approvalId = filed.json<{ approvalId: string }>().approvalId;
    assert.equal((await app.identity.grants.effective(second.user.id)).some((g) => g.role === 'investigator'), false, 'nothing is granted yet');
    assert.equal(codeOf(await first.send('POST', `/api/v1/approvals/${approvalId}/decision`, { approve: true })), 'SELF_APPROVAL', 'not the requester');
    assert.equal(codeOf(await second.send('POST', `/api/v1/approvals/${approvalId}/decision`, { approve: true })), 'SELF_APPROVAL', 'not the grantee');
    const approved = await third.send('POST', `/api/v1/approvals/${approvalId}/decision`, { approve: true });
    assert.equal(approved.statusCode, 200, approved.body);
    const done = approved.json<{ status: string; grantId: string | null; action: string; cameraId: string | null }>();
    assert.deepEqual({ status: done.status, action: done.action, cameraId: done.cameraId }, { status: 'used', action: 'access.grant', cameraId: null });
    const grants = await app.identity.grants.ofUser(second.user.id);
    const made = grants.find((g) => g.id === done.grantId);
    assert.equal(made?.role, 'investigator');
    assert.equal(made?.grantedBy, `user:${first.user.id}`, 'granted by the requester');
    assert.equal(made?.source, `approved:${approvalId}`, 'the approval is named in the grant');
    // A non-sensitive role needs no second person.
    const viewerGrant = await first.send('POST', '/api/v1/access/grants', { userId: third.user.id, role: 'viewer', scope: 'site:north' });
    assert.equal(viewerGrant.statusCode, 201, viewerGrant.body);
  });
});
