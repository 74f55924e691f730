/**
 * Account resets (issue 11 item 1) against the real server (inject), real SQLite and the real
 * audit ledger: an administrator resetting the password or factors of an account that holds a
 * sensitive role needs a second administrator; every reset ends the account's sessions and API
 * tokens and removes its factors; the reset account signs in only with the password *and* the
 * one-time enrolment code (shown to the approver, never to the requester), and may then only
 * enrol a new factor. The host CLI resets at once (break-glass), audited.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import type { App } from '../../src/app.ts';
import { userCommand } from '../../src/cli/user.ts';
import { totpCode } from '../../src/identity/credentials/totp.ts';
import { sessionCookieName } from '../../src/identity/session-cookie.ts';
import { startDeferredTestApp } from '../helpers/harness.ts';
import { strongPassword, testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { BrowserSession, codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

async function addUser(app: App, username: string, roles: string[], password = strongPassword()) {
  const user = await app.identity.users.create({ username, password }, testActor);
  for (const role of roles) await app.identity.grants.grant(user, { role, scope: 'global' }, { audit: testActor, userId: null });
  return { user, password };
}

/** An administrator with a complete (MFA-verified) session, sending as the page does. */
async function adminSession(app: App, username: string) {
  const { user } = await addUser(app, username, ['admin']);
  const { token, session } = await app.identity.sessions.start(user.id, 'test', true);
  return {
    user,
    send: (method: 'POST' | 'GET' | 'PATCH', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: { cookie: `${sessionCookieName}=${token}`, 'x-csrf-token': session.csrf }, ...(payload ? { payload } : {}) }),
  };
}

async function ledgerRecords(app: App, type: string) {
  await app.ledger.drain();
  const auditor = await testPrincipal(app, { roles: ['auditor'], tokenPermissions: ['audit.read'] });
  const res = await auditor.inject({ method: 'GET', url: `/api/v1/audit/events?type=${type}&limit=500` });
  return res.json<{ events: { record: { actor: { kind: string; id: string }; target?: { id: string }; details?: Record<string, unknown> } }[] }>().events.map((e) => e.record);
}

