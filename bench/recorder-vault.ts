/**
 * Recorder CPU per camera with the vault vs the plain store, side by side in one run (goal of
 * the vault issue: ratio ≤ 1.05, encryption nearly free). Each store records the same N
 * simulated 1080p 4 Mbit/s cameras for the same time in its own process (bench/recorder-harness.ts);
 * camsim runs in a third process and is not counted. The order alternates over `--rounds` to
 * spread machine noise.
 *
 *   node bench/recorder-vault.ts [--cameras 10] [--seconds 60] [--rounds 2] [--app]
 *
 * `--app` (issue 20): both record as the server does, native ingest on worker threads; the vault
 * seals on worker threads (ADR 0044). By default the ffmpeg ingest and sealing in the recorder's
 * thread, as when the vault issue measured it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { treeTotals } from './proc-cpu.ts';

const { values } = parseArgs({ options: { cameras: { type: 'string', default: '10' }, seconds: { type: 'string', default: '60' }, rounds: { type: 'string', default: '2' }, app: { type: 'boolean', default: false } } });
const appFlags = (store: 'plain' | 'vault') => (values.app ? ['--ingest', 'native-workers', '--workers', '2', ...(store === 'vault' ? ['--seal-workers', '2'] : [])] : []);
const cameras = Number(values.cameras);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const cli = join(import.meta.dirname, '..', 'bin', 'custos.js');
const harness = join(import.meta.dirname, 'recorder-harness.ts');
const port = 18954;

async function measure(store: 'plain' | 'vault'): Promise<{ cpuPerCameraMinute: number; rssMb: number }> {
  const dir = await mkdtemp(join(tmpdir(), `custos-bench-${store}-`));
  const child = spawn(process.execPath, [harness, '--store', store, ...appFlags(store), '--cameras', String(cameras), '--port', String(port), '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    await delay(8000);
    const start = await treeTotals(child.pid ?? 0);
    let rss = start.rssBytes;
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      await delay(2000);
      rss = Math.max(rss, (await treeTotals(child.pid ?? 0)).rssBytes);
    }
    const stop = await treeTotals(child.pid ?? 0);
    return { cpuPerCameraMinute: (stop.cpuSeconds - start.cpuSeconds) / cameras / (seconds / 60), rssMb: rss / 1e6 };
  } finally {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const camsim = spawn(process.execPath, [cli, 'camsim', '--cameras', String(cameras), '--port', String(port), '--cache-dir', join(tmpdir(), 'custos-bench-clips')], { stdio: ['ignore', 'pipe', 'ignore'] });
try {
  await new Promise<void>((resolve) => camsim.stdout?.once('data', () => resolve()));
  console.log(`bench: ${cameras} cameras (1080p, ~4 Mbit/s), ${seconds} s per run, ${rounds} rounds, order alternating`);
  const results: Record<'plain' | 'vault', number[]> = { plain: [], vault: [] };
  for (let r = 0; r < rounds; r++) {
    const order: Array<'plain' | 'vault'> = r % 2 === 0 ? ['plain', 'vault'] : ['vault', 'plain'];
    for (const store of order) {
      const m = await measure(store);
      results[store].push(m.cpuPerCameraMinute);
      console.log(`round ${r + 1} ${store.padEnd(5)} ${m.cpuPerCameraMinute.toFixed(3)} CPU-s/camera-min (${((m.cpuPerCameraMinute / 60) * 100).toFixed(2)} % of a core per camera), peak RSS ${m.rssMb.toFixed(0)} MB`);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`mean plain ${mean(results.plain).toFixed(3)}, vault ${mean(results.vault).toFixed(3)} CPU-s/camera-min; ratio vault/plain ${(mean(results.vault) / mean(results.plain)).toFixed(3)}`);
} finally {
  await stopChild(camsim);
}
