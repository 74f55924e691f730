/**
 * A live WebSocket lives no longer than what admitted it: logout, logout everywhere, a disabled
 * account, a revoked grant, a revoked token and an expired session or token each close it.
 * Real: the app over HTTPS, WebSockets (ws), SQLite, the audit ledger; an injected clock for
 * the expiries; re-checks every second (the default is five). The camera is disabled, so a socket stays open only because it is admitted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { WebSocket as WsSocket } from 'ws';
import type { App } from '../../src/app.ts';
import { sessionCookieName } from '../../src/identity/session-cookie.ts';
import { startDeferredTestApp, waitFor } from '../helpers/harness.ts';
import { strongPassword, testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { BrowserSession } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

/** A clock the test moves by hand. */
function manualClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** An open live socket and how it ended (null while open). */
interface LiveSocket {
  readonly ws: WsSocket;
  ended: { code: number; reason: string } | null;
}

async function openLive(app: App, cameraId: string, headers: Record<string, string>): Promise<LiveSocket> {
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(`${app.url.replace('https:', 'wss:')}/api/v1/cameras/${cameraId}/live`, { rejectUnauthorized: false, headers });
  const live: LiveSocket = { ws, ended: null };
  ws.on('close', (code, reason) => (live.ended = { code, reason: reason.toString() }));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return live;
}

async function signedIn(app: App, roles: string[]): Promise<{ browser: BrowserSession; userId: string; cookie: Record<string, string> }> {
  const username = `live-${Math.random().toString(36).slice(2, 8)}`;
  const password = strongPassword();
  const user = await app.identity.users.create({ username, password }, testActor);
  for (const role of roles) await app.identity.grants.grant(user, { role, scope: 'global' }, { audit: testActor, userId: null });
  const browser = new BrowserSession(app);
  const login = await browser.login(username, password);
  assert.equal(login.stage, 'complete');
  return { browser, userId: user.id, cookie: { cookie: `${sessionCookieName}=${browser.sessionToken!}` } };
}

test('a live WebSocket is closed when its session or token ends, its account is disabled or its grant revoked', async (t) => {
  const defer = teardown(t);
  const clock = manualClock();
  const { app } = await startDeferredTestApp(defer, 'live-end', { 'live.recheckSeconds': 1 }, clock);
  const camera = await app.cameras.add({ name: 'Gate', url: 'rtsp://127.0.0.1:9/gate', enabled: false }, testActor);
  const sockets: LiveSocket[] = [];
  const open = async (headers: Record<string, string>) => {
    const live = await openLive(app, camera.id, headers);
    sockets.push(live);
    return live;
  };
  defer(() => {
    for (const s of sockets) s.ws.terminate();
  });

  const loggedOut = await signedIn(app, ['viewer']);
  const everywhere = await signedIn(app, ['viewer']);
  const revokedGrant = await signedIn(app, ['viewer']);
  const staysSession = await signedIn(app, ['viewer']);
  const disabled = await testPrincipal(app, { roles: ['viewer'] });
  const revokedToken = await testPrincipal(app, { roles: ['viewer'] });
  const staysToken = await testPrincipal(app, { roles: ['viewer'] });

  const byLogout = await open(loggedOut.cookie);
  const byEverywhere = await open(everywhere.cookie);
  const byGrant = await open(revokedGrant.cookie);
  const byDisable = await open(disabled.headers);
  const byTokenRevoke = await open(revokedToken.headers);
  const sessionControl = await open(staysSession.cookie);
  const tokenControl = await open(staysToken.headers);

  assert.equal((await loggedOut.browser.send('POST', '/api/v1/auth/logout')).statusCode, 204);
  assert.equal((await everywhere.browser.send('POST', '/api/v1/auth/logout-everywhere')).statusCode, 204);
  const [grant] = await app.identity.grants.ofUser(revokedGrant.userId);
  await app.identity.grants.revoke(grant!.id, { audit: testActor, userId: null });
  // Disabled as the CLI does it: the account only, its token is not revoked.
  await app.identity.users.setDisabled(disabled.user, true, testActor);
  const [token] = await app.identity.tokens.ofUser(revokedToken.user.id);
  await app.identity.tokens.revoke(token!.id, null, testActor);

  const cases: [string, LiveSocket][] = [
    ['logout', byLogout],
    ['logout everywhere', byEverywhere],
    ['grant revoked', byGrant],
    ['account disabled', byDisable],
    ['token revoked', byTokenRevoke],
  ];
  for (const [what, live] of cases) {
    const ended = await waitFor(`the live socket to close after ${what}`, 30_000, () => live.ended);
    assert.equal(ended.code, 1008, `${what}: closed as a policy violation (${ended.reason})`);
  }
  await app.ledger.drain();
  const auditor = await testPrincipal(app, { roles: ['auditor'], tokenPermissions: ['audit.read'] });
  const denied = await auditor.inject({ method: 'GET', url: '/api/v1/audit/events?type=access.denied&limit=100' });
  const liveDenials = denied.json<{ events: { record: { actor: { id: string }; details?: { route?: string } } }[] }>().events.filter((e) => e.record.details?.route === '/api/v1/cameras/:id/live');
  assert.equal(liveDenials.length, 1, 'only the view closed for a missing grant is an access denial');
  assert.match(liveDenials[0]!.record.actor.id, new RegExp(revokedGrant.userId));
  assert.equal(sessionControl.ended, null, 'a live view whose session is still valid stays open');
  assert.equal(tokenControl.ended, null, 'a live view whose token is still valid stays open');

  // A re-check is not use of the session: ten minutes of watching, then six more, is 16 minutes
  // idle, past the 15-minute limit. (Were the re-checks touching it, it would stay open.)
  clock.advance(10 * 60_000);
  await delay(3_000);
  assert.equal(sessionControl.ended, null, 'ten idle minutes are within the limit');
  clock.advance(6 * 60_000);
  const idle = await waitFor('the live socket to close after the session idled out', 30_000, () => sessionControl.ended);
  assert.deepEqual(idle, { code: 1008, reason: 'UNAUTHENTICATED' });
  assert.equal(tokenControl.ended, null, 'a token has no idle limit');

  // 25 hours later the one-day token has expired.
  clock.advance(25 * 3600_000);
  for (const [what, live] of [['token expired', tokenControl]] as const) {
    const ended = await waitFor(`the live socket to close after ${what}`, 30_000, () => live.ended);
    assert.equal(ended.code, 1008, `${what}: closed as a policy violation (${ended.reason})`);
    assert.equal(ended.reason, 'UNAUTHENTICATED');
  }
});
