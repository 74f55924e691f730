/**
 * Red-team review of issue 11 item 6 beyond the login routes: a refused request of an
 * authenticated caller is an `access.denied` leaf. A session that has only passed the password
 * step (a stolen password, no second factor) is refused everywhere with MFA_REQUIRED; one such
 * session, or any caller repeating a refused request, must not fill the ledger under the
 * account's name. Real: SQLite, the server (inject), the audit ledger.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { App } from '../../src/app.ts';
import { sessionCookieName } from '../../src/identity/session-cookie.ts';
import { startDeferredTestApp } from '../helpers/harness.ts';
import { strongPassword, testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

describe('Red team: refused requests of one caller do not fill the ledger', () => {
  let app: App;
  const defer = teardown({ after });

  before(async () => {
    ({ app } = await startDeferredTestApp(defer, 'redteam-denials'));
  });

  /** The `access.denied` records of actor `user:<id>`, or (`anyToken`) of any API token. */
  async function denials(userId: string, anyToken = false): Promise<{ details?: Record<string, unknown> }[]> {
    await app.ledger.drain();
    const auditor = await testPrincipal(app, { roles: ['auditor'] });
    const res = await auditor.inject({ method: 'GET', url: '/api/v1/audit/events?type=access.denied&limit=1000' });
    assert.equal(res.statusCode, 200, res.body);
    return res
      .json<{ events: { record: { actor: { id: string }; details?: Record<string, unknown> } }[] }>()
      .events.map((e) => e.record)
      .filter((r) => r.actor.id === `user:${userId}` || (anyToken && r.actor.id.startsWith('token:')));
  }

  it('a session past the password step only, refused 120 times with MFA_REQUIRED, is one summarised access.denied per route and minute', async () => {
    const user = await app.identity.users.create({ username: 'rt-admin-pending', password: strongPassword() }, testActor);
    await app.identity.grants.grant(user, { role: 'admin', scope: 'global' }, { audit: testActor, userId: null });
    const { token } = await app.identity.sessions.start(user.id, 'password', false);
    const get = (url: string) => app.server.inject({ method: 'GET', url, headers: { cookie: `${sessionCookieName}=${token}` } });
    for (let round = 0; round < 6; round++) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => get('/api/v1/users')));
      for (const a of answers) assert.equal(codeOf(a), 'MFA_REQUIRED');
    }
    assert.equal(codeOf(await get('/api/v1/cameras')), 'MFA_REQUIRED');
    const recorded = await denials(user.id);
    assert.ok(recorded.length >= 2 && recorded.length <= 4, `one event per route and minute, not one per request: ${recorded.length} events`);
  });

  it('a refused request repeated by a viewer with an API token is summarised too: the first refusal of a window is recorded at once', async () => {
    const viewer = await testPrincipal(app, { roles: ['viewer'] });
    for (let i = 0; i < 30; i++) assert.equal(codeOf(await viewer.inject({ method: 'GET', url: '/api/v1/users' })), 'FORBIDDEN');
    const recorded = await denials(viewer.user.id, true);
    assert.ok(recorded.length >= 1 && recorded.length <= 2, `${recorded.length} events for 30 refusals`);
    assert.equal(recorded[0]!.details?.refused ?? 1, 1, 'the first refusal of a window is recorded at once');
  });
});
