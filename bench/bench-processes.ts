/**
 * The processes the ingest benchmarks start: camsim (`custos camsim`) and the recorder harness
 * (bench/recorder-harness.ts), each in its own process, and the JSON lines the harness prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '..', 'bin', 'custos.js');
const harnessPath = join(import.meta.dirname, 'recorder-harness.ts');
/** Where the benchmarks keep camsim's generated clip between runs. */
export const clipCache = join(tmpdir(), 'custos-bench-clips');

/** Sends `signal` (SIGTERM by default) and resolves once the process has exited. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Starts camsim with `cameras` cameras (full profile: 1080p 25 fps ~4 Mbit/s) and waits until it serves. */
export async function startCamsimProcess(cameras: number, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, 'camsim', '--cameras', String(cameras), '--port', String(port), '--profile', 'full', '--cache-dir', clipCache], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`camsim exited with ${code}`)));
    child.stdout?.once('data', () => resolve());
  });
  child.stdout?.resume();
  return child;
}

/** `{"type":"ready"}`: the harness recovered its directory and started every camera. */
export interface HarnessReady {
  readonly type: 'ready';
  readonly startupMs: number;
  readonly recovery: { recovered: number; truncatedBytes: number; removedEmpty: number; removedOrphans: number };
}

/** Per camera: frames that reached the recorder between two fragment arrivals, and the time between them. */
export interface SinkSpan {
  readonly frames: number;
  readonly spanMs: number;
}

/** `{"type":"exit"}`: what happened since the mark (see bench/recorder-harness.ts). */
export interface HarnessExit {
  readonly type: 'exit';
  readonly windowMs: number;
  readonly sink: SinkSpan[];
  readonly initsSinceMark: number[];
  /** Null for the ffmpeg ingest; on worker threads only the losses are known (the rest null). */
  readonly native: { lostPackets: number; droppedFrames: number; refusedFrames: number | null; malformedPackets: number | null; sessionsEnded: number | null } | null;
  readonly eventLoopDelayMs: { p50: number; p99: number; max: number; mean: number };
  /** Leaves in the audit ledger (null without --ledger), viewers and the bytes they were sent. */
  readonly ledgerLeaves?: number | null;
  readonly viewers?: number;
  readonly viewerBytes?: number;
  /** The recorder thread's garbage collections in the window: count and pause ms, minor and major. */
  readonly gc?: { minor: number; minorMs: number; major: number; majorMs: number };
}

/** A running harness. */
export interface HarnessProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<HarnessReady>;
  /** Starts the measured window; resolves with the number of cameras recording at that moment. */
  mark(): Promise<number>;
  /** SIGTERM, then the exit report. */
  stop(): Promise<HarnessExit>;
}

/** The ingests the harness runs: ffmpeg, native in the recorder's thread, native on worker threads. */
export type HarnessIngest = 'ffmpeg' | 'native' | 'native-workers';

/** Starts bench/recorder-harness.ts with the vault store. */
export function startHarness(o: { ingest: HarnessIngest; cameras: number; port: number; dir: string; /** More harness flags (e.g. the app's set, ingest-sweep.ts --app). */ extra?: readonly string[] }): HarnessProcess {
  const child = spawn(process.execPath, [harnessPath, '--store', 'vault', '--ingest', o.ingest, '--cameras', String(o.cameras), '--port', String(o.port), '--dir', o.dir, ...(o.extra ?? [])], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = new Map<string, (value: object) => void>();
  const next = (type: string) => new Promise<object>((resolve) => waiting.set(type, resolve));
  const ready = next('ready') as Promise<HarnessReady>;
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    let obj: { type?: string };
    try {
      obj = JSON.parse(text) as { type?: string };
    } catch {
      return;
    }
    const resolve = waiting.get(obj.type ?? '');
    waiting.delete(obj.type ?? '');
    resolve?.(obj);
  });
  child.stdin?.on('error', () => undefined); // a killed harness closes its stdin
  return {
    child,
    ready,
    async mark() {
      const got = next('mark');
      child.stdin?.write('mark\n');
      return ((await got) as { camerasRecording: number }).camerasRecording;
    },
    async stop() {
      const got = next('exit');
      await stopChild(child);
      return (await Promise.race([got, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('harness exited without its report')), 1000))])) as HarnessExit;
    },
  };
}

/** Frames missing from a set of spans: 25 fps × span − frames, summed (positive: frames lost). */
export function missingFrames(spans: readonly SinkSpan[], fps = 25): number {
  return spans.reduce((n, s) => n + (fps * s.spanMs) / 1000 - s.frames, 0);
}
