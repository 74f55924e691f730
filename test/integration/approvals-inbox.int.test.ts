/**
 * The four-eyes inbox (issue 19 item 5): `GET /api/v1/approvals?view=inbox` lists the pending
 * requests the caller can decide now (not their own, their permission on the camera), each
 * request says `canDecide`, and who decided stays visible. Real: the app (inject), SQLite, API
 * tokens of real roles, the approvals service.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDeferredTestApp } from '../helpers/harness.ts';
import { testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

interface ApprovalBody {
  id: string;
  status: string;
  requestedBy: string;
  decidedBy: string | null;
  canDecide: boolean;
}

test('the inbox holds what I can decide, not my own requests; after the decision it names who decided', async (t) => {
  const defer = teardown(t);
  const { app } = await startDeferredTestApp(defer, 'approvals-inbox');
  await app.identity.sites.createSite({ id: 'north', name: 'North', fourEyes: true }, testActor);
  const gate = await app.cameras.add({ name: 'Gate', url: 'rtsp://127.0.0.1:9/gate', enabled: false, siteId: 'north' }, testActor);
  const asker = await testPrincipal(app, { roles: ['investigator'] });
  const judge = await testPrincipal(app, { roles: ['investigator'] });
  const elsewhere = await testPrincipal(app, { roles: ['investigator'], scope: 'site:default' });
  const viewer = await testPrincipal(app, { roles: ['viewer'] });
  const filed = await asker.inject({ method: 'POST', url: '/api/v1/approvals', payload: { action: 'privacy.unmask', cameraId: gate.id, reason: 'identify a vehicle' } });
  assert.equal(filed.statusCode, 201, filed.body);
  const id = filed.json<ApprovalBody>().id;
  const view = async (who: typeof asker, v: string) => (await who.inject({ method: 'GET', url: `/api/v1/approvals?view=${v}` })).json<ApprovalBody[]>();

  assert.deepEqual((await view(judge, 'inbox')).map((a) => [a.id, a.canDecide]), [[id, true]], 'the second investigator can decide it');
  assert.deepEqual(await view(asker, 'inbox'), [], 'one\'s own request is not in one\'s inbox');
  assert.deepEqual((await view(asker, 'mine')).map((a) => [a.id, a.canDecide]), [[id, false]]);
  assert.deepEqual(await view(judge, 'mine'), []);
  assert.deepEqual(await view(elsewhere, 'inbox'), [], 'out of scope: not in the inbox');
  assert.deepEqual(await view(viewer, 'inbox'), [], 'without the permission: not in the inbox');
  assert.equal((await asker.inject({ method: 'GET', url: '/api/v1/approvals?view=everything' })).statusCode, 400);

  const decided = await judge.inject({ method: 'POST', url: `/api/v1/approvals/${id}/decision`, payload: { approve: true, reason: 'plate needed for the case' } });
  assert.equal(decided.statusCode, 200, decided.body);
  assert.deepEqual(await view(judge, 'inbox'), [], 'decided: out of the inbox');
  const [mine] = await view(asker, 'all');
  assert.equal(mine?.status, 'approved');
  assert.equal(mine?.decidedBy, `user:${judge.user.id}`, 'the requester sees who decided');
  assert.equal(mine?.canDecide, false);
  const one = (await judge.inject({ method: 'GET', url: `/api/v1/approvals/${id}` })).json<ApprovalBody>();
  assert.equal(one.canDecide, false);
});
