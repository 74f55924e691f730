/**
 * The HTTP surface a red team probes first: connections held open by sending nothing, form
 * posts disguised by the case of their media type, answers a cache may keep, and permission
 * names that are really `Object.prototype` properties.
 * Real: the app over HTTPS (node:tls, node:net, ws), SQLite, the audit ledger; camsim, the
 * native ingest and ffmpeg for the export download.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';
import type { App } from '../../src/app.ts';
import { isAppError } from '../../src/lib/errors.ts';
import { startDeferredTestApp, startTestCamsim, waitFor } from '../helpers/harness.ts';
import { strongPassword, testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

/** Short timeouts, so the test can watch them act: 2 s idle and per request, 1 s keep-alive. */
const shortTimeouts = { 'server.idleTimeoutSeconds': 2, 'server.requestTimeoutSeconds': 2, 'server.keepAliveTimeoutSeconds': 1 };

/** Tracks when a socket closes; `closedAt` stays null while it is open. */
function watch(socket: Socket): { closedAt: number | null } {
  const state = { closedAt: null as number | null };
  socket.on('close', () => (state.closedAt = Date.now()));
  socket.on('error', () => undefined);
  return state;
}

function addressOf(app: App): { host: string; port: number } {
  const url = new URL(app.url);
  return { host: url.hostname, port: Number(url.port) };
}

test('connections that send nothing, or trickle a request, are closed; a live WebSocket without traffic stays open', async (t) => {
  const defer = teardown(t);
  const { app } = await startDeferredTestApp(defer, 'timeouts', shortTimeouts);
  const { host, port } = addressOf(app);
  const sockets: Socket[] = [];
  defer(() => {
    for (const s of sockets) s.destroy();
  });

  // 1. TLS done, then silence.
  const silent = tlsConnect({ host, port, rejectUnauthorized: false, servername: 'localhost' });
  sockets.push(silent);
  const silentState = watch(silent);
  await new Promise<void>((resolve) => silent.once('secureConnect', () => resolve()));
  // 2. No TLS handshake at all.
  const raw = netConnect({ host, port });
  sockets.push(raw);
  const rawState = watch(raw);
  // 3. A request whose headers never end: one byte every half second keeps it from being idle.
  const trickle = tlsConnect({ host, port, rejectUnauthorized: false, servername: 'localhost' });
  sockets.push(trickle);
  const trickleState = watch(trickle);
  await new Promise<void>((resolve) => trickle.once('secureConnect', () => resolve()));
  trickle.write(`GET /healthz HTTP/1.1\r\nHost: ${host}:${port}\r\nX-Slow: `);
  const dripper = setInterval(() => trickle.writable && trickle.write('a'), 500);
  defer(() => clearInterval(dripper));
  // 4. A keep-alive connection left idle after its answer.
  const kept = tlsConnect({ host, port, rejectUnauthorized: false, servername: 'localhost' });
  sockets.push(kept);
  const keptState = watch(kept);
  await new Promise<void>((resolve) => kept.once('secureConnect', () => resolve()));
  let answer = '';
  kept.on('data', (d: Buffer) => (answer += d.toString()));
  kept.write(`GET /healthz HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: keep-alive\r\n\r\n`);
  await waitFor('the keep-alive answer', 10_000, () => answer.includes('"status":"ok"'));
  // 5. A live WebSocket on a camera that sends nothing (disabled): no traffic either way.
  const camera = await app.cameras.add({ name: 'Quiet', url: 'rtsp://127.0.0.1:9/q', enabled: false }, testActor);
  const viewer = await testPrincipal(app, { roles: ['viewer'] });
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(`${app.url.replace('https:', 'wss:')}/api/v1/cameras/${camera.id}/live`, { rejectUnauthorized: false, headers: viewer.headers });
  defer(() => ws.terminate());
  let wsClosed: number | null = null;
  ws.on('close', (code) => (wsClosed = code));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });

  for (const [what, state] of [
    ['a TLS connection that sends nothing', silentState],
    ['a TCP connection that never starts TLS', rawState],
    ['a request whose headers trickle in', trickleState],
    ['an idle keep-alive connection', keptState],
  ] as const) {
    await waitFor(`${what} to be closed`, 20_000, () => state.closedAt !== null);
  }
  // Well past the idle and request timeouts (2 s each): the quiet live view is still open.
  await delay(5_000);
  assert.equal(wsClosed, null, 'the live WebSocket outlives the idle and request timeouts');
  assert.equal(ws.readyState, WebSocket.OPEN);
});