test('resetting the password of an account with a sensitive role waits for a second administrator, ends its sessions and tokens, and the new password alone opens nothing', async (t) => {
  const { app } = await startDeferredTestApp(teardown(t), 'reset');
  const first = await adminSession(app, 'admin-one');
  const second = await adminSession(app, 'admin-two');
  const { user: ivan, password: oldPassword } = await addUser(app, 'ivan', ['investigator']);
  const { secret: ivanToken } = await app.identity.tokens.create(ivan.id, () => true, { name: 'ci', permissions: ['camera.read'], days: 1 }, testActor);
  const ivanBrowser = new BrowserSession(app, '192.0.2.10');
  assert.equal((await ivanBrowser.login('ivan', oldPassword)).stage, 'complete', 'an investigator needs no second factor');
  const asToken = () => app.server.inject({ method: 'GET', url: '/api/v1/cameras', headers: { authorization: `Bearer ${ivanToken}` } });
  assert.equal((await asToken()).statusCode, 200);

  const newPassword = strongPassword();
  const filed = await first.send('PATCH', `/api/v1/users/${ivan.id}`, { password: newPassword });
  assert.equal(codeOf(filed), 'APPROVAL_REQUIRED', filed.body);
  const approvalId = filed.json<{ approvalId: string }>().approvalId;
  assert.equal(codeOf(await new BrowserSession(app, '192.0.2.66').attempt('ivan', newPassword)), 'LOGIN_FAILED', 'nothing changed before the approval');
  assert.equal((await ivanBrowser.send('GET', '/api/v1/auth/me')).statusCode, 200, 'nor were sessions ended');
  const seen = await first.send('GET', `/api/v1/approvals/${approvalId}`);
  assert.equal(seen.json<{ action: string }>().action, 'account.reset');
  assert.doesNotMatch(seen.body, /argon2/, 'the pending password hash never leaves the server');
  assert.equal(codeOf(await first.send('POST', `/api/v1/approvals/${approvalId}/decision`, { approve: true })), 'SELF_APPROVAL');

  const approved = await second.send('POST', `/api/v1/approvals/${approvalId}/decision`, { approve: true });
  assert.equal(approved.statusCode, 200, approved.body);
  const { status, enrolmentCode } = approved.json<{ status: string; enrolmentCode?: string }>();
  assert.equal(status, 'used');
  assert.match(enrolmentCode ?? '', /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/, 'the approver receives the enrolment code, once');
  assert.doesNotMatch((await second.send('GET', `/api/v1/approvals/${approvalId}`)).body, new RegExp(enrolmentCode!), 'and it is not shown again');
  assert.equal(codeOf(await ivanBrowser.send('GET', '/api/v1/auth/me')), 'UNAUTHENTICATED', 'the sessions ended');
  assert.equal(codeOf(await asToken()), 'UNAUTHENTICATED', 'the API tokens ended');
  assert.notEqual((await first.send('GET', `/api/v1/users/${ivan.id}`)).json<{ resetAt: string | null }>().resetAt, null, 'the user list shows the reset pending');

  // The requester knows the new password, but that alone signs in to nothing.
  const requester = new BrowserSession(app, '192.0.2.66');
  assert.equal((await requester.login('ivan', newPassword)).stage, 'second-factor');
  assert.equal(codeOf(await requester.send('GET', '/api/v1/cameras')), 'MFA_REQUIRED');
  assert.equal(codeOf(await requester.send('POST', '/api/v1/exports', {})), 'MFA_REQUIRED');
  assert.equal(codeOf(await requester.send('POST', '/api/v1/auth/totp/enrol')), 'MFA_REQUIRED', 'no factor of the requester\'s own');
  assert.equal(codeOf(await requester.send('POST', '/api/v1/auth/passkey/register/options')), 'MFA_REQUIRED');
  assert.equal(codeOf(await requester.send('POST', '/api/v1/auth/recovery/verify', { code: 'aaaa-bbbb-cccc' })), 'LOGIN_FAILED');

  // The user, with the password from one administrator and the code from the other.
  const user = new BrowserSession(app, '192.0.2.10');
  await user.login('ivan', newPassword);
  const entered = await user.send('POST', '/api/v1/auth/recovery/verify', { code: enrolmentCode });
  assert.equal(entered.statusCode, 200, entered.body);
  assert.equal(entered.json<{ stage: string }>().stage, 'enrol');
  const blocked = await user.send('GET', '/api/v1/cameras');
  assert.equal(codeOf(blocked), 'MFA_REQUIRED');
  assert.equal(blocked.json<{ stage: string }>().stage, 'enrol', 'only enrolment is open');
  const secret = (await user.send('POST', '/api/v1/auth/totp/enrol')).json<{ secret: string }>().secret;
  const confirmed = await user.send('POST', '/api/v1/auth/totp/confirm', { code: totpCode(secret, Date.now()) });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  assert.equal(confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes.length, 10, 'fresh recovery codes replace the enrolment code');
  assert.equal((await user.send('GET', '/api/v1/cameras')).statusCode, 200);
  assert.equal((await app.identity.users.get(ivan.id)).resetMs, null, 'the reset is over');
  assert.equal((await first.send('GET', `/api/v1/users/${ivan.id}`)).json<{ resetAt: string | null }>().resetAt, null);
  assert.equal(codeOf(await new BrowserSession(app, '192.0.2.67').send('POST', '/api/v1/auth/recovery/verify', { code: enrolmentCode })), 'UNAUTHENTICATED');

  const resets = await ledgerRecords(app, 'account.reset');
  assert.deepEqual(
    resets.map((r) => ({ actor: r.actor.id, target: r.target?.id, approvalId: r.details?.approvalId, password: r.details?.password })),
    [{ actor: `user:${second.user.id}`, target: `user:${ivan.id}`, approvalId, password: true }],
  );
  const alarms = await ledgerRecords(app, 'alarm.raised');
  assert.ok(alarms.some((a) => a.details?.rule === 'account-reset'), 'every reset raises an alarm');
});

