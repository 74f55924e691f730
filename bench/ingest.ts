/**
 * Native ingest (issue 5): recorder cost per camera, side by side in one run, against a
 * plain-ffmpeg baseline. N simulated 1080p 25 fps ~4 Mbit/s cameras (camsim in its own process,
 * measured but not counted):
 *   A  baseline: `ffmpeg -rtsp_transport tcp -i URL -c copy -f segment -segment_time 60
 *      -reset_timestamps 1 out%03d.mp4` per camera, plaintext MP4 files (what Frigate does);
 *   B  Custos recorder, ffmpeg ingest, vault on (bench/recorder-harness.ts: node + ffmpeg children);
 *   C  Custos recorder, native ingest, vault on (one node process; in the recorder's thread, or
 *      with `--c native-workers` on worker threads, one per core, as app.ts runs it).
 * By default A, B and C record at the same time from the same camsim (each camera serves three
 * sessions), so load from other work on the machine falls on all three alike; `--mode sequential`
 * runs them one after the other instead (order A B C, then C B A with `--rounds 2`).
 * Prints CPU-seconds per camera-minute (every process of a variant, read from /proc), peak RSS
 * (sum over the variant's processes), frames missing, the event-loop delay of B and C, the
 * ratios B/A and C/A, and the goal C/A ≤ 0.5.
 *
 *   node bench/ingest.ts --cameras 10 --seconds 60 [--mode concurrent|sequential] [--rounds 1]
 *                        [--c native|native-workers|app] [--without-b]
 * `--c app`: C as the server runs it (issue 20): native ingest on worker threads, sealing on
 * worker threads, segment leaves in an audit ledger, live chunks on demand (no viewer here).
 * `--without-b` leaves B out (it runs one ffmpeg per camera as well: at 50 cameras it crowds the
 * two cores A and C are measured on).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { missingFrames, startCamsimProcess, startHarness, stopChild, type HarnessExit, type HarnessIngest, type SinkSpan } from './bench-processes.ts';
import { GroupMeter } from './proc-cpu.ts';

const { values } = parseArgs({
  options: {
    cameras: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '10' },
    mode: { type: 'string', default: 'concurrent' },
    rounds: { type: 'string', default: '1' },
    c: { type: 'string', default: 'native' },
    'without-b': { type: 'boolean', default: false },
  },
});
const cameras = Number(values.cameras);
const seconds = Number(values.seconds);
const warmupMs = Number(values.warmup) * 1000;
const rounds = Number(values.rounds);
if (values.mode !== 'concurrent' && values.mode !== 'sequential') throw new Error('--mode must be concurrent or sequential');
const cApp = values.c === 'app';
const cIngest = cApp ? 'native-workers' : values.c;
if (cIngest !== 'native' && cIngest !== 'native-workers') throw new Error('--c must be native, native-workers or app');
const cExtra = cApp ? ['--workers', '2', '--seal-workers', '2', '--ledger', '--live-chunks'] : [];
const port = 18754;
const fps = 25;
const ffprobe = promisify(execFile);

type Name = 'A' | 'B' | 'C';
/** What one variant recorded in the window, beside its CPU and memory. */
interface Recorded {
  spans: SinkSpan[];
  /** A: ffmpeg processes that ended before the stop; B, C: ingest runs started again (reconnects). */
  reconnects: number;
  harness: HarnessExit | null;
  note: string;
}
/** One variant: started, marked at the window's start, stopped at its end. */
interface Variant {
  readonly name: Name;
  readonly label: string;
  start(): Promise<void>;
  pids(): number[];
  mark(): Promise<void>;
  stop(): Promise<Recorded>;
}

