/**
 * The route × role matrix (STYLE rule 7, IAM-5), generated from the route table: every route is
 * called by a principal holding each default role (a login session with its second factor
 * done, so MFA is not what decides), and by nobody. The expected answer comes from the role's
 * permissions, not from a hand-written list: a permission route admits exactly the roles that
 * carry the permission; `self` and `session` routes admit every signed-in user; `public` routes
 * admit everyone. A route declaring anything else fails the test. Real server (inject), real
 * SQLite, real sessions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { App } from '../../src/app.ts';
import { isPermission } from '../../src/access/permissions.ts';
import { defaultRoles } from '../../src/access/roles.ts';
import { routeTable, type RouteDeps } from '../../src/routes.ts';
import type { RouteSpec } from '../../src/http/route.ts';
import { sessionCookieName } from '../../src/identity/session-cookie.ts';
import { startDeferredTestApp } from '../helpers/harness.ts';
import { strongPassword } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

/** A path with its parameters filled: ids that exist nowhere, so nothing is changed or read. */
function pathOf(route: RouteSpec): string {
  return route.url
    .replace(':provider', 'nobody')
    .replace(':seq', '0')
    .replace(':bookmarkId', randomUUID())
    .replace(':file', `${randomUUID()}.mp4`)
    .replace(/:id/g, () => (route.url.startsWith('/api/v1/sites') || route.url.startsWith('/api/v1/groups') ? 'no-such-site' : randomUUID()));
}

/** The gate's own refusals: 401 UNAUTHENTICATED, and 403 naming the permission or the second factor. */
function gateVerdict(status: number, body: string): 'unauthenticated' | 'forbidden' | 'passed' {
  let problem: { code?: string; permission?: string } = {};
  try {
    problem = JSON.parse(body) as typeof problem;
  } catch {
    // not JSON: the handler answered (page files, playlists, streams)
  }
  if (status === 401 && problem.code === 'UNAUTHENTICATED') return 'unauthenticated';
  if (status === 403 && (problem.code === 'MFA_REQUIRED' || (problem.code === 'FORBIDDEN' && typeof problem.permission === 'string'))) return 'forbidden';
  return 'passed';
}

/** What the gate must decide for a holder of `role` (null: no credentials) on `route`. */
function expected(route: RouteSpec, held: ReadonlySet<string> | null): 'unauthenticated' | 'forbidden' | 'passed' {
  const access = route.access;
  if (access === 'public') return 'passed';
  if (held === null) return 'unauthenticated';
  if (access === 'self' || access === 'session') return 'passed';
  if (typeof access !== 'string' || !isPermission(access)) throw new Error(`${route.method} ${route.url} declares an unknown access ${String(access)}`);
  return held.has(access) ? 'passed' : 'forbidden';
}

async function call(app: App, route: RouteSpec, cookie: { token: string; csrf: string } | null): Promise<{ status: number; body: string }> {
  const url = pathOf(route);
  if (route.websocket) {
    // A WebSocket upgrade goes through the same gate; inject() cannot upgrade, so a real socket.
    const { default: WebSocket } = await import('ws');
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${app.url.replace('https:', 'wss:')}${url}`, { rejectUnauthorized: false, headers: cookie ? { cookie: `${sessionCookieName}=${cookie.token}` } : {} });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => {
        ws.close();
        resolve({ status: 101, body: '' });
      });
      ws.on('error', (e) => (e.message.includes('Unexpected server response') ? undefined : reject(e)));
    });
  }
  const headers: Record<string, string> = {};
  if (cookie) {
    headers.cookie = `${sessionCookieName}=${cookie.token}`;
    headers['x-csrf-token'] = cookie.csrf;
  }
  const res = await app.server.inject({ method: route.method, url, headers, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }) });
  return { status: res.statusCode, body: res.body };
}

test('every route answers every default role (and nobody) as the role\'s permissions say', { timeout: 120_000 }, async (t) => {
  const defer = teardown(t);
  const { app } = await startDeferredTestApp(defer, 'matrix');
  const routes = routeTable(undefined as unknown as RouteDeps);
  const users = new Map<string, string>();
  for (const role of defaultRoles) {
    const user = await app.identity.users.create({ username: `matrix-${role.name}`, password: strongPassword() }, testActor);
    await app.identity.grants.grant(user, { role: role.name, scope: 'global' }, { audit: testActor, userId: null });
    users.set(role.name, user.id);
  }
  const failures: string[] = [];
  let checked = 0;
  for (const route of routes) {
    const rows: [string, ReadonlySet<string> | null][] = [['nobody', null], ...defaultRoles.map((r): [string, ReadonlySet<string>] => [r.name, new Set<string>(r.permissions)])];
    for (const [name, held] of rows) {
      // A fresh session each call: a route like logout ends the session it is called with.
      const session = held === null ? null : await app.identity.sessions.start(users.get(name)!, 'test', true);
      const res = await call(app, route, session ? { token: session.token, csrf: session.session.csrf } : null);
      const got = gateVerdict(res.status, res.body);
      const want = expected(route, held);
      checked++;
      if (got !== want) failures.push(`${route.method} ${route.url} as ${name}: expected ${want}, got ${res.status} ${res.body.slice(0, 160)}`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${checked} route × role checks failed`);
  assert.ok(checked >= routes.length * 8);
});

test('a permission held only on a site does not open a route that needs it globally, and a site grant sees only its cameras', async (t) => {
  const defer = teardown(t);
  const { app } = await startDeferredTestApp(defer, 'matrix-scope');
  await app.identity.sites.createSite({ id: 'north', name: 'North', fourEyes: false }, testActor);
  const inNorth = await app.cameras.add({ name: 'North gate', url: 'rtsp://127.0.0.1:9/n', enabled: false, siteId: 'north' }, testActor);
  const elsewhere = await app.cameras.add({ name: 'South gate', url: 'rtsp://127.0.0.1:9/s', enabled: false }, testActor);
  const user = await app.identity.users.create({ username: 'north-auditor', password: strongPassword() }, testActor);
  for (const role of ['auditor', 'operator']) await app.identity.grants.grant(user, { role, scope: 'site:north' }, { audit: testActor, userId: null });
  const { token, session } = await app.identity.sessions.start(user.id, 'test', true);
  const get = async (url: string) => app.server.inject({ method: 'GET', url, headers: { cookie: `${sessionCookieName}=${token}`, 'x-csrf-token': session.csrf } });
  const ledger = await get('/api/v1/audit/events');
  assert.equal(ledger.statusCode, 403, 'audit.read on a site is not the global ledger');
  assert.equal(ledger.json<{ permission: string }>().permission, 'audit.read');
  const list = await get('/api/v1/cameras');
  assert.deepEqual(list.json<{ id: string }[]>().map((c) => c.id), [inNorth.id]);
  assert.equal((await get(`/api/v1/cameras/${inNorth.id}`)).statusCode, 200);
  const hidden = await get(`/api/v1/cameras/${elsewhere.id}`);
  const missing = await get(`/api/v1/cameras/${randomUUID()}`);
  assert.equal(hidden.statusCode, 404);
  assert.equal(missing.statusCode, 404);
  // Out of scope and absent look alike, apart from the correlation id.
  const strip = (b: string) => {
    const { correlationId: _c, instance: _i, ...rest } = JSON.parse(b) as Record<string, unknown>;
    return rest;
  };
  assert.deepEqual(strip(hidden.body), strip(missing.body));
});
