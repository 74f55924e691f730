/**
 * PostgreSQL restarted under two recording cluster nodes (issue 15): the test runs a PostgreSQL
 * server of its own (initdb in a temporary directory; never the shared server), restarts it
 * (`pg_ctl stop -m fast` + start) while two `custos serve` nodes record two camsim cameras, and
 * checks that both nodes reconnect, keep their leases (the restart is shorter than the lease), and
 * that no camera's recording has a hole longer than the restart (plus one fragment).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { addCameras, startNode, stopNode, writeNodeConfig } from '../helpers/cluster-nodes.ts';
import { postgresBin, startPrivatePostgres } from '../helpers/private-postgres.ts';
import { teardown } from '../helpers/teardown.ts';

const bin = await postgresBin();

test('PostgreSQL restarted while two cluster nodes record: they reconnect, keep their cameras, and the hole is at most the restart', { skip: bin === null ? 'no PostgreSQL server binaries (/usr/lib/postgresql/*/bin)' : false }, async (t) => {
  const defer = teardown(t);
  const server = await startPrivatePostgres(bin as string);
  defer(() => server.close());
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  };
  const dir = await tempDir('cluster-pg');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 2 });
  defer(() => sim.close());
  const setup = { root: dir.path, databaseUrl: server.url };
  const [c1, c2] = [await writeNodeConfig(setup, 'n1'), await writeNodeConfig(setup, 'n2')];
  await addCameras(c1, sim.urls);
  const n1 = startNode('n1', c1);
  defer(() => stopNode(n1));
  await n1.up;
  const n2 = startNode('n2', c2);
  defer(() => stopNode(n2));
  await n2.up;
  const held = async () => query<{ name: string; holder: string; token: string }>(`SELECT name, holder, token FROM cluster_leases WHERE name LIKE 'camera:%' AND expires_ms > (extract(epoch from clock_timestamp()) * 1000)::bigint`);
  const before = await waitFor('one camera per node, recording', 30_000, async () => {
    const leases = await held();
    if (leases.length !== 2 || new Set(leases.map((l) => l.holder)).size !== 2) return null;
    const rows = await query<{ camera_id: string; fence: string }>('SELECT camera_id, fence FROM segments');
    return leases.every((l) => rows.some((r) => `camera:${r.camera_id}` === l.name && r.fence === l.token)) ? leases : null;
  });
  await delay(2_000);
  const stopAt = Date.now();
  await server.restart();
  const restartMs = Date.now() - stopAt;
  t.diagnostic(`PostgreSQL restart took ${restartMs} ms`);
  // Both nodes answer again and keep recording under the same leases.
  await delay(8_000);
  assert.ok(n1.alive() && n2.alive(), 'both nodes survived the restart');
  const after = await held();
  assert.deepEqual(after.map((l) => [l.name, l.holder, l.token]).sort(), before.map((l) => [l.name, l.holder, l.token]).sort(), 'the restart was shorter than the lease: nobody lost a camera');
  const rows = await query<{ camera_id: string; start_ms: string; end_ms: string }>('SELECT camera_id, start_ms, end_ms FROM segments WHERE end_ms > $1 ORDER BY camera_id, start_ms', [stopAt - 10_000]);
  for (const cameraId of new Set(rows.map((r) => r.camera_id))) {
    const mine = rows.filter((r) => r.camera_id === cameraId);
    assert.ok(mine.some((r) => Number(r.start_ms) > stopAt + restartMs), `camera ${cameraId} records after the restart`);
    let hole = 0;
    for (let i = 1; i < mine.length; i++) hole = Math.max(hole, Number(mine[i]?.start_ms) - Number(mine[i - 1]?.end_ms));
    t.diagnostic(`camera ${cameraId}: longest hole around the restart ${hole} ms`);
    assert.ok(hole <= restartMs + 1_000, `camera ${cameraId}: a hole of ${hole} ms, more than the restart (${restartMs} ms) and one fragment`);
  }
  const gaps = await query<{ reason: string }>('SELECT reason FROM gaps WHERE start_ms > $1', [stopAt - 1_000]);
  assert.deepEqual(gaps, [], 'no gap was opened by the restart');
});