/** A: one plain ffmpeg per camera; frames read from its `-progress` report (once a second). */
function baseline(work: string): Variant {
  const procs: Array<{ child: ChildProcess; frames: number; at: number; mark: { frames: number; at: number } }> = [];
  const dir = join(work, 'a');
  return {
    name: 'A',
    label: 'A  ffmpeg -f segment (baseline)',
    async start() {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      for (let i = 0; i < cameras; i++) {
        const child = spawn(
          'ffmpeg',
          ['-hide_banner', '-loglevel', 'error', '-nostdin', '-progress', 'pipe:1', '-stats_period', '1', '-rtsp_transport', 'tcp', '-i', `rtsp://127.0.0.1:${port}/cam${i + 1}`, '-c', 'copy', '-f', 'segment', '-segment_time', '60', '-reset_timestamps', '1', join(dir, `cam${i + 1}-%03d.mp4`)],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const p = { child, frames: 0, at: performance.now(), mark: { frames: 0, at: 0 } };
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
          if (text.startsWith('frame=')) p.frames = Number(text.slice(6));
          else if (text.startsWith('progress=')) p.at = performance.now();
        });
        procs.push(p);
      }
    },
    pids: () => procs.map((p) => p.child.pid ?? 0).filter((pid) => pid > 0),
    async mark() {
      for (const p of procs) p.mark = { frames: p.frames, at: p.at };
    },
    async stop() {
      const now = performance.now();
      const ended = procs.filter((p) => p.child.exitCode !== null || p.child.signalCode !== null).length;
      // A report older than two periods: the process ended or stalled, so count up to now.
      const spans = procs.map((p) => ({ frames: p.frames - p.mark.frames, spanMs: (now - p.at > 2000 ? now : p.at) - p.mark.at }));
      await Promise.all(procs.map((p) => stopChild(p.child)));
      // The files as written (packets, no decode): what a reader of A's output gets.
      let stored = 0;
      for (const f of await readdir(dir)) {
        const { stdout } = await ffprobe('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', join(dir, f)]);
        stored += Number(stdout.trim());
      }
      const reported = procs.reduce((n, p) => n + p.frames, 0);
      return { spans, reconnects: ended, harness: null, note: `files hold ${stored} frames (ffprobe), ffmpeg reported ${reported}` };
    },
  };
}

/** B or C: the recorder harness with the vault, frames counted at the recorder's sink. */
function custos(name: 'B' | 'C', ingest: HarnessIngest, work: string): Variant {
  let h: ReturnType<typeof startHarness> | null = null;
  return {
    name,
    label: name === 'B' ? 'B  Custos, ffmpeg ingest, vault' : `C  Custos, ${cApp ? 'as the server runs it' : ingest === 'native' ? 'native ingest' : 'native, workers'}, vault`,
    async start() {
      const dir = join(work, name.toLowerCase());
      await rm(dir, { recursive: true, force: true });
      h = startHarness({ ingest, cameras, port, dir, ...(name === 'C' ? { extra: cExtra } : {}) });
      await h.ready;
    },
    pids: () => (h?.child.pid === undefined ? [] : [h.child.pid]),
    async mark() {
      const recording = (await h?.mark()) ?? 0;
      if (recording < cameras) console.log(`  ${name}: only ${recording} of ${cameras} cameras recording at the mark`);
    },
    async stop() {
      const exit = await (h as NonNullable<typeof h>).stop();
      const n = exit.native;
      const note = n === null ? '' : `native counters: lost packets ${n.lostPackets}, dropped frames ${n.droppedFrames}, refused ${n.refusedFrames ?? 'n/a'}, malformed ${n.malformedPackets ?? 'n/a'}, sessions ended ${n.sessionsEnded ?? 'n/a'}`;
      return { spans: exit.sink, reconnects: exit.initsSinceMark.reduce((a, b) => a + b, 0), harness: exit, note };
    },
  };
}

interface Result {
  cpuPerCameraMinute: number;
  peakRssMb: number;
  processes: number;
  recorded: Recorded;
}

/** Starts `variants` together, measures them over the same window, stops them. */
async function measureTogether(variants: Variant[], camsim: ChildProcess): Promise<{ results: Map<Name, Result>; camsimCpuSeconds: number; camsimRssMb: number }> {
  await Promise.all(variants.map((v) => v.start()));
  await delay(warmupMs);
  const meter = new GroupMeter<Name | 'camsim'>({
    A: () => variants.find((v) => v.name === 'A')?.pids() ?? [],
    B: () => variants.find((v) => v.name === 'B')?.pids() ?? [],
    C: () => variants.find((v) => v.name === 'C')?.pids() ?? [],
    camsim: () => [camsim.pid ?? 0],
  });
  await Promise.all(variants.map((v) => v.mark()));
  await meter.sample();
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    await delay(Math.min(2000, Math.max(0, end - performance.now())));
    await meter.sample();
  }
  const windowS = (performance.now() - start) / 1000;
  const recorded = await Promise.all(variants.map((v) => v.stop()));
  const results = new Map<Name, Result>();
  for (const [i, v] of variants.entries()) {
    const u = meter.usage(v.name);
    results.set(v.name, { cpuPerCameraMinute: u.cpuSeconds / cameras / (windowS / 60), peakRssMb: u.peakRssBytes / 1e6, processes: u.processes, recorded: recorded[i] as Recorded });
  }
  const c = meter.usage('camsim');
  return { results, camsimCpuSeconds: c.cpuSeconds / windowS, camsimRssMb: c.peakRssBytes / 1e6 };
}

