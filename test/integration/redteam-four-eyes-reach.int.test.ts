/**
 * Red-team review of ADR 0012 (four-eyes over the bytes): a grant carrying playback, export or
 * unmasking that covers a four-eyes site is sensitive (a second administrator approves it). A
 * grant made on an ordinary group or camera must not gain that reach afterwards by one
 * administrator changing where cameras sit (a group's members, a camera's site). Real: SQLite,
 * the HTTPS server (inject), the audit ledger; the cameras point at a closed port (no footage
 * is needed to show who may play back).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/app.ts';
import { sessionCookieName } from '../../src/identity/session-cookie.ts';
import { freePort, startDeferredTestApp } from '../helpers/harness.ts';
import { strongPassword } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

interface SessionUser {
  readonly id: string;
  send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object): Promise<LightMyRequestResponse>;
}

describe('Red team: an ordinary footage grant cannot be widened over a four-eyes site by moving cameras', () => {
  let app: App;
  let vault = '';
  let yard = '';
  let port = 0;
  let n = 0;
  const defer = teardown({ after });
  const range = () => `from=${new Date(Date.now() - 60_000).toISOString()}&to=${new Date().toISOString()}`;

  async function sessionUser(role: string | null, scope = 'global'): Promise<SessionUser> {
    const user = await app.identity.users.create({ username: `rt-${role ?? 'none'}-${++n}`, password: strongPassword() }, testActor);
    if (role) await app.identity.grants.grant(user, { role, scope }, { audit: testActor, userId: null });
    return sessionOf(user.id);
  }

  /** A new logged-in session (a grant ends the grantee's sessions). */
  async function sessionOf(userId: string): Promise<SessionUser> {
    const user = { id: userId };
    const { token, session } = await app.identity.sessions.start(user.id, 'test', true);
    return {
      id: user.id,
      send: (method, url, payload) =>
        app.server.inject({ method, url, headers: { cookie: `${sessionCookieName}=${token}`, 'x-csrf-token': session.csrf }, ...(payload ? { payload } : {}) }),
    };
  }

  const camera = async (name: string, siteId: string) => (await app.cameras.add({ name, url: `rtsp://127.0.0.1:${port}/${name.replace(/\W/g, '')}`, siteId }, testActor)).id;

  before(async () => {
    port = await freePort();
    ({ app } = await startDeferredTestApp(defer, 'redteam-reach'));
    await app.identity.sites.createSite({ id: 'vault', name: 'Vault', fourEyes: true }, testActor);
    await app.identity.sites.createSite({ id: 'yard', name: 'Yard', fourEyes: false }, testActor);
    vault = await camera('Vault door', 'vault');
    yard = await camera('Yard gate', 'yard');
  });

  it('one administrator cannot put a four-eyes camera into a group whose ordinary playback grant was never approved', async () => {
    const admin = await sessionUser('admin');
    const operator = await sessionUser(null);
    assert.equal((await admin.send('POST', '/api/v1/groups', { id: 'lobby', name: 'Lobby', cameraIds: [yard] })).statusCode, 201);
    const granted = await admin.send('POST', '/api/v1/access/grants', { userId: operator.id, role: 'operator', scope: 'group:lobby' });
    assert.equal(granted.statusCode, 201, 'playback on a group of ordinary cameras is not sensitive');
    const widened = await admin.send('PATCH', '/api/v1/groups/lobby', { cameraIds: [yard, vault] });
    assert.equal(codeOf(widened), 'CONFLICT', widened.body);
    assert.match(widened.json<{ detail: string }>().detail, /group:lobby/);
    assert.equal((await (await sessionOf(operator.id)).send('GET', `/api/v1/cameras/${vault}/timeline?${range()}`)).statusCode, 404, 'the operator still has no reach over the four-eyes camera');
    // The way through: revoke the ordinary grant, change the group, grant again (now four-eyes).
    assert.equal((await admin.send('DELETE', `/api/v1/access/grants/${granted.json<{ id: string }>().id}`)).statusCode, 204);
    assert.equal((await admin.send('PATCH', '/api/v1/groups/lobby', { cameraIds: [yard, vault] })).statusCode, 200);
    assert.equal(codeOf(await admin.send('POST', '/api/v1/access/grants', { userId: operator.id, role: 'operator', scope: 'group:lobby' })), 'APPROVAL_REQUIRED');
  });

  it('a grant without footage rights (live view only) does not stop a four-eyes camera joining its group', async () => {
    const admin = await sessionUser('admin');
    const viewer = await sessionUser(null);
    assert.equal((await admin.send('POST', '/api/v1/groups', { id: 'doors', name: 'Doors', cameraIds: [yard] })).statusCode, 201);
    assert.equal((await admin.send('POST', '/api/v1/access/grants', { userId: viewer.id, role: 'viewer', scope: 'group:doors' })).statusCode, 201);
    assert.equal((await admin.send('PATCH', '/api/v1/groups/doors', { cameraIds: [yard, vault] })).statusCode, 200, 'live view only: no footage reach to widen');
  });

  it('one administrator cannot move a camera carrying an ordinary playback grant (on itself or on one of its groups) into a four-eyes site', async () => {
    const admin = await sessionUser('admin');
    const operator = await sessionUser(null);
    const gate = await camera('Side gate', 'yard');
    assert.equal((await admin.send('POST', '/api/v1/access/grants', { userId: operator.id, role: 'operator', scope: `camera:${gate}` })).statusCode, 201);
    const moved = await admin.send('PATCH', `/api/v1/cameras/${gate}`, { siteId: 'vault' });
    assert.equal(codeOf(moved), 'CONFLICT', moved.body);
    assert.equal((await app.cameras.get(gate)).siteId, 'yard');

    const dock = await camera('Dock', 'yard');
    assert.equal((await admin.send('POST', '/api/v1/groups', { id: 'docks', name: 'Docks', cameraIds: [dock] })).statusCode, 201);
    const other = await sessionUser(null);
    assert.equal((await admin.send('POST', '/api/v1/access/grants', { userId: other.id, role: 'operator', scope: 'group:docks' })).statusCode, 201);
    const movedToo = await admin.send('PATCH', `/api/v1/cameras/${dock}`, { siteId: 'vault' });
    assert.equal(codeOf(movedToo), 'CONFLICT', movedToo.body);

    const bare = await camera('Loading bay', 'yard');
    assert.equal((await admin.send('PATCH', `/api/v1/cameras/${bare}`, { siteId: 'vault' })).statusCode, 200, 'a camera no ordinary footage grant names moves freely into a four-eyes site');
  });

  it('a playback grant and a group change sent together never both pass: one of them sees the other', async () => {
    const admin = await sessionUser('admin');
    for (let i = 0; i < 6; i++) {
      const operator = await sessionUser(null);
      assert.equal((await admin.send('POST', '/api/v1/groups', { id: `race-${i}`, name: `Race ${i}`, cameraIds: [yard] })).statusCode, 201);
      const [granted, widened] = await Promise.all([
        admin.send('POST', '/api/v1/access/grants', { userId: operator.id, role: 'operator', scope: `group:race-${i}` }),
        admin.send('PATCH', `/api/v1/groups/race-${i}`, { cameraIds: [yard, vault] }),
      ]);
      assert.ok(!(granted.statusCode === 201 && widened.statusCode === 200), `round ${i}: an unapproved playback grant reached the four-eyes camera`);
    }
  });
});
