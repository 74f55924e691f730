/**
 * Logins against the real server (inject), real SQLite and the real audit ledger: lockout and
 * the per-address rate limit, session fixation, CSRF, idle and absolute timeouts on an injected
 * clock, mandatory MFA for privileged roles, TOTP replay, recovery codes, the one-time setup
 * token, and binding to every interface now that nothing answers without a login.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { App } from '../../src/app.ts';
import { totpCode } from '../../src/identity/credentials/totp.ts';
import { memoryLog, startDeferredTestApp, tempDir } from '../helpers/harness.ts';
import { strongPassword, testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { BrowserSession, codeOf } from '../helpers/login.ts';
import { teardown, type AfterHookHost } from '../helpers/teardown.ts';

/** A clock the test moves by hand. */
function manualClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

async function withApp(t: AfterHookHost, overrides: Record<string, unknown> = {}, clock?: { now(): number }): Promise<App> {
  return (await startDeferredTestApp(teardown(t), 'identity', overrides, clock)).app;
}

async function addUser(app: App, username: string, roles: string[], password = strongPassword()) {
  const user = await app.identity.users.create({ username, password }, testActor);
  for (const role of roles) await app.identity.grants.grant(user, { role, scope: 'global' }, { audit: testActor, userId: null });
  return { user, password };
}

async function eventsOf(app: App, type: string): Promise<{ outcome: string; reason?: string; actor: { id: string }; details?: Record<string, unknown> }[]> {
  await app.ledger.drain();
  const { records } = await readLedger(app, type);
  return records;
}

async function readLedger(app: App, type: string) {
  const auditor = await app.identity.users.create({ username: `aud-${Math.random().toString(36).slice(2, 8)}`, password: strongPassword() }, testActor);
  await app.identity.grants.grant(auditor, { role: 'auditor', scope: 'global' }, { audit: testActor, userId: null });
  const { secret } = await app.identity.tokens.create(auditor.id, () => true, { name: 'read', permissions: ['audit.read'], days: 1 }, testActor);
  const res = await app.server.inject({ method: 'GET', url: `/api/v1/audit/events?type=${type}&limit=500`, headers: { authorization: `Bearer ${secret}` } });
  return { records: res.json<{ events: { record: { outcome: string; reason?: string; actor: { id: string }; details?: Record<string, unknown> } }[] }>().events.map((e) => e.record) };
}

test('five failures lock an account name for the window, existing or not, with the same answers and an auth.lockout event', async (t) => {
  const clock = manualClock();
  const app = await withApp(t, { 'identity.addressAttemptsPerMinute': 1000 }, clock);
  const { password } = await addUser(app, 'olga', ['viewer']);
  const answers = async (name: string) => {
    const client = new BrowserSession(app);
    const out: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await client.attempt(name, 'wrong-password-123456');
      out.push(`${res.statusCode} ${codeOf(res)}`);
    }
    return out;
  };
  const real = await answers('olga');
  const ghost = await answers('nobody-here');
  assert.deepEqual(real, [...Array(5).fill('401 LOGIN_FAILED'), '429 RATE_LIMITED']);
  assert.deepEqual(ghost, real, 'an unknown account name answers exactly like a real one');
  const locked = await new BrowserSession(app).attempt('olga', password);
  assert.equal(codeOf(locked), 'RATE_LIMITED', 'the right password does not open a locked account');
  const lockouts = await eventsOf(app, 'auth.lockout');
  assert.equal(lockouts.length, 2, 'one lockout event per locked name');
  const failed = await eventsOf(app, 'auth.login.failed');
  assert.ok(failed.some((e) => e.reason === 'wrong password') && failed.some((e) => e.reason === 'unknown account'), 'the real reasons are in the ledger');
  clock.advance(15 * 60_000 + 1);
  const later = await new BrowserSession(app).attempt('olga', password);
  assert.equal(later.statusCode, 200, later.body);
});

test('one address is limited per minute whatever the account names, and released a minute later', async (t) => {
  const clock = manualClock();
  const app = await withApp(t, { 'identity.addressAttemptsPerMinute': 4 }, clock);
  const { password } = await addUser(app, 'pavel', ['viewer']);
  const client = new BrowserSession(app, '198.51.100.7');
  for (let i = 0; i < 4; i++) assert.equal(codeOf(await client.attempt(`name-${i}`, 'x-wrong-password-x')), 'LOGIN_FAILED');
  assert.equal(codeOf(await client.attempt('pavel', password)), 'RATE_LIMITED');
  assert.equal((await new BrowserSession(app, '198.51.100.8').attempt('pavel', password)).statusCode, 200, 'another address is not affected');
  clock.advance(60_001);
  assert.equal((await client.attempt('pavel', password)).statusCode, 200);
});

