/**
 * The API's contracts: every route declares its permission, the committed OpenAPI document
 * matches the route table, every error code is documented, TLS 1.3 only, loopback only, and
 * camera credentials never come back out. Real server on a real TLS socket where it matters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { spawn } from 'node:child_process';
import { openApiDocument, routeTable, type RouteDeps } from '../../src/routes.ts';
import { isPermission, permissions } from '../../src/access/permissions.ts';
import { renderPermissionsDoc } from '../../src/access/permissions-doc.ts';
import { errorCodes } from '../../src/lib/errors.ts';
import { startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { memoryLog, startDeferredTestApp, tempDir } from '../helpers/harness.ts';
import { testActor } from '../helpers/audit.ts';
import { testPrincipal } from '../helpers/access.ts';
import { teardown } from '../helpers/teardown.ts';

const repo = new URL('../../', import.meta.url);
// The audit checkpoint and its verifier key are published on purpose (witnesses, SIEMs, courts).
// Login and SSO must be reachable before a login, by definition.
const publicRoutes = new Set([
  '/healthz',
  '/api/v1/openapi.json',
  '/',
  '/assets/:file',
  '/api/v1/audit/checkpoint',
  '/api/v1/audit/key',
  // The SBOM verifier key, public like the ledger's (ADR 0033); the SBOM itself is not.
  '/api/v1/sbom/key',
  '/api/v1/auth/providers',
  '/api/v1/auth/setup',
  '/api/v1/auth/login',
  '/api/v1/auth/passkey/options',
  '/api/v1/auth/passkey/verify',
  '/api/v1/auth/oidc/:provider/start',
  '/api/v1/auth/oidc/:provider/callback',
  '/api/v1/auth/saml/:provider/start',
  '/api/v1/auth/saml/:provider/acs',
  '/api/v1/auth/saml/:provider/metadata',
]);

test('every route declares a known permission, and only health, the API document, page files, login, SSO, the audit checkpoint and key and the SBOM key are public', () => {
  const routes = routeTable(undefined as unknown as RouteDeps);
  assert.ok(routes.length > 10);
  for (const route of routes) {
    assert.ok(['public', 'session', 'self'].includes(route.access) || isPermission(route.access), `${route.method} ${route.url} declares ${String(route.access)}`);
    if (route.access === 'public') assert.ok(publicRoutes.has(route.url), `${route.method} ${route.url} must not be public`);
  }
});

test('the committed OpenAPI document matches the route table', async () => {
  const committed = JSON.parse(await readFile(new URL('docs/reference/openapi.json', repo), 'utf8')) as unknown;
  assert.deepEqual(committed, openApiDocument(), 'docs/reference/openapi.json is stale: run npm run openapi');
});

test('every error code is documented in docs/reference/errors.md', async () => {
  const doc = await readFile(new URL('docs/reference/errors.md', repo), 'utf8');
  for (const code of Object.keys(errorCodes)) assert.match(doc, new RegExp(`\\b${code}\\b`), `${code} is not documented`);
});

test('docs/reference/permissions.md lists every permission, role and route as the code has them', async () => {
  const doc = await readFile(new URL('docs/reference/permissions.md', repo), 'utf8');
  for (const name of Object.keys(permissions)) assert.ok(doc.includes(`\`${name}\``), `${name} is not documented`);
  assert.equal(doc, renderPermissionsDoc(routeTable(undefined as unknown as RouteDeps)), 'docs/reference/permissions.md is stale: run npm run permissions');
});

test('the listener speaks TLS 1.3 only and sends HSTS; unknown paths get problem+json', async (t) => {
  const defer = teardown(t);
  const { app } = await startDeferredTestApp(defer, 'tls');
  const port = Number(new URL(app.url).port);
  const tls12 = await new Promise<string>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
    socket.on('secureConnect', () => {
      resolve(`connected with ${socket.getProtocol()}`);
      socket.destroy();
    });
    socket.on('error', (e) => resolve(`refused: ${e.message}`));
  });
  assert.match(tls12, /^refused/);
  const tls13 = await new Promise<string | null>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    socket.on('secureConnect', () => {
      resolve(socket.getProtocol());
      socket.destroy();
    });
    socket.on('error', reject);
  });
  assert.equal(tls13, 'TLSv1.3');
  // The same with an independent TLS stack: OpenSSL's client.
  const sClient = (flag: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, flag, '-brief'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.stdin.end();
      child.on('close', (code) => resolve({ code, out }));
    });
  const old = await sClient('-tls1_2');
  assert.notEqual(old.code, 0, old.out);
  assert.match(old.out, /alert protocol version|no protocols available|wrong version/i);
  const current = await sClient('-tls1_3');
  assert.equal(current.code, 0, current.out);
  assert.match(current.out, /Protocol version: TLSv1\.3/);
  const res = await app.server.inject({ method: 'GET', url: '/api/v1/nothing-here' });
  assert.equal(res.statusCode, 404);
  assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
  assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.equal(res.json<{ code: string }>().code, 'NOT_FOUND');
});

test('camera credentials are accepted but never returned by the API nor written to the log', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('creds');
  defer(() => dir.remove());
  const { lines, destination } = memoryLog();
  const config = await loadConfig({ file: null, env: {}, overrides: { dataDir: dir.path, 'server.port': 0, 'recording.retryInitialSeconds': 0.2 } });
  const app = await startApp(config, { logger: createLogger({ level: 'debug', destination }) });
  defer(() => app.close());
  const root = await testPrincipal(app, { roles: ['admin'] });
  // A closed port: the ingest fails and logs, which must not leak the password.
  const created = await root.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'Secretive', url: 'rtsp://admin:Sup3rS3cret@127.0.0.1:9/stream' } });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json<{ hasCredentials: boolean }>().hasCredentials, true);
  assert.equal(created.json<{ url: string }>().url, 'rtsp://127.0.0.1:9/stream');
  const listed = await root.inject({ method: 'GET', url: '/api/v1/cameras' });
  await new Promise((r) => setTimeout(r, 1500));
  for (const text of [created.body, listed.body, lines.join('')]) {
    assert.doesNotMatch(text, /Sup3rS3cret/);
    assert.doesNotMatch(text, /"username"|"password"/);
  }
  assert.ok(lines.some((l) => l.includes('retrying')), 'the failing ingest was logged');
  const bad = await root.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'X', url: 'ftp://a:Sup3rS3cret@h/' } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json<{ code: string }>().code, 'CAMERA_URL_INVALID');
  assert.doesNotMatch(bad.body, /Sup3rS3cret/);
  const dup = await root.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'Secretive', url: 'rtsp://127.0.0.1:9/other' } });
  assert.equal(dup.statusCode, 409);
  assert.equal(dup.json<{ code: string }>().code, 'CAMERA_NAME_TAKEN');
});

test('a live WebSocket opened by a page of another origin is refused', async (t) => {
  const { default: WebSocket } = await import('ws');
  const defer = teardown(t);
  const { app } = await startDeferredTestApp(defer, 'origin');
  const camera = await app.cameras.add({ name: 'Any', url: 'rtsp://127.0.0.1:9/x', enabled: false }, testActor);
  const viewer = await testPrincipal(app, { roles: ['viewer'] });
  const wsUrl = `${app.url.replace('https:', 'wss:')}/api/v1/cameras/${camera.id}/live`;
  const closeOf = (origin?: string) =>
    new Promise<{ code: number; reason: string }>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { rejectUnauthorized: false, headers: viewer.headers, ...(origin ? { origin } : {}) });
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      ws.on('open', () => setTimeout(() => ws.close(1000, 'test done'), 300));
      ws.on('error', reject);
    });
  assert.deepEqual(await closeOf('https://evil.example'), { code: 1008, reason: 'FORBIDDEN_ORIGIN' });
  assert.equal((await closeOf(app.url)).code, 1000, 'same origin is accepted');
  assert.equal((await closeOf()).code, 1000, 'a client without Origin (not a browser) is accepted');
});

test('cameras are changed and removed over the API, and validation errors name the field', async (t) => {
  const defer = teardown(t);
  const { app } = await startDeferredTestApp(defer, 'crud');
  const root = await testPrincipal(app, { roles: ['admin'] });
  const health = await app.server.inject({ method: 'GET', url: '/healthz' });
  assert.deepEqual(health.json(), { status: 'ok', version: '0.1.0', parts: ['database', 'recording', 'audit', 'keys', 'disk'].map((name) => ({ name, ok: true })) });
  const created = await root.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'Dock', url: 'rtsp://127.0.0.1:9/dock', enabled: false } });
  const id = created.json<{ id: string }>().id;
  const patched = await root.inject({ method: 'PATCH', url: `/api/v1/cameras/${id}`, payload: { name: 'Dock east', retentionHours: 48, password: 'x' } });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.deepEqual(
    (({ name, retentionHours, hasCredentials, status }) => ({ name, retentionHours, hasCredentials, state: status.state }))(patched.json<{ name: string; retentionHours: number; hasCredentials: boolean; status: { state: string } }>()),
    { name: 'Dock east', retentionHours: 48, hasCredentials: true, state: 'disabled' },
  );
  const badField = await root.inject({ method: 'PATCH', url: `/api/v1/cameras/${id}`, payload: { retentionHours: 0 } });
  assert.equal(badField.statusCode, 400);
  assert.equal(badField.json<{ field: string }>().field, 'retentionHours');
  const unknownField = await root.inject({ method: 'PATCH', url: `/api/v1/cameras/${id}`, payload: { colour: 'red' } });
  assert.equal(unknownField.json<{ code: string }>().code, 'VALIDATION_FAILED');
  const notJson = await root.inject({ method: 'POST', url: '/api/v1/cameras', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
  assert.equal(notJson.statusCode, 400);
  assert.equal(notJson.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.equal((await root.inject({ method: 'DELETE', url: `/api/v1/cameras/${id}` })).statusCode, 204);
  const gone = await root.inject({ method: 'GET', url: `/api/v1/cameras/${id}` });
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.json<{ code: string }>().code, 'NOT_FOUND');
});
