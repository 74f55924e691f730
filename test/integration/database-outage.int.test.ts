/**
 * A PostgreSQL outage (issue 12, items 6, 7 and 12): a TCP proxy the test starts in front of the
 * shared PostgreSQL blackholes the link for 20 s — the server itself is never touched. Recording
 * MUST go on into the vault, the API MUST answer 503 quickly, `/healthz` MUST say what is wrong,
 * the index writes (segments opened and closed during the outage) MUST be made once the link
 * heals, and the outage MUST NOT be blamed on the camera. Real camsim, ingest, vault, PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabase } from '../helpers/databases.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { testActor } from '../helpers/audit.ts';
import { testPrincipal } from '../helpers/access.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { teardown } from '../helpers/teardown.ts';

const outageMs = 20_000;

test('a 20 s PostgreSQL blackhole: recording goes on into the vault, the API answers 503 at once, and every segment is indexed once the link heals', async (t) => {
  const defer = teardown(t);
  const database = await createTestDatabase('postgres');
  defer(() => database.close());
  await database.db.destroy();
  const direct = new URL(database.location);
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  defer(() => proxy.close());
  const viaProxy = new URL(database.location);
  viaProxy.port = String(proxy.port);

  const dir = await tempDir('db-outage');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const app = await startTestApp(dir.path, {
    'database.url': viaProxy.href,
    'database.connectTimeoutSeconds': 2,
    'database.statementTimeoutSeconds': 3,
    'recording.segmentSeconds': 3,
  });
  // Healed first (cleanups run last-registered-first), so the app can close cleanly.
  defer(() => app.close());
  defer(() => proxy.heal());
  const root = await testPrincipal(app, { roles: ['admin'] });
  const camera = await app.cameras.add({ name: 'Through the outage', url: sim.urls[0]! }, testActor);
  await waitFor('recording', 20_000, () => app.recorder.status(camera).state === 'recording');
  await delay(4_000);
  assert.equal((await app.server.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);

  proxy.blackhole();
  const downAt = Date.now();
  const states = new Set<string>();
  const watch = setInterval(() => states.add(app.recorder.status(camera).state), 250);
  defer(() => clearInterval(watch));

  // The API fails fast once the outage is known, instead of hanging on the dead link.
  const health = await waitFor('health to report the outage', 15_000, async () => {
    const started = Date.now();
    const res = await app.server.inject({ method: 'GET', url: '/healthz' });
    assert.ok(Date.now() - started < 5_000, `/healthz answered in ${Date.now() - started} ms`);
    return res.statusCode === 503 ? res.json<{ status: string; problems: string[]; parts: { name: string; ok: boolean }[] }>() : null;
  });
  assert.equal(health.status, 'degraded');
  assert.ok(health.problems.some((p) => p.startsWith('database: ')), JSON.stringify(health));
  assert.equal(health.parts.find((p) => p.name === 'database')?.ok, false, 'the parts list marks the database');
  assert.equal(health.parts.find((p) => p.name === 'keys')?.ok, true, 'the key provider still answers');
  const started = Date.now();
  const cameras = await root.inject({ method: 'GET', url: '/api/v1/cameras' });
  const tookMs = Date.now() - started;
  assert.equal(cameras.statusCode, 503, cameras.body);
  assert.equal(cameras.json<{ code: string }>().code, 'DATABASE_UNAVAILABLE');
  assert.ok(tookMs < 3_000, `the API answered 503 in ${tookMs} ms`);

  await delay(Math.max(0, downAt + outageMs - Date.now()));
  proxy.heal();
  const upAt = Date.now();
  clearInterval(watch);
  assert.deepEqual([...states], ['recording'], 'the camera kept recording through the outage (never retrying)');

  await waitFor('health ok again', 30_000, async () => (await app.server.inject({ method: 'GET', url: '/healthz' })).statusCode === 200);
  await delay(4_000);
  const timeline = await app.playback.timeline(camera.id, downAt - 2_000, upAt + 2_000);
  assert.equal(timeline.spans.length, 1, `one span across the outage: ${JSON.stringify(timeline)}`);
  const span = timeline.spans[0]!;
  assert.ok(span.startMs <= downAt && span.endMs >= upAt, `the span covers the outage: ${JSON.stringify(timeline)}`);
  assert.deepEqual(timeline.gaps, [], 'no gap, and nothing blamed on the camera');
  const segments = await app.playback.segments(camera.id, downAt, upAt);
  assert.ok(segments.filter((s) => s.state === 'closed').length >= 4, `segments cut during the outage are indexed and closed: ${segments.length}`);

  // The outage is in the ledger as an alarm, written once the database was back.
  const client = new pg.Client({ connectionString: database.location });
  await client.connect();
  defer(() => client.end());
  const alarms = await waitFor('the storage-fault alarm', 15_000, async () => {
    const { rows } = await client.query<{ record: string }>(`SELECT record FROM audit_events WHERE type = 'alarm.raised'`);
    const found = rows.map((r) => JSON.parse(r.record) as { details: { rule: string } }).filter((r) => r.details.rule === 'storage-fault');
    return found.length > 0 ? found : null;
  });
  assert.equal(alarms.length, 1);
});

test('a server stopped during a PostgreSQL blackhole stops within seconds instead of hanging on the dead link', async (t) => {
  const defer = teardown(t);
  const database = await createTestDatabase('postgres');
  defer(() => database.close());
  await database.db.destroy();
  const direct = new URL(database.location);
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  defer(() => proxy.close());
  const viaProxy = new URL(database.location);
  viaProxy.port = String(proxy.port);
  const dir = await tempDir('db-outage-stop');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const app = await startTestApp(dir.path, {
    'database.url': viaProxy.href,
    'database.connectTimeoutSeconds': 2,
    'database.statementTimeoutSeconds': 3,
    'recording.segmentSeconds': 3,
  });
  defer(() => app.close());
  const camera = await app.cameras.add({ name: 'Stopped in the outage', url: sim.urls[0]! }, testActor);
  await waitFor('recording', 20_000, () => app.recorder.status(camera).state === 'recording');
  proxy.blackhole();
  defer(() => proxy.heal());
  await delay(4_000);
  const started = Date.now();
  await app.close();
  const tookMs = Date.now() - started;
  assert.ok(tookMs < 30_000, `close took ${tookMs} ms`);
});