test('a session token planted before login is never promoted: login and the second factor each issue a new one', async (t) => {
  const app = await withApp(t);
  const { user, password } = await addUser(app, 'quinn', ['auditor']);
  // The attacker's own session, planted in the victim's browser.
  const planted = await app.identity.sessions.start(user.id, 'password', false);
  const client = new BrowserSession(app);
  client.sessionToken = planted.token;
  const login = await client.attempt('quinn', password);
  assert.equal(login.json<{ stage: string }>().stage, 'enrol');
  assert.notEqual(client.sessionToken, planted.token, 'login set a new session cookie');
  const afterPassword = client.sessionToken;
  const enrol = await client.send('POST', '/api/v1/auth/totp/enrol');
  const secret = enrol.json<{ secret: string }>().secret;
  const confirmed = await client.send('POST', '/api/v1/auth/totp/confirm', { code: totpCode(secret, Date.now()) });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  assert.notEqual(client.sessionToken, afterPassword, 'the verified second factor rotated the session');
  const stale = new BrowserSession(app);
  stale.sessionToken = afterPassword;
  assert.equal((await stale.send('GET', '/api/v1/auth/me')).statusCode, 401, 'the pre-MFA token is dead');
  assert.equal((await client.send('GET', '/api/v1/audit/events?limit=1')).statusCode, 200, 'the new one carries the second factor');
});

test('cookie-authenticated changes need the session CSRF token and our origin; bearer tokens need neither', async (t) => {
  const app = await withApp(t);
  const { password } = await addUser(app, 'rita', ['operator']);
  const client = new BrowserSession(app);
  await client.attempt('rita', password);
  const noToken = await client.send('POST', '/api/v1/auth/logout', undefined, { csrf: false });
  assert.equal(codeOf(noToken), 'CSRF_FAILED');
  const foreign = await client.send('POST', '/api/v1/auth/logout', undefined, { origin: 'https://evil.example' });
  assert.equal(codeOf(foreign), 'CSRF_FAILED');
  const wrong = client.csrfToken;
  client.csrfToken = 'not-the-token';
  assert.equal(codeOf(await client.send('POST', '/api/v1/auth/logout')), 'CSRF_FAILED');
  client.csrfToken = wrong;
  assert.equal((await client.send('GET', '/api/v1/auth/me')).statusCode, 200, 'reads need no CSRF token, and the refused logouts did nothing');
  assert.equal((await client.send('POST', '/api/v1/auth/logout')).statusCode, 204);
  assert.equal((await client.send('GET', '/api/v1/auth/me')).statusCode, 401, 'logged out');
  // A form post from another site is refused before anything runs.
  const form = await app.server.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `username=rita&password=${encodeURIComponent(password)}` });
  assert.equal(form.statusCode, 400);
  // Automation with a bearer token sends no cookie, so it carries no CSRF risk and no token.
  const admin = await testPrincipal(app, { roles: ['admin'] });
  const site = await admin.inject({ method: 'POST', url: '/api/v1/sites', payload: { id: 'depot', name: 'Depot' } });
  assert.equal(site.statusCode, 201, site.body);
});

test('sessions end after 15 minutes idle and 12 hours after login however active', async (t) => {
  const clock = manualClock();
  const app = await withApp(t, {}, clock);
  const { password } = await addUser(app, 'sam', ['viewer']);
  const idle = new BrowserSession(app);
  await idle.attempt('sam', password);
  clock.advance(14 * 60_000);
  assert.equal((await idle.send('GET', '/api/v1/auth/me')).statusCode, 200, '14 minutes idle is fine');
  clock.advance(15 * 60_000);
  assert.equal(codeOf(await idle.send('GET', '/api/v1/auth/me')), 'UNAUTHENTICATED', '15 minutes idle ends it');
  const busy = new BrowserSession(app);
  await busy.attempt('sam', password);
  for (let minutes = 10; minutes < 12 * 60; minutes += 10) {
    clock.advance(10 * 60_000);
    assert.equal((await busy.send('GET', '/api/v1/cameras')).statusCode, 200, `active at ${minutes} min`);
  }
  clock.advance(10 * 60_000);
  assert.equal(codeOf(await busy.send('GET', '/api/v1/cameras')), 'UNAUTHENTICATED', 'ended at 12 h');
  const ended = await eventsOf(app, 'auth.login.succeeded');
  assert.equal(ended.length, 2);
});

