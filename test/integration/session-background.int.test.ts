/**
 * Background polls are not activity (issue 19 item 8): a request carrying `X-Custos-Background: 1`
 * is served but does not refresh the session's idle timer, so a tab left open with its status
 * polling still idles out; `GET /api/v1/auth/session` tells the page when that happens.
 * A live WebSocket closes when its session reaches its absolute end, however active its user.
 * Real: the app (inject, and HTTPS for the WebSocket with the ws client), SQLite, the identity
 * module; an injected clock for the idle and absolute times.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDeferredTestApp, waitFor } from '../helpers/harness.ts';
import { sessionCookieName } from '../../src/identity/session-cookie.ts';
import { strongPassword, testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { BrowserSession, codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';
import type { App } from '../../src/app.ts';

/** A clock the test moves by hand. */
function manualClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

async function signedIn(app: App): Promise<BrowserSession> {
  const username = `idle-${Math.random().toString(36).slice(2, 8)}`;
  const password = strongPassword();
  const user = await app.identity.users.create({ username, password }, testActor);
  await app.identity.grants.grant(user, { role: 'viewer', scope: 'global' }, { audit: testActor, userId: null });
  const browser = new BrowserSession(app);
  assert.equal((await browser.login(username, password)).stage, 'complete');
  return browser;
}

const background = { 'x-custos-background': '1' };
const minute = 60_000;

test('background polls do not keep a session alive; a person\'s request does; the page can read the deadline', async (t) => {
  const defer = teardown(t);
  const clock = manualClock();
  const { app } = await startDeferredTestApp(defer, 'session-bg', {}, clock);
  const polling = await signedIn(app);
  const active = await signedIn(app);

  const first = await polling.inject({ method: 'GET', url: '/api/v1/auth/session', headers: background });
  assert.equal(first.statusCode, 200);
  const status = first.json<{ idleTimeoutSeconds: number; idleEndsAt: string; absoluteEndsAt: string; secondsLeft: number }>();
  assert.equal(status.idleTimeoutSeconds, 15 * 60, 'the default idle limit is 15 minutes');
  assert.equal(status.secondsLeft, 15 * 60);
  assert.equal(Date.parse(status.idleEndsAt), clock.now() + 15 * minute);
  assert.ok(Date.parse(status.absoluteEndsAt) > Date.parse(status.idleEndsAt));

  // Fourteen minutes of polling every minute: each poll is served, none counts as use.
  for (let i = 0; i < 14; i++) {
    clock.advance(minute);
    const poll = await polling.inject({ method: 'GET', url: '/api/v1/cameras', headers: background });
    assert.equal(poll.statusCode, 200, `poll ${i + 1} is served`);
    const act = await active.inject({ method: 'GET', url: '/api/v1/cameras' });
    assert.equal(act.statusCode, 200);
  }
  const late = (await polling.inject({ method: 'GET', url: '/api/v1/auth/session', headers: background })).json<{ secondsLeft: number }>();
  assert.equal(late.secondsLeft, 60, 'one minute left: time for the page to warn');
  const fresh = (await active.inject({ method: 'GET', url: '/api/v1/auth/session', headers: background })).json<{ secondsLeft: number }>();
  assert.equal(fresh.secondsLeft, 15 * 60, 'the person who acted has the whole idle limit again');

  clock.advance(2 * minute);
  const ended = await polling.inject({ method: 'GET', url: '/api/v1/cameras', headers: background });
  assert.equal(ended.statusCode, 401, 'sixteen minutes of polling only: the session idled out');
  assert.equal(codeOf(ended), 'UNAUTHENTICATED');
  assert.equal((await active.inject({ method: 'GET', url: '/api/v1/cameras' })).statusCode, 200, 'the active session lives on');

  // Any other value of the header is a normal request (only exactly "1" marks a poll).
  clock.advance(10 * minute);
  assert.equal((await active.inject({ method: 'GET', url: '/api/v1/cameras', headers: { 'x-custos-background': 'yes' } })).statusCode, 200);
  clock.advance(10 * minute);
  assert.equal((await active.inject({ method: 'GET', url: '/api/v1/cameras', headers: background })).statusCode, 200, '"yes" counted as use');
});

