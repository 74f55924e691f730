/**
 * What authentication and authorization cost per request, side by side in one process:
 * - A: `GET /healthz` (public: no credentials, no gate work), the baseline;
 * - B: `GET /api/v1/cameras/{id}` with a bearer token (token lookup, user, grants, factors,
 *   permission and camera-scope check) as a viewer holding a site grant;
 * - C: the same with a session cookie (session lookup and idle/absolute checks instead);
 * - D: a password login (argon2id verify, throttle, session insert, two audit events).
 * Requests go through Fastify's inject (no TLS, no socket), on SQLite as the app opens it, so
 * the figures isolate the gate's own work. Prints requests per second and B/A, C/A.
 *
 *   node bench/auth-gate.ts [--requests 3000] [--logins 40] [--rounds 3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startApp } from '../src/app.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/lib/logger.ts';
import { sessionCookieName } from '../src/identity/session-cookie.ts';

const { values } = parseArgs({ options: { requests: { type: 'string' }, logins: { type: 'string' }, rounds: { type: 'string' } } });
const requests = Number(values.requests ?? 3000);
const logins = Number(values.logins ?? 40);
const rounds = Number(values.rounds ?? 3);
const actor = { actor: { kind: 'system' as const, id: 'system:bench' } };

const dir = await mkdtemp(join(tmpdir(), 'custos-bench-auth-'));
const config = await loadConfig({ file: null, env: {}, overrides: { dataDir: dir, 'server.port': 0, 'identity.addressAttemptsPerMinute': 10_000, 'identity.lockoutFailures': 100 } });
const app = await startApp(config, { logger: createLogger({ level: 'silent' }), showSetupToken: false });
try {
  await app.identity.sites.createSite({ id: 'north', name: 'North', fourEyes: false }, actor);
  const camera = await app.cameras.add({ name: 'Bench', url: 'rtsp://127.0.0.1:9/bench', enabled: false, siteId: 'north' }, actor);
  const password = 'Bench-password-for-the-gate-2026';
  const user = await app.identity.users.create({ username: 'bench-viewer', password }, actor);
  await app.identity.grants.grant(user, { role: 'viewer', scope: 'site:north' }, { audit: actor, userId: null });
  const { secret } = await app.identity.tokens.create(user.id, () => true, { name: 'bench', permissions: ['camera.read'], days: 1 }, actor);
  const { token } = await app.identity.sessions.start(user.id, 'password', false);

  const rate = async (headers: Record<string, string>, url: string): Promise<number> => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < requests; i++) {
      const res = await app.server.inject({ method: 'GET', url, headers });
      if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
    }
    return requests / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  const loginRate = async (): Promise<number> => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < logins; i++) {
      const res = await app.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'bench-viewer', password } });
      if (res.statusCode !== 200) throw new Error(`login answered ${res.statusCode}`);
    }
    return logins / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  console.log(`node ${process.version}, ${requests} requests per case, ${logins} logins, ${rounds} rounds`);
  console.log('round  A public/s  B token/s  C session/s  B/A   C/A   D logins/s');
  for (let r = 1; r <= rounds; r++) {
    const a = await rate({}, '/healthz');
    const b = await rate({ authorization: `Bearer ${secret}` }, `/api/v1/cameras/${camera.id}`);
    const c = await rate({ cookie: `${sessionCookieName}=${token}` }, `/api/v1/cameras/${camera.id}`);
    const d = await loginRate();
    console.log(`${String(r).padEnd(6)} ${a.toFixed(0).padStart(9)}  ${b.toFixed(0).padStart(9)}  ${c.toFixed(0).padStart(11)}  ${(b / a).toFixed(2)}  ${(c / a).toFixed(2)}  ${d.toFixed(1).padStart(10)}`);
  }
} finally {
  await app.close();
  await rm(dir, { recursive: true, force: true });
}
