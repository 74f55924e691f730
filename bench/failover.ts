/**
 * Several recorders on one PostgreSQL (issue 15): what a failover costs, and what leases and
 * fencing cost a recorder.
 *
 * 1. Failover time: two `custos serve` nodes (cluster.enabled, defaults: lease 5 s, renewal 1 s)
 *    on the bench's own PostgreSQL database and one shared zone record `--cameras` camsim cameras.
 *    `--kills` times: SIGKILL the node holding the most cameras; for each of its cameras, the time
 *    from the kill to the first fragment recorded by the new holder (the start of its first segment
 *    under a newer token); then the killed node is started again and takes its share back.
 *    Reported: p50 and max over every moved camera.
 * 2. Overhead: the same cameras (`--profile full`: 1080p 4 Mbit/s, as a real camera sends) recorded side by side, over the same window, by one node in
 *    cluster mode (leases, renewals, fenced writes) and one plain process (cluster.enabled off),
 *    each on its own database: CPU seconds of each process tree, and their ratio (goal ≤ 1.05).
 *
 *   node bench/failover.ts [--cameras 2] [--kills 20] [--lease 5] [--window 60] [--profile full|small] [--control]
 */
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../test/helpers/databases.ts';
import { startTestCamsim } from '../test/helpers/harness.ts';
import { addCameras, startNode, stopNode, writeNodeConfig, type ClusterNode } from '../test/helpers/cluster-nodes.ts';
import { treeTotals } from './proc-cpu.ts';

const { values } = parseArgs({ options: { cameras: { type: 'string', default: '2' }, kills: { type: 'string', default: '20' }, lease: { type: 'string', default: '5' }, window: { type: 'string', default: '60' }, profile: { type: 'string', default: 'full' }, control: { type: 'boolean', default: false } } });
/** --control: both processes plain (an A/A run: what the side-by-side method itself reads as a difference). */
const control = values.control === true;
const profile = values.profile === 'small' ? 'small' : 'full';
const cameras = Number(values.cameras);
const kills = Number(values.kills);
const leaseSeconds = Number(values.lease);
const windowMs = Number(values.window) * 1000;

async function until<T>(what: string, ms: number, check: () => Promise<T | null | false>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))] as number;

async function failoverTimes(): Promise<number[]> {
  const pg = await createTestDatabase('postgres');
  const root = await mkdtemp(join(tmpdir(), 'custos-bench-failover-'));
  const sim = await startTestCamsim({ cameras });
  const setup = { root, databaseUrl: pg.location, leaseSeconds, renewSeconds: 1, segmentSeconds: 4 };
  const configs = { n1: await writeNodeConfig(setup, 'n1'), n2: await writeNodeConfig(setup, 'n2') };
  await addCameras(configs.n1, sim.urls);
  const nodes = new Map<string, ClusterNode>();
  const start = async (id: 'n1' | 'n2') => {
    const node = startNode(id, configs[id]);
    nodes.set(id, node);
    await node.up;
  };
  const held = async (node: string) => {
    const rows = await pg.db.selectFrom('cluster_leases').selectAll().where('holder', '=', node).where('expires_ms', '>', Date.now()).where('name', 'like', 'camera:%').execute();
    return new Map(rows.map((r) => [r.name.slice('camera:'.length), Number(r.token)]));
  };
  const times: number[] = [];
  try {
    await start('n1');
    await start('n2');
    for (let k = 0; k < kills; k++) {
      // Balanced and recording under the current tokens.
      await until('a balanced cluster', 60_000, async () => {
        const [a, b] = [await held('n1'), await held('n2')];
        if (a.size + b.size !== cameras || Math.abs(a.size - b.size) > 1) return false;
        const all = new Map([...a, ...b]);
        const rows = await pg.db.selectFrom('segments').select(['camera_id', 'fence']).execute();
        return [...all].every(([id, token]) => rows.some((r) => r.camera_id === id && Number(r.fence) === token));
      });
      await delay(1000);
      const victim = (await held('n1')).size >= (await held('n2')).size ? 'n1' : 'n2';
      const lost = await held(victim);
      const node = nodes.get(victim) as ClusterNode;
      const killMs = Date.now();
      node.child.kill('SIGKILL');
      await node.exited;
      const moved = await until('the cameras on the other node', 60_000, async () => {
        const rows = await pg.db.selectFrom('segments').select(['camera_id', 'fence', 'start_ms']).where('camera_id', 'in', [...lost.keys()]).where('start_ms', '>', killMs).execute();
        const first = [...lost].map(([id, token]) => Math.min(...rows.filter((r) => r.camera_id === id && Number(r.fence) > token).map((r) => Number(r.start_ms))));
        return first.every(Number.isFinite) ? first.map((t) => t - killMs) : null;
      });
      times.push(...moved);
      process.stdout.write(`kill ${k + 1}/${kills} (${victim}, ${lost.size} cameras): ${moved.map((m) => `${m} ms`).join(', ')}\n`);
      await start(victim);
    }
  } finally {
    for (const node of nodes.values()) await stopNode(node);
    await sim.close();
    await pg.close();
    await rm(root, { recursive: true, force: true });
  }
  return times;
}

