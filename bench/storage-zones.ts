/**
 * Storage zones (issue 14): recorder CPU per camera with one local zone vs local + S3 (W = 1),
 * side by side in one run (goal ≤ 1.15), and the backfill rate after an S3 outage (goal ≥ 5×
 * real time). The S3 server is a real OpenStack Swift with s3api (test/helpers/swift-s3.ts; needs
 * root and the Debian swift packages); it, and camsim, run in their own processes and are not
 * counted: the measured tree is the recorder harness (bench/storage-zones-harness.ts).
 *
 *   node bench/storage-zones.ts [--cameras 4] [--seconds 60] [--rounds 2] [--segment-seconds 10] [--outage 60]
 *
 * Backfill: the S3 proxy is stopped for --outage seconds while the cameras record, then started;
 * the backfill is done when no copy sealed before the restart is pending. Ratio = footage
 * seconds to backfill (cameras × outage) / backfill seconds, plus the throughput in MB/s and what
 * that throughput means for 50 cameras of the same bitrate (the 10 min × 50 cameras,
 * scaled down to fit this machine).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { StorageStatus } from '../src/storage/replicator.ts';
import { startSwiftS3, swiftAccessKeyId, swiftSecret } from '../test/helpers/swift-s3.ts';
import { treeTotals } from './proc-cpu.ts';

const { values } = parseArgs({
  options: {
    cameras: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '2' },
    'segment-seconds': { type: 'string', default: '10' },
    outage: { type: 'string', default: '60' },
  },
});
const cameras = Number(values.cameras);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const segmentSeconds = Number(values['segment-seconds']);
const outage = Number(values.outage);
const cli = join(import.meta.dirname, '..', 'bin', 'custos.js');
const harness = join(import.meta.dirname, 'storage-zones-harness.ts');
const port = 18957;

type Mode = 'local' | 'local+s3';

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const work = await mkdtemp(join(tmpdir(), 'custos-bench-zones-'));
const swift = await startSwiftS3(join(work, 'swift'));
const admin = new S3Client({ endpoint: swift.endpoint, region: swift.region, forcePathStyle: true, credentials: { accessKeyId: swiftAccessKeyId, secretAccessKey: swiftSecret } });
await admin.send(new CreateBucketCommand({ Bucket: 'bench' }));
admin.destroy();
const secretFile = join(work, 's3-secret');
await writeFile(secretFile, swiftSecret, { mode: 0o600 });
let run = 0;

/** Starts a harness; `status()` asks it for the storage status. */
async function startHarness(mode: Mode): Promise<{ child: ChildProcess; dir: string; status(): Promise<StorageStatus | null> }> {
  const dir = join(work, `run-${run++}`);
  const s3 = mode === 'local' ? [] : ['--s3-endpoint', swift.endpoint, '--s3-bucket', 'bench', '--s3-secret-file', secretFile, '--s3-access-key', swiftAccessKeyId];
  const child = spawn(process.execPath, [harness, '--cameras', String(cameras), '--port', String(port), '--dir', dir, '--segment-seconds', String(segmentSeconds), ...s3], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: Array<(s: StorageStatus | null) => void> = [];
  let ready: () => void = () => undefined;
  const readyP = new Promise<void>((resolve) => (ready = resolve));
  createInterface({ input: child.stdout }).on('line', (l) => {
    const msg = JSON.parse(l) as { type: string; status?: StorageStatus | null };
    if (msg.type === 'ready') ready();
    if (msg.type === 'status') waiting.shift()?.(msg.status ?? null);
  });
  await readyP;
  return {
    child,
    dir,
    status: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write('status\n');
      }),
  };
}

async function measure(mode: Mode): Promise<number> {
  const h = await startHarness(mode);
  try {
    // Steady state: past start-up and the first sealed segment (and so the first copy).
    await delay(Math.max(8, segmentSeconds + 5) * 1000);
    const start = await treeTotals(h.child.pid ?? 0);
    await delay(seconds * 1000);
    const stop = await treeTotals(h.child.pid ?? 0);
    return (stop.cpuSeconds - start.cpuSeconds) / cameras / (seconds / 60);
  } finally {
    await stopChild(h.child);
    await rm(h.dir, { recursive: true, force: true });
  }
}

const camsim = spawn(process.execPath, [cli, 'camsim', '--cameras', String(cameras), '--port', String(port), '--cache-dir', join(tmpdir(), 'custos-bench-clips')], { stdio: ['ignore', 'pipe', 'ignore'] });
try {
  await new Promise<void>((resolve) => camsim.stdout?.once('data', () => resolve()));
  console.log(`bench: ${cameras} cameras (1080p, ~4 Mbit/s), ${segmentSeconds} s segments, ${seconds} s per run, ${rounds} rounds, order alternating; Swift and camsim not counted`);
  const results: Record<Mode, number[]> = { local: [], 'local+s3': [] };
  for (let r = 0; r < rounds; r++) {
    const order: Mode[] = r % 2 === 0 ? ['local', 'local+s3'] : ['local+s3', 'local'];
    for (const mode of order) {
      const cpu = await measure(mode);
      results[mode].push(cpu);
      console.log(`round ${r + 1} ${mode.padEnd(8)} ${cpu.toFixed(3)} CPU-s/camera-min (${((cpu / 60) * 100).toFixed(2)} % of a core per camera)`);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`mean local ${mean(results.local).toFixed(3)}, local+s3 ${mean(results['local+s3']).toFixed(3)} CPU-s/camera-min; ratio ${(mean(results['local+s3']) / mean(results.local)).toFixed(3)} (goal ≤ 1.15)`);

  // Backfill after an outage.
  const h = await startHarness('local+s3');
  try {
    await delay(5000);
    await swift.stopProxy();
    console.log(`backfill: S3 down for ${outage} s while ${cameras} cameras record`);
    await delay(outage * 1000);
    const before = (await h.status())!.zones.find((z) => z.id === 'offsite')!;
    await swift.startProxy();
    const restart = Date.now();
    let doneAt = 0;
    for (;;) {
      const z = (await h.status())!.zones.find((x) => x.id === 'offsite')!;
      if (z.backlog.pending === 0 || (z.backlog.oldestSealedMs ?? 0) > restart) {
        doneAt = Date.now();
        break;
      }
      await delay(250);
    }
    const took = (doneAt - restart) / 1000;
    const mbPerSecond = before.backlog.pendingBytes / 1e6 / took;
    const bytesPerCameraSecond = before.backlog.pendingBytes / (cameras * outage);
    const for50 = (before.backlog.pendingBytes / took) / (50 * bytesPerCameraSecond);
    console.log(
      `backfill: ${before.backlog.pending} objects, ${(before.backlog.pendingBytes / 1e6).toFixed(1)} MB (${outage} s × ${cameras} cameras) in ${took.toFixed(1)} s = ${(outage / took).toFixed(1)}× real time for ${cameras} cameras; ` +
        `${mbPerSecond.toFixed(1)} MB/s, i.e. ${for50.toFixed(1)}× real time for 50 cameras of this bitrate (goal ≥ 5×)`,
    );
  } finally {
    await stopChild(h.child);
  }
} finally {
  await stopChild(camsim);
  await swift.stop();
  await rm(work, { recursive: true, force: true });
}