test('a privileged user without a second factor can only enrol one; a TOTP code works once; a recovery code works once', async (t) => {
  const app = await withApp(t);
  const { password } = await addUser(app, 'tara', ['admin']);
  const client = new BrowserSession(app);
  assert.equal((await client.attempt('tara', password)).json<{ stage: string }>().stage, 'enrol');
  const blocked = await client.send('GET', '/api/v1/cameras');
  assert.equal(codeOf(blocked), 'MFA_REQUIRED');
  assert.equal(blocked.json<{ stage: string }>().stage, 'enrol');
  const secret = (await client.send('POST', '/api/v1/auth/totp/enrol')).json<{ secret: string; uri: string; qrSvg: string }>();
  assert.match(secret.uri, /^otpauth:\/\/totp\/Custos:tara\?secret=/);
  assert.match(secret.qrSvg, /^<svg/);
  const now = Date.now();
  const confirmed = await client.send('POST', '/api/v1/auth/totp/confirm', { code: totpCode(secret.secret, now) });
  const codes = confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes;
  assert.equal(codes.length, 10);
  assert.equal((await client.send('GET', '/api/v1/cameras')).statusCode, 200);

  // Next login: the second factor is pending; the step used at enrolment is refused (replay).
  const again = new BrowserSession(app);
  assert.equal((await again.attempt('tara', password)).json<{ stage: string }>().stage, 'second-factor');
  assert.equal(codeOf(await again.send('GET', '/api/v1/cameras')), 'MFA_REQUIRED');
  assert.equal(codeOf(await again.send('POST', '/api/v1/auth/totp/enrol')), 'MFA_REQUIRED', 'no new factor before the existing one is verified');
  assert.equal(codeOf(await again.send('POST', '/api/v1/auth/totp/verify', { code: totpCode(secret.secret, now) })), 'LOGIN_FAILED', 'a used step is refused');
  const next = await again.send('POST', '/api/v1/auth/totp/verify', { code: totpCode(secret.secret, now + 30_000) });
  assert.equal(next.statusCode, 200, next.body);
  assert.equal((await again.send('GET', '/api/v1/cameras')).statusCode, 200);

  const third = new BrowserSession(app);
  await third.attempt('tara', password);
  assert.equal((await third.send('POST', '/api/v1/auth/recovery/verify', { code: codes[0] })).statusCode, 200);
  const fourth = new BrowserSession(app);
  await fourth.attempt('tara', password);
  assert.equal(codeOf(await fourth.send('POST', '/api/v1/auth/recovery/verify', { code: codes[0] })), 'LOGIN_FAILED', 'a recovery code works once');
  const me = await third.send('GET', '/api/v1/auth/me');
  assert.equal(me.json<{ factors: { recoveryCodesLeft: number } }>().factors.recoveryCodesLeft, 9);
});

test('weak, common and default passwords are refused with a reason; no account exists until one is made', async (t) => {
  const app = await withApp(t);
  const providers = await app.server.inject({ method: 'GET', url: '/api/v1/auth/providers' });
  assert.equal(providers.json<{ setupRequired: boolean }>().setupRequired, true);
  for (const [password, why] of [
    ['short-pass', /14/],
    ['admin', /14|common/],
    ['passwordpassword', /common|breached|guess/i],
    ['victor-is-my-name-2026', /user name/],
  ] as const) {
    await assert.rejects(app.identity.users.create({ username: 'victor', password }, testActor), (e: Error & { code?: string }) => e.code === 'PASSWORD_REJECTED' && why.test(e.message), password);
  }
  assert.equal(codeOf(await new BrowserSession(app).attempt('admin', 'admin')), 'LOGIN_FAILED', 'no default account');
});

test('the setup token creates the first administrator once, and only while no user exists', async (t) => {
  const defer = teardown(t);
  const { app, dataDir } = await startDeferredTestApp(defer, 'setup');
  const token = (await readFile(join(dataDir, 'setup-token'), 'utf8')).trim();
  const client = new BrowserSession(app);
  const bad = await client.send('POST', '/api/v1/auth/setup', { setupToken: 'guess', username: 'root', password: strongPassword() });
  assert.equal(codeOf(bad), 'FORBIDDEN');
  const weak = await client.send('POST', '/api/v1/auth/setup', { setupToken: token, username: 'first-admin', password: 'too-short' });
  assert.equal(codeOf(weak), 'PASSWORD_REJECTED', 'a refused password does not use up the token');
  const ok = await client.send('POST', '/api/v1/auth/setup', { setupToken: token, username: 'first-admin', password: strongPassword() });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json<{ stage: string }>().stage, 'enrol', 'the administrator must enrol a second factor first');
  const twice = await new BrowserSession(app).send('POST', '/api/v1/auth/setup', { setupToken: token, username: 'second', password: strongPassword() });
  assert.equal(codeOf(twice), 'FORBIDDEN');
  const created = await eventsOf(app, 'account.created');
  assert.ok(created.some((e) => e.actor.id === 'system:setup'));
});