async function overhead(): Promise<{ cluster: number; plain: number }> {
  const [pgA, pgB] = [await createTestDatabase('postgres'), await createTestDatabase('postgres')];
  const [rootA, rootB] = [await mkdtemp(join(tmpdir(), 'custos-bench-lease-')), await mkdtemp(join(tmpdir(), 'custos-bench-plain-'))];
  const sim = await startTestCamsim({ cameras, profile });
  const a = await writeNodeConfig({ root: rootA, databaseUrl: pgA.location, leaseSeconds, renewSeconds: 1, segmentSeconds: 4, enabled: !control, ...(control ? {} : { roles: ['recorder', 'api', 'jobs'] }) }, 'leased');
  const b = await writeNodeConfig({ root: rootB, databaseUrl: pgB.location, segmentSeconds: 4, enabled: false }, 'plain');
  await addCameras(a, sim.urls);
  await addCameras(b, sim.urls);
  const [na, nb] = [startNode('leased', a), startNode('plain', b)];
  try {
    await Promise.all([na.up, nb.up]);
    await delay(8000);
    const pa = na.child.pid as number;
    const pb = nb.child.pid as number;
    const [a0, b0] = [await treeTotals(pa), await treeTotals(pb)];
    await delay(windowMs);
    const [a1, b1] = [await treeTotals(pa), await treeTotals(pb)];
    return { cluster: a1.cpuSeconds - a0.cpuSeconds, plain: b1.cpuSeconds - b0.cpuSeconds };
  } finally {
    await Promise.all([stopNode(na), stopNode(nb)]);
    await sim.close();
    await Promise.all([pgA.close(), pgB.close()]);
    await Promise.all([rm(rootA, { recursive: true, force: true }), rm(rootB, { recursive: true, force: true })]);
  }
}

process.stdout.write(`failover bench: ${cameras} cameras, ${kills} kills, lease ${leaseSeconds} s, renewal 1 s; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
const times = kills > 0 ? await failoverTimes() : [];
if (times.length > 0) process.stdout.write(`failover (kill -9 to first fragment on the new holder) over ${times.length} moved cameras: p50 ${pct(times, 0.5)} ms, max ${Math.max(...times)} ms (goal 10000 ms)\n`);
if (windowMs > 0) {
  const o = await overhead();
  process.stdout.write(`recorder CPU over ${windowMs / 1000} s, ${cameras} cameras (${profile} clip), side by side: ${control ? 'plain (A/A control)' : 'cluster mode'} ${o.cluster.toFixed(2)} s, plain ${o.plain.toFixed(2)} s, ratio ${(o.cluster / o.plain).toFixed(3)} (goal ≤ 1.05)\n`);
}
process.stdout.write(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