test('a form post is refused on a JSON route whatever the case or spacing of its media type', async (t) => {
  const defer = teardown(t);
  const { app } = await startDeferredTestApp(defer, 'form-case');
  const password = strongPassword();
  await app.identity.users.create({ username: 'frank', password }, testActor);
  for (const type of ['application/x-www-form-urlencoded', 'Application/X-WWW-Form-Urlencoded', 'APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8', ' application/x-www-form-urlencoded']) {
    const res = await app.server.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': type }, payload: `username=frank&password=${encodeURIComponent(password)}` });
    assert.equal(res.statusCode, 400, `${JSON.stringify(type)}: ${res.body}`);
    assert.equal(codeOf(res), 'VALIDATION_FAILED', JSON.stringify(type));
    assert.match(res.json<{ detail: string }>().detail, /JSON bodies only/);
  }
});

test('JSON answers, problems and downloads carry Cache-Control: no-store, and a token cannot carry an inherited property as a permission', async (t) => {
  const defer = teardown(t);
  const { app } = await startDeferredTestApp(defer, 'no-store');
  const auditor = await testPrincipal(app, { roles: ['auditor', 'viewer'] });
  const answers = {
    'a JSON list': await auditor.inject({ method: 'GET', url: '/api/v1/cameras' }),
    'the health check': await app.server.inject({ method: 'GET', url: '/healthz' }),
    'a problem': await auditor.inject({ method: 'GET', url: '/api/v1/cameras/nope' }),
    'an unknown path': await app.server.inject({ method: 'GET', url: '/api/v1/nothing-here' }),
    'a refused request': await app.server.inject({ method: 'GET', url: '/api/v1/cameras' }),
    'the access register as CSV': await auditor.inject({ method: 'GET', url: '/api/v1/access/register?format=csv' }),
  };
  assert.match(String(answers['the access register as CSV'].headers['content-disposition']), /attachment/);
  for (const [what, res] of Object.entries(answers)) assert.equal(res.headers['cache-control'], 'no-store', `${what} (${res.statusCode})`);
  const page = await app.server.inject({ method: 'GET', url: '/' });
  assert.equal(page.headers['cache-control'], 'no-cache', 'the page files may be kept and revalidated');

  for (const inherited of ['toString', 'constructor', 'hasOwnProperty', '__proto__']) {
    await assert.rejects(
      app.identity.tokens.create(auditor.user.id, () => true, { name: 'odd', permissions: [inherited], days: 1 }, testActor),
      (e) => isAppError(e, 'VALIDATION_FAILED') && e.message.includes(`unknown permission ${inherited}`),
      inherited,
    );
  }
});

test('an export downloads whole, with no-store, even when read more slowly than the idle and request timeouts', async (t) => {
  const defer = teardown(t);
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const { app } = await startDeferredTestApp(defer, 'slow-download', { ...shortTimeouts, 'recording.segmentSeconds': 2 });
  const camera = await app.cameras.add({ name: 'Dock', url: sim.urls[0]! }, testActor);
  await waitFor('two sealed segments', 60_000, async () => (await app.playback.segments(camera.id, 0, Date.now())).filter((s) => s.state === 'closed').length >= 2);
  const investigator = await testPrincipal(app, { roles: ['investigator'] });
  const filed = await investigator.inject({
    method: 'POST',
    url: '/api/v1/exports',
    payload: { cameraId: camera.id, from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() - 1_000).toISOString(), reason: 'timeouts', requestedFor: 'the test suite' },
  });
  assert.equal(filed.statusCode, 202, filed.body);
  const job = filed.json<{ id: string }>();
  const done = await waitFor('the export', 90_000, async () => {
    const res = await investigator.inject({ method: 'GET', url: `/api/v1/exports/${job.id}` });
    const body = res.json<{ state: string; bytes: number | null; download: string | null; error: string | null }>();
    if (body.state === 'failed') throw new Error(`export failed: ${body.error}`);
    return body.state === 'done' ? body : null;
  });
  const { host, port } = addressOf(app);
  for (const path of [done.download!, `/api/v1/exports/${job.id}/evidence`]) {
    const started = Date.now();
    const { headers, bytes } = await new Promise<{ headers: Record<string, unknown>; bytes: number }>((resolve, reject) => {
      const req = httpsRequest({ host, port, path, rejectUnauthorized: false, headers: investigator.headers }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          res.pause();
          setTimeout(() => res.resume(), 250);
        });
        res.on('end', () => resolve({ headers: res.headers, bytes }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(headers['cache-control'], 'no-store', path);
    if (path === done.download) assert.equal(bytes, done.bytes, 'the whole file arrived');
    else assert.ok(bytes > 0);
    t.diagnostic(`${path}: ${bytes} bytes in ${Date.now() - started} ms`);
  }
});
