/**
 * Two cluster nodes in one test process (real apps over HTTPS, real PostgreSQL database of the
 * test's own, one shared zone and key, camsim): the cluster status names the holder of each
 * camera; a live view asked of the node that does not record the camera closes with 4421 and the
 * holder's URL, while the holder serves it. A cluster on SQLite is refused at start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { App } from '../../src/app.ts';
import { isAppError } from '../../src/lib/errors.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

async function liveOutcome(app: App, cameraId: string, headers: Record<string, string>): Promise<{ code: number; reason: string } | 'data'> {
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(`${app.url.replace('https:', 'wss:')}/api/v1/cameras/${cameraId}/live`, { rejectUnauthorized: false, headers });
  return new Promise((resolve, reject) => {
    ws.once('message', () => {
      resolve('data');
      ws.close();
    });
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.once('error', reject);
  });
}

test('cluster status names each camera\'s recorder; live view on the other node names the holder (4421)', async (t) => {
  const defer = teardown(t);
  const pg = await createTestDatabase('postgres');
  defer(() => pg.close());
  const dir = await tempDir('cluster-live');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 2 });
  defer(() => sim.close());
  const node = (id: string) => ({
    'database.url': pg.location,
    'keys.file.path': join(dir.path, 'master.key'),
    'storage.zones': [{ id: 'shared', kind: 'local', path: join(dir.path, 'segments') }],
    'recording.segmentSeconds': 3,
    'cluster.enabled': true,
    'cluster.nodeId': id,
    'cluster.url': `https://${id}.cluster.test:8443`,
    'cluster.leaseSeconds': 3,
  });
  const a = await startTestApp(join(dir.path, 'a'), node('a'));
  defer(() => a.close());
  const cameras = [await a.cameras.add({ name: 'One', url: sim.urls[0]! }, testActor), await a.cameras.add({ name: 'Two', url: sim.urls[1]! }, testActor)];
  const b = await startTestApp(join(dir.path, 'b'), node('b'));
  defer(() => b.close());
  const admin = await testPrincipal(a, { roles: ['admin'] });
  const status = await waitFor('one camera per node', 30_000, async () => {
    const res = await admin.inject({ method: 'GET', url: '/api/v1/cluster/status' });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<{ nodes: { id: string; live: boolean; cameras: number }[]; cameras: { cameraId: string; holder: string | null }[]; checkpointSigner: string | null }>();
    return body.nodes.length === 2 && body.nodes.every((n) => n.live && n.cameras === 1) ? body : null;
  });
  assert.ok(status.checkpointSigner === 'a' || status.checkpointSigner === 'b', 'one node signs the checkpoints');
  const onB = status.cameras.find((c) => c.holder === 'b')?.cameraId as string;
  const onA = status.cameras.find((c) => c.holder === 'a')?.cameraId as string;
  assert.deepEqual(new Set([onA, onB]), new Set(cameras.map((c) => c.id)));
  assert.equal(a.cluster.keeper?.lease(onB), null);
  await waitFor('camera on a recording', 20_000, () => a.recorder.openSegment(onA) !== null);
  assert.equal(await liveOutcome(a, onA, admin.headers), 'data', 'the holder serves its camera live');
  assert.deepEqual(await liveOutcome(a, onB, admin.headers), { code: 4421, reason: 'CAMERA_ON_OTHER_NODE https://b.cluster.test:8443' });
});

test('cluster.enabled on SQLite is refused at start (CONFIG_INVALID)', async (t) => {
  const dir = await tempDir('cluster-sqlite');
  t.after(() => dir.remove());
  await assert.rejects(startTestApp(dir.path, { 'cluster.enabled': true }), (e) => isAppError(e, 'CONFIG_INVALID') && /PostgreSQL/.test(e.message));
});