test('the session deadline needs a login session: a bearer token has none', async (t) => {
  const defer = teardown(t);
  const { app } = await startDeferredTestApp(defer, 'session-bearer');
  const bearer = await testPrincipal(app, { roles: ['viewer'] });
  const res = await bearer.inject({ method: 'GET', url: '/api/v1/auth/session' });
  assert.equal(res.statusCode, 401);
  assert.equal(codeOf(res), 'UNAUTHENTICATED');
});

test('a live WebSocket closes when its session reaches the absolute limit, even while its user keeps acting', async (t) => {
  const defer = teardown(t);
  const clock = manualClock();
  const { app } = await startDeferredTestApp(defer, 'session-absolute', { 'live.recheckSeconds': 1, 'identity.sessionAbsoluteHours': 0.5 }, clock);
  const camera = await app.cameras.add({ name: 'Gate', url: 'rtsp://127.0.0.1:9/gate', enabled: false }, testActor);
  const browser = await signedIn(app);
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(`${app.url.replace('https:', 'wss:')}/api/v1/cameras/${camera.id}/live`, { rejectUnauthorized: false, headers: { cookie: `${sessionCookieName}=${browser.sessionToken!}` } });
  defer(() => ws.terminate());
  let ended: { code: number; reason: string } | null = null;
  ws.on('close', (code, reason) => (ended = { code, reason: reason.toString() }));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  // Active every ten minutes: the idle limit never ends it; the 30-minute absolute limit does.
  for (let i = 0; i < 2; i++) {
    clock.advance(10 * minute);
    assert.equal((await browser.inject({ method: 'GET', url: '/api/v1/cameras' })).statusCode, 200);
  }
  const left = (await browser.inject({ method: 'GET', url: '/api/v1/auth/session', headers: background })).json<{ secondsLeft: number; absoluteEndsAt: string; idleEndsAt: string }>();
  assert.equal(left.secondsLeft, 10 * 60, 'the idle deadline is capped by the absolute end');
  assert.equal(left.idleEndsAt, left.absoluteEndsAt);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.equal(ended, null, 'the socket is open while the session is');
  clock.advance(10 * minute);
  const closed = await waitFor('the live socket to close at the absolute limit', 20_000, () => ended);
  assert.deepEqual(closed, { code: 1008, reason: 'UNAUTHENTICATED' });
  assert.equal((await browser.inject({ method: 'GET', url: '/api/v1/cameras' })).statusCode, 401);
});

test('a logout closes the session\'s live WebSockets at once, not at the next periodic re-check', async (t) => {
  const defer = teardown(t);
  // Re-checks once a minute: a close within a few seconds can only come from the logout itself.
  const { app } = await startDeferredTestApp(defer, 'session-logout-ws', { 'live.recheckSeconds': 60 });
  const camera = await app.cameras.add({ name: 'Yard', url: 'rtsp://127.0.0.1:9/yard', enabled: false }, testActor);
  const leaving = await signedIn(app);
  const staying = await signedIn(app);
  const { default: WebSocket } = await import('ws');
  const open = async (browser: BrowserSession) => {
    const ws = new WebSocket(`${app.url.replace('https:', 'wss:')}/api/v1/cameras/${camera.id}/live`, { rejectUnauthorized: false, headers: { cookie: `${sessionCookieName}=${browser.sessionToken!}` } });
    defer(() => ws.terminate());
    const live = { ended: null as { code: number; reason: string } | null };
    ws.on('close', (code, reason) => (live.ended = { code, reason: reason.toString() }));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return live;
  };
  const gone = await open(leaving);
  const kept = await open(staying);
  const started = Date.now();
  assert.equal((await leaving.send('POST', '/api/v1/auth/logout')).statusCode, 204);
  const closed = await waitFor('the live socket to close after the logout', 10_000, () => gone.ended);
  assert.deepEqual(closed, { code: 1008, reason: 'UNAUTHENTICATED' });
  t.diagnostic(`closed ${Date.now() - started} ms after the logout (periodic re-check: 60 s)`);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(kept.ended, null, 'another session\'s live view stays open');
});
