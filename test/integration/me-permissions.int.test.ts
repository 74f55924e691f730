/**
 * What the page needs to hide what a user cannot do (issue 19 item 6): `GET /api/v1/auth/me`
 * gives the effective permissions per scope, limited by a token's permissions. Real: the app
 * (inject), SQLite, grants on a site and globally, a login session and an API token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDeferredTestApp } from '../helpers/harness.ts';
import { strongPassword } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { BrowserSession } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

interface Me {
  permissions: string[];
  permissionsByScope: { scope: string; permissions: string[] }[];
}

test('me lists the effective permissions per scope, and a token sees only what it may use', async (t) => {
  const defer = teardown(t);
  const { app } = await startDeferredTestApp(defer, 'me-scopes');
  await app.identity.sites.createSite({ id: 'north', name: 'North', fourEyes: false }, testActor);
  const password = strongPassword();
  const user = await app.identity.users.create({ username: 'nadia', password }, testActor);
  await app.identity.grants.grant(user, { role: 'viewer', scope: 'global' }, { audit: testActor, userId: null });
  await app.identity.grants.grant(user, { role: 'investigator', scope: 'site:north' }, { audit: testActor, userId: null });
  const browser = new BrowserSession(app);
  assert.equal((await browser.login('nadia', password)).stage, 'complete');
  const me = (await browser.send('GET', '/api/v1/auth/me')).json<Me>();
  assert.deepEqual(me.permissionsByScope, [
    { scope: 'global', permissions: ['camera.read', 'live.view'] },
    { scope: 'site:north', permissions: ['camera.read', 'live.view', 'privacy.unmask', 'recording.bookmark', 'recording.export', 'recording.hold', 'recording.play'] },
  ]);
  assert.ok(me.permissions.includes('recording.export'), 'the flat list still holds every permission held somewhere');

  const token = (await browser.send('POST', '/api/v1/auth/tokens', { name: 'wall', permissions: ['live.view'], days: 1 })).json<{ token: string }>().token;
  const viaToken = (await app.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } })).json<Me>();
  assert.deepEqual(viaToken.permissionsByScope, [
    { scope: 'global', permissions: ['live.view'] },
    { scope: 'site:north', permissions: ['live.view'] },
  ]);
});