test('bound to every interface, nothing but health, login and the published ledger answers without credentials', async (t) => {
  const app = await withApp(t, { 'server.host': '0.0.0.0' });
  const port = new URL(app.url).port;
  const get = (path: string, headers: Record<string, string> = {}) => fetchInsecure(`https://127.0.0.1:${port}${path}`, headers);
  assert.equal((await get('/healthz')).status, 200);
  assert.equal((await get('/api/v1/audit/checkpoint')).status, 200);
  assert.equal((await get('/api/v1/cameras')).status, 401);
  assert.equal((await get('/api/v1/cameras', { authorization: 'Bearer custos_not-a-token' })).status, 401);
  assert.equal((await get('/api/v1/audit/events')).status, 401);
});

/** GET over HTTPS trusting the self-signed test certificate. */
async function fetchInsecure(url: string, headers: Record<string, string>): Promise<{ status: number }> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a new grant ends the grantee\'s sessions, so added privilege is only used from a fresh session id', async (t) => {
  const app = await withApp(t);
  const { user, password } = await addUser(app, 'uma', ['viewer']);
  const client = new BrowserSession(app);
  await client.attempt('uma', password);
  const before = client.sessionToken;
  assert.equal(codeOf(await client.send('GET', '/api/v1/audit/events?limit=1')), 'FORBIDDEN');
  await app.identity.grants.grant(user, { role: 'compliance-officer', scope: 'global' }, { audit: testActor, userId: null });
  assert.equal(codeOf(await client.send('GET', '/api/v1/auth/me')), 'UNAUTHENTICATED', 'the old session ended with the grant');
  await client.attempt('uma', password);
  assert.notEqual(client.sessionToken, before);
  assert.equal((await client.send('GET', '/api/v1/audit/events?limit=1')).statusCode, 200);
  const logouts = await eventsOf(app, 'auth.logout');
  assert.ok(logouts.some((e) => e.reason === 'privileges changed: log in again'));
});

test('no password, session token, CSRF token, TOTP secret or API token reaches the log, even at debug level', async (t) => {
  const { startApp } = await import('../../src/app.ts');
  const { loadConfig } = await import('../../src/config/load.ts');
  const { createLogger } = await import('../../src/lib/logger.ts');
  const defer = teardown(t);
  const dir = await tempDir('identity-log');
  defer(() => dir.remove());
  const { lines, destination } = memoryLog();
  const config = await loadConfig({ file: null, env: {}, overrides: { dataDir: dir.path, 'server.port': 0 } });
  const app = await startApp(config, { logger: createLogger({ level: 'debug', destination }) });
  defer(() => app.close());
  const { password } = await addUser(app, 'wanda', ['auditor']);
  const client = new BrowserSession(app);
  await client.attempt('wanda', 'a-wrong-password-for-the-log');
  await client.attempt('wanda', password);
  const secret = (await client.send('POST', '/api/v1/auth/totp/enrol')).json<{ secret: string }>().secret;
  await client.send('POST', '/api/v1/auth/totp/confirm', { code: totpCode(secret, Date.now()) });
  const token = (await client.send('POST', '/api/v1/auth/tokens', { name: 'ci', permissions: ['audit.read'], days: 1 })).json<{ token: string }>().token;
  await app.server.inject({ method: 'GET', url: '/api/v1/audit/events?limit=1', headers: { authorization: `Bearer ${token}` } });
  const setupToken = (await readFile(join(dir.path, 'setup-token'), 'utf8')).trim();
  const log = lines.join('');
  assert.ok(log.includes('request completed') || log.length > 1000, 'the log was written');
  for (const [what, value] of Object.entries({ password, wrongPassword: 'a-wrong-password-for-the-log', session: client.sessionToken!, csrf: client.csrfToken!, totp: secret, token, setupToken })) {
    assert.ok(value.length >= 8, what);
    assert.ok(!log.includes(value), `the ${what} is in the log`);
  }
});