test('every reset through the API is four-eyes, so an administrator cannot reset a viewer alone and have a sensitive role granted to them later', async (t) => {
  const { app } = await startDeferredTestApp(teardown(t), 'reset-factors');
  const admin = await adminSession(app, 'admin-solo');
  const { user: kim } = await addUser(app, 'kim', ['key-custodian']);
  const factors = await admin.send('PATCH', `/api/v1/users/${kim.id}`, { resetFactors: true });
  assert.equal(codeOf(factors), 'APPROVAL_REQUIRED', factors.body);
  assert.equal((await app.identity.users.get(kim.id)).resetMs, null, 'not reset before the approval');
  const { user: vera } = await addUser(app, 'vera', ['viewer']);
  const viewer = await admin.send('PATCH', `/api/v1/users/${vera.id}`, { password: strongPassword() });
  assert.equal(codeOf(viewer), 'APPROVAL_REQUIRED', 'a viewer too: a sensitive grant could follow the reset');
  assert.equal(codeOf(await admin.send('PATCH', `/api/v1/users/${vera.id}`, { password: strongPassword(), disabled: true })), 'VALIDATION_FAILED');
});

test('with four-eyes turned off, a reset is made at once: sessions and tokens ended, the enrolment code returned to the administrator', async (t) => {
  const { app } = await startDeferredTestApp(teardown(t), 'reset-alone', { 'identity.grantApproval': 'none' });
  const admin = await adminSession(app, 'admin-solo');
  const { user: vera, password } = await addUser(app, 'vera', ['viewer']);
  const { secret: token } = await app.identity.tokens.create(vera.id, () => true, { name: 'wall', permissions: ['camera.read'], days: 1 }, testActor);
  const browser = new BrowserSession(app, '192.0.2.20');
  await browser.login('vera', password);
  const newPassword = strongPassword();
  const reset = await admin.send('PATCH', `/api/v1/users/${vera.id}`, { password: newPassword });
  assert.equal(reset.statusCode, 200, reset.body);
  const code = reset.json<{ enrolmentCode?: string }>().enrolmentCode;
  assert.ok(code, 'the enrolment code is returned to the administrator when no approval was needed');
  assert.equal(codeOf(await browser.send('GET', '/api/v1/auth/me')), 'UNAUTHENTICATED');
  assert.equal(codeOf(await app.server.inject({ method: 'GET', url: '/api/v1/cameras', headers: { authorization: `Bearer ${token}` } })), 'UNAUTHENTICATED');
  const again = new BrowserSession(app, '192.0.2.20');
  assert.equal((await again.login('vera', newPassword)).stage, 'second-factor', 'a reset account gives its enrolment code next');
  assert.equal((await again.send('POST', '/api/v1/auth/recovery/verify', { code })).json<{ stage: string }>().stage, 'enrol');
});

test('the host CLI resets an account at once as break-glass: the enrolment code on stdout, an account.reset event naming the operating-system user', async (t) => {
  const defer = teardown(t);
  const { app, dataDir } = await startDeferredTestApp(defer, 'reset-cli');
  const { user: ada } = await addUser(app, 'ada', ['admin']);
  const { secret: token } = await app.identity.tokens.create(ada.id, () => true, { name: 'ops', permissions: ['camera.read'], days: 1 }, testActor);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.resume();
  const code = await userCommand.run(['password', 'ada', '--data-dir', dataDir], { stdout, stderr, stdin: Readable.from([`${strongPassword()}\n`]), env: {} });
  assert.equal(code, 0);
  assert.match(out.trim(), /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
  assert.notEqual((await app.identity.users.get(ada.id)).resetMs, null);
  assert.equal(codeOf(await app.server.inject({ method: 'GET', url: '/api/v1/cameras', headers: { authorization: `Bearer ${token}` } })), 'UNAUTHENTICATED', 'the tokens ended');
  const resets = await ledgerRecords(app, 'account.reset');
  assert.equal(resets.length, 1);
  assert.equal(resets[0]?.actor.kind, 'cli');
  assert.equal(resets[0]?.details?.approvalId, null);
});
