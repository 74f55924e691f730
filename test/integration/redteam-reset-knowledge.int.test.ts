/**
 * Red-team review of ADR 0014 (account resets, split knowledge): the requester of a reset knows
 * the password, the approver gets the enrolment code. Nothing makes the user change that
 * password, so whoever set it (the reset's requester, or the administrator who created the
 * account) still knows it later: if they approve a factors-only reset someone else filed, they
 * hold both halves. Real: SQLite, the server (inject), TOTP, the audit ledger.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { App } from '../../src/app.ts';
import { totpCode } from '../../src/identity/credentials/totp.ts';
import { sessionCookieName } from '../../src/identity/session-cookie.ts';
import { startDeferredTestApp } from '../helpers/harness.ts';
import { strongPassword } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { BrowserSession, codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

async function admin(app: App, username: string) {
  const user = await app.identity.users.create({ username, password: strongPassword() }, testActor);
  await app.identity.grants.grant(user, { role: 'admin', scope: 'global' }, { audit: testActor, userId: null });
  const { token, session } = await app.identity.sessions.start(user.id, 'test', true);
  return {
    user,
    send: (method: 'POST' | 'GET' | 'PATCH', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: { cookie: `${sessionCookieName}=${token}`, 'x-csrf-token': session.csrf }, ...(payload ? { payload } : {}) }),
  };
}

/** The user signs in with password and enrolment code and enrols TOTP, as the page does. */
async function enrolAfterReset(app: App, address: string, username: string, password: string, code: string): Promise<void> {
  const browser = new BrowserSession(app, address);
  await browser.login(username, password);
  assert.equal((await browser.send('POST', '/api/v1/auth/recovery/verify', { code })).statusCode, 200);
  const begun = await browser.send('POST', '/api/v1/auth/totp/enrol');
  assert.equal(begun.statusCode, 200, begun.body);
  const secret = begun.json<{ secret: string }>().secret;
  const confirmed = await browser.send('POST', '/api/v1/auth/totp/confirm', { code: totpCode(secret, Date.now()) });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
}

test('whoever chose the current password of an account cannot approve a factors-only reset of it, which would hand them the enrolment code too', async (t) => {
  const { app } = await startDeferredTestApp(teardown(t), 'redteam-reset-knowledge');
  const alice = await admin(app, 'alice-admin');
  const bob = await admin(app, 'bob-admin');
  const carol = await admin(app, 'carol-admin');
  const target = await app.identity.users.create({ username: 'ivan-investigator', password: strongPassword() }, testActor);
  await app.identity.grants.grant(target, { role: 'investigator', scope: 'global' }, { audit: testActor, userId: null });

  // Alice resets Ivan's password (she chooses it), Bob approves and passes the code to Ivan, who enrols.
  const chosen = strongPassword();
  const filed = await alice.send('PATCH', `/api/v1/users/${target.id}`, { password: chosen });
  assert.equal(codeOf(filed), 'APPROVAL_REQUIRED');
  const first = await bob.send('POST', `/api/v1/approvals/${filed.json<{ approvalId: string }>().approvalId}/decision`, { approve: true });
  assert.equal(first.statusCode, 200, first.body);
  await enrolAfterReset(app, '192.0.2.80', 'ivan-investigator', chosen, first.json<{ enrolmentCode: string }>().enrolmentCode);

  // Ivan loses his phone; Carol files a factors-only reset. Alice still knows the password.
  const lost = await carol.send('PATCH', `/api/v1/users/${target.id}`, { resetFactors: true });
  assert.equal(codeOf(lost), 'APPROVAL_REQUIRED');
  const approvalId = lost.json<{ approvalId: string }>().approvalId;
  const byAlice = await alice.send('POST', `/api/v1/approvals/${approvalId}/decision`, { approve: true });
  assert.equal(codeOf(byAlice), 'SELF_APPROVAL', byAlice.body);
  assert.equal(byAlice.json<{ enrolmentCode?: string }>().enrolmentCode, undefined);
  assert.equal((await app.identity.users.get(target.id)).resetMs, null, 'not reset');
  // Bob never knew the password: he may approve it.
  const byBob = await bob.send('POST', `/api/v1/approvals/${approvalId}/decision`, { approve: true });
  assert.equal(byBob.statusCode, 200, byBob.body);
});

test('the administrator who created an account, while its first password is unchanged, cannot approve a factors-only reset of it', async (t) => {
  const { app } = await startDeferredTestApp(teardown(t), 'redteam-reset-creator');
  const alice = await admin(app, 'alice-admin');
  const carol = await admin(app, 'carol-admin');
  const password = strongPassword();
  const created = await alice.send('POST', '/api/v1/users', { username: 'nina-new', password });
  assert.equal(created.statusCode, 201, created.body);
  const nina = created.json<{ id: string }>();
  const lost = await carol.send('PATCH', `/api/v1/users/${nina.id}`, { resetFactors: true });
  const approvalId = lost.json<{ approvalId: string }>().approvalId;
  assert.equal(codeOf(await alice.send('POST', `/api/v1/approvals/${approvalId}/decision`, { approve: true })), 'SELF_APPROVAL');
});
