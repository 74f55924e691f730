/**
 * Recorder cost per camera, side by side with a plain-ffmpeg baseline, in one run:
 *   A  baseline: one `ffmpeg -rtsp_transport tcp -c copy -f segment` per camera writing plaintext
 *      MP4 files (what Frigate-style recorders do);
 *   B  Custos `serve` with the ffmpeg ingest (its node process plus its ffmpeg children).
 * The simulator runs in its own process and is not counted. Prints CPU-seconds per
 * camera-minute, peak RSS and the ratio B/A.
 *
 *   node bench/recorder-cpu.ts [--cameras 10] [--seconds 60] [--profile full|small]
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { treeTotals } from './proc-cpu.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { cameras: { type: 'string', default: '10' }, seconds: { type: 'string', default: '60' }, profile: { type: 'string', default: 'full' } } });
const cameras = Number(values.cameras);
const seconds = Number(values.seconds);
const cli = join(import.meta.dirname, '..', 'bin', 'custos.js');
const warmupMs = 8000;

interface Measure {
  cpuPerCameraMinute: number;
  /** The share of the root processes themselves (Custos's node process), children excluded. */
  rootCpuPerCameraMinute: number;
  peakRssMb: number;
  processes: number;
}

/** Measures CPU over `seconds` after a warm-up, summed over the process trees of `roots`. */
async function measure(roots: () => number[]): Promise<Measure> {
  await delay(warmupMs);
  const total = async () => {
    let cpu = 0;
    let rootCpu = 0;
    let rss = 0;
    let processes = 0;
    for (const pid of roots()) {
      const t = await treeTotals(pid);
      cpu += t.cpuSeconds;
      rootCpu += t.rootCpuSeconds;
      rss += t.rssBytes;
      processes += t.processes;
    }
    return { cpu, rootCpu, rss, processes };
  };
  const start = await total();
  let peak = start.rss;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await delay(2000);
    peak = Math.max(peak, (await total()).rss);
  }
  const stop = await total();
  const perCameraMinute = (cpu: number) => cpu / cameras / (seconds / 60);
  return { cpuPerCameraMinute: perCameraMinute(stop.cpu - start.cpu), rootCpuPerCameraMinute: perCameraMinute(stop.rootCpu - start.rootCpu), peakRssMb: peak / 1e6, processes: stop.processes };
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null) return done();
          c.once('exit', () => done());
          c.kill('SIGTERM');
        }),
    ),
  );
}

const work = await mkdtemp(join(tmpdir(), 'custos-bench-'));
const camsim = spawn(process.execPath, [cli, 'camsim', '--cameras', String(cameras), '--port', '18654', '--profile', values.profile, '--cache-dir', join(tmpdir(), 'custos-bench-clips')], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  await new Promise<void>((resolve) => camsim.stdout?.once('data', () => resolve()));
  const urls = Array.from({ length: cameras }, (_, i) => `rtsp://127.0.0.1:18654/cam${i + 1}`);
  console.log(`bench: ${cameras} cameras (${values.profile}), ${seconds} s measured after ${warmupMs / 1000} s warm-up`);

  // A: plain ffmpeg per camera.
  const baseline = urls.map((url, i) =>
    spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-rtsp_transport', 'tcp', '-i', url, '-map', '0:v:0', '-c', 'copy', '-f', 'segment', '-segment_time', '60', '-reset_timestamps', '1', join(work, `a-cam${i}-%03d.mp4`)], { stdio: 'ignore' }),
  );
  const a = await measure(() => baseline.map((c) => c.pid ?? 0).filter((p) => p > 0));
  await stopAll(baseline);

  // B: Custos with the ffmpeg ingest.
  const dataDir = join(work, 'custos');
  for (const [i, url] of urls.entries()) await run(process.execPath, [cli, 'camera', 'add', '--data-dir', dataDir, '--name', `Bench ${i + 1}`, '--url', url]);
  const server = spawn(process.execPath, [cli, 'serve', '--data-dir', dataDir], { env: { ...process.env, CUSTOS_SERVER_PORT: '0', CUSTOS_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  const b = await measure(() => [server.pid ?? 0]);
  await stopAll([server]);

  const row = (name: string, m: Measure) => `${name.padEnd(34)} ${m.cpuPerCameraMinute.toFixed(3).padStart(8)} CPU-s/camera-min  ${(m.cpuPerCameraMinute / 60 * 100).toFixed(2).padStart(6)} % core/camera  peak RSS ${m.peakRssMb.toFixed(0).padStart(5)} MB (${m.processes} processes)`;
  console.log(row('A  ffmpeg -f segment (baseline)', a));
  console.log(row('B  Custos, ffmpeg ingest', b));
  console.log(`   of which Custos's node process       ${b.rootCpuPerCameraMinute.toFixed(3).padStart(8)} CPU-s/camera-min, its ffmpeg children ${(b.cpuPerCameraMinute - b.rootCpuPerCameraMinute).toFixed(3)}`);
  console.log(`ratio B/A CPU ${(b.cpuPerCameraMinute / a.cpuPerCameraMinute).toFixed(2)}, memory ${(b.peakRssMb / a.peakRssMb).toFixed(2)}`);
} finally {
  await stopAll([camsim]);
  await rm(work, { recursive: true, force: true });
}