const work = await mkdtemp(join(tmpdir(), 'custos-bench-ingest-'));
const load0 = loadavg();
// Concurrently every camera serves a session per variant (A, B and C, or A and C); sequentially one.
const camsim = await startCamsimProcess(cameras, port);
try {
  const all = (): Variant[] => (values['without-b'] ? [baseline(work), custos('C', cIngest, work)] : [baseline(work), custos('B', 'ffmpeg', work), custos('C', cIngest, work)]);
  console.log(`bench: ${cameras} cameras (1080p 25 fps ~4 Mbit/s), ${seconds} s measured after ${warmupMs / 1000} s warm-up, ${values.mode}${values.mode === 'sequential' ? `, ${rounds} round(s)` : ''}; load average ${load0.map((l) => l.toFixed(2)).join(' ')}`);
  const runs: Array<Map<Name, Result>> = [];
  const camsimShare: number[] = [];
  if (values.mode === 'concurrent') {
    for (let r = 0; r < rounds; r++) {
      const m = await measureTogether(all(), camsim);
      runs.push(m.results);
      camsimShare.push(m.camsimCpuSeconds);
    }
  } else {
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? all() : all().reverse();
      const round = new Map<Name, Result>();
      for (const v of order) {
        const m = await measureTogether([v], camsim);
        round.set(v.name, m.results.get(v.name) as Result);
        camsimShare.push(m.camsimCpuSeconds);
      }
      runs.push(round);
    }
  }
  const load1 = loadavg();
  const mean = (name: Name, f: (r: Result) => number) => runs.reduce((n, run) => n + f(run.get(name) as Result), 0) / runs.length;
  const cpu = (name: Name) => mean(name, (r) => r.cpuPerCameraMinute);
  const rss = (name: Name) => mean(name, (r) => r.peakRssMb);
  for (const [r, run] of runs.entries()) {
    if (runs.length > 1) console.log(`round ${r + 1}`);
    for (const name of ['A', 'B', 'C'] as const) {
      const res = run.get(name);
      if (res === undefined) continue;
      const expected = res.recorded.spans.reduce((n, s) => n + (fps * s.spanMs) / 1000, 0);
      const missing = missingFrames(res.recorded.spans, fps);
      const eld = res.recorded.harness?.eventLoopDelayMs;
      console.log(
        `${all().find((v) => v.name === name)?.label.padEnd(33)} ${res.cpuPerCameraMinute.toFixed(3).padStart(7)} CPU-s/camera-min ${((res.cpuPerCameraMinute / 60) * 100).toFixed(2).padStart(5)} % core/camera  peak RSS ${res.peakRssMb.toFixed(0).padStart(5)} MB (${res.processes} proc)` +
          `  frames missing ${Math.round(missing) || 0} of ${Math.round(expected)} (${((missing / expected) * 100).toFixed(2)} %), ${name === 'A' ? 'ended early' : 'reconnects'} ${res.recorded.reconnects}` +
          (eld ? `  event-loop delay p99 ${eld.p99} ms, max ${eld.max} ms` : ''),
      );
      if (res.recorded.note !== '') console.log(`   ${res.recorded.note}`);
    }
  }
  const camsimCpu = camsimShare.reduce((a, b) => a + b, 0) / camsimShare.length;
  console.log(`camsim (not counted): ${(camsimCpu * 100).toFixed(1)} % of a core for ${values.mode === 'concurrent' ? (values['without-b'] ? 2 : 3) * cameras : cameras} sessions`);
  if (!values['without-b']) console.log(`ratio B/A: CPU ${(cpu('B') / cpu('A')).toFixed(2)}, memory ${(rss('B') / rss('A')).toFixed(2)}`);
  const ca = cpu('C') / cpu('A');
  console.log(`ratio C/A: CPU ${ca.toFixed(2)} (goal ≤ 0.5: ${ca <= 0.5 ? 'met' : 'NOT met'}), memory ${(rss('C') / rss('A')).toFixed(2)}`);
  if (!values['without-b']) console.log(`ratio C/B: CPU ${(cpu('C') / cpu('B')).toFixed(2)}, memory ${(rss('C') / rss('B')).toFixed(2)}`);
  console.log(`load average at the end ${load1.map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await stopChild(camsim);
  await rm(work, { recursive: true, force: true });
}
