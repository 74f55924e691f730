/**
 * The ffmpeg adapter of Ingest: one `ffmpeg -c copy` process per camera writing fragmented MP4
 * to its stdout, split into pieces by Fmp4Reader. Contracts:
 * - back-pressure: stdout is paused while a sink promise is pending (PieceSink contract);
 * - every stderr line is scrubbed (URL userinfo and the password) before it is logged or put
 *   into an error;
 * - `run` settles only after ffmpeg has exited, and ffmpeg is killed when the Node process
 *   exits, so no ffmpeg outlives its run or its recorder;
 * - rtsps:// is verified in Node, never by ffmpeg (camera-bridge.ts, ADR 0008): the run first
 *   opens a TLS connection to the camera that MUST pass chain and host name/IP checks (or match a
 *   pinned certificate), then offers it to ffmpeg once on a loopback port;
 * - an rtsp:// camera with credentials goes through the same bridge (plain TCP), whose RTSP
 *   guard MUST stop a request with Basic credentials (the password in clear) and a redirect
 *   (ffmpeg would follow it to another host with the credentials) before ffmpeg's bytes or the
 *   camera's reach the other side.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { AppError } from '../../lib/errors.ts';
import { scrubText } from '../../lib/scrub-url.ts';
import { ffmpegIngestArgs, needsBridge } from './ffmpeg-args.ts';
import { openCameraBridge, type CameraBridge } from './camera-bridge.ts';
import { addressCheck, type CameraNetworkPolicy } from '../camera-networks.ts';
import { Fmp4Reader } from '../../media/fmp4/fmp4-reader.ts';
import type { Ingest, IngestTarget, PieceSink } from '../ingest.ts';
import type { MediaPiece } from '../../media/media.ts';

/** The slice of the logger the ingest uses (pino-compatible). */
export interface IngestLog {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Options of the ffmpeg ingest. */
export interface FfmpegIngestOptions {
  readonly ffmpegPath: string;
  /** Longest fragment ffmpeg may produce, in seconds (fragments also start at every key frame). */
  readonly fragmentSeconds: number;
  /** No stdout bytes for this long (outside back-pressure) means the camera is gone. */
  readonly stallTimeoutMs: number;
  readonly log: IngestLog;
  /** Time between SIGTERM and SIGKILL when stopping ffmpeg; 2000 ms by default. */
  readonly killGraceMs?: number;
  /** Networks cameras may be in (recording.cameraNetworks); with a policy every camera goes through the bridge, which enforces it. */
  readonly networks?: CameraNetworkPolicy;
  /** Longest wait for the bridge's connection to the camera (TCP, and TLS for rtsps://); 10000 ms by default. */
  readonly tlsConnectTimeoutMs?: number;
}

/** stderr lines kept for the error message. */
const TAIL_LINES = 20;
/** Longest stderr line kept; bounds memory if ffmpeg prints without newlines. */
const MAX_LINE = 1000;
/** The two warnings every run prints for its first packet (FIELD-NOTES): logged at debug only. */
const HARMLESS = [/Timestamps are unset in a packet/, /Non-monotonous DTS/];

const isHarmless = (line: string): boolean => HARMLESS.some((re) => re.test(line));

/** `[rtsp @ 0x55d0c0]` prefixes carry a heap address that makes messages differ run to run. */
const stripContext = (line: string): string => line.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/i, '');

/** Creates the ffmpeg ingest; the only state it keeps is the set of its running ffmpeg processes. */
export function createFfmpegIngest(opts: FfmpegIngestOptions): Ingest {
  const live = new Set<ChildProcess>();
  const check = addressCheck(opts.networks);
  // One 'exit' listener per ingest while any ffmpeg runs (not one per camera, which would trip
  // Node's listener-leak warning past ten cameras). 'exit' handlers MUST be synchronous.
  const killAll = (): void => {
    for (const child of live) child.kill('SIGKILL');
  };
  const track = (child: ChildProcess): void => {
    if (live.size === 0) process.on('exit', killAll);
    live.add(child);
  };
  const untrack = (child: ChildProcess): void => {
    if (live.delete(child) && live.size === 0) process.off('exit', killAll);
  };

  return {
    name: 'ffmpeg',
    run: async (target, given, signal, events) => {
      if (signal.aborted) return;
      // ffmpeg does not report PLAY: its first output means the camera is playing.
      let playing = false;
      const sink: PieceSink = (piece) => {
        if (!playing) {
          playing = true;
          events?.playing?.();
        }
        return given(piece);
      };
      // ffmpeg dials whatever it is given: under a network policy it dials only the bridge.
      if (!needsBridge(target) && check === undefined) {
        const args = ffmpegIngestArgs(target, opts.fragmentSeconds);
        await runOnce(opts, target, args, sink, signal, track, untrack);
        return;
      }
      const bridge = await openCameraBridge(target, opts.tlsConnectTimeoutMs ?? 10_000, signal, check);
      if (bridge === undefined) return; // aborted while connecting
      try {
        const args = ffmpegIngestArgs(target, opts.fragmentSeconds, bridge.port);
        await runOnce(opts, target, args, sink, signal, track, untrack, bridge);
      } finally {
        bridge.close();
      }
    },
  };
}

function runOnce(
  opts: FfmpegIngestOptions,
  target: IngestTarget,
  args: string[],
  sink: PieceSink,
  signal: AbortSignal,
  track: (c: ChildProcess) => void,
  untrack: (c: ChildProcess) => void,
  bridge?: CameraBridge,
): Promise<void> {
  const ctx = { cameraId: target.cameraId };
  const scrub = (line: string): string => scrubText(line, [target.password]);
  const graceMs = opts.killGraceMs ?? 2000;

  return new Promise<void>((resolve, reject) => {
    // stdin ignored, stdout and stderr piped: ffmpeg has no file to write to and nothing to read.
    const child = spawn(opts.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = child.stdout;
    const stderr = child.stderr;
    if (stdout === null || stderr === null) throw new Error('unreachable: stdio is piped');
    track(child);
    if (bridge !== undefined) bridge.onFailure = (e) => stop(e);

    const reader = new Fmp4Reader();
    const tail: string[] = [];
    const queue: MediaPiece[] = [];
    let partial = '';
    let pumping: Promise<void> | undefined;
    let stopping = false;
    let aborted = false;
    let failure: unknown;
    let settled = false;
    let stallTimer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    /** Stops ffmpeg: SIGTERM, then SIGKILL after the grace time. The first reason wins. */
    const stop = (reason?: unknown): void => {
      if (reason !== undefined && failure === undefined && !aborted) failure = reason;
      if (stopping) return;
      stopping = true;
      disarmStall();
      stdout.resume(); // drain, so ffmpeg is not blocked on a full pipe and 'close' can come
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    };

    let armedAt = 0;
    const armStall = (): void => {
      if (stopping) return;
      armedAt = performance.now();
      if (stallTimer !== undefined) stallTimer.refresh();
      else {
        stallTimer = setTimeout(() => {
          stallTimer = undefined;
          // A timer far later than scheduled means this process did not run (a host stall): that
          // time is not the camera's; give it a fresh window (issue 12, item 12).
          const late = performance.now() - armedAt - opts.stallTimeoutMs;
          if (late > 2000) {
            opts.log.warn({ ...ctx, stalledMs: Math.round(late) }, 'ffmpeg ingest: this process did not run for a while (host stall); not counted against the camera');
            armStall();
            return;
          }
          const seconds = opts.stallTimeoutMs / 1000;
          stop(new AppError('CAMERA_UNREACHABLE', `no data for ${seconds} s`, { ...ctx, stallTimeoutMs: opts.stallTimeoutMs }));
        }, opts.stallTimeoutMs);
      }
    };
    const disarmStall = (): void => {
      clearTimeout(stallTimer);
      stallTimer = undefined;
    };

    /** Delivers queued pieces one at a time; stdout stays paused until the sink has taken them all. */
    const pump = async (): Promise<void> => {
      stdout.pause();
      disarmStall(); // our own back-pressure is not a stalled camera
      try {
        while (queue.length > 0 && !stopping) await sink(queue.shift() as MediaPiece);
      } catch (e) {
        stop(e);
      }
      if (!stopping) {
        stdout.resume();
        armStall();
      }
    };

    stdout.on('data', (chunk: Buffer) => {
      if (stopping) return;
      armStall();
      let pieces: MediaPiece[];
      try {
        pieces = reader.push(chunk);
      } catch (e) {
        stop(e);
        return;
      }
      if (pieces.length === 0) return;
      queue.push(...pieces);
      pumping ??= pump().finally(() => (pumping = undefined));
    });

    const onLine = (raw: string): void => {
      const line = scrub(raw.trim()).slice(0, MAX_LINE);
      if (line === '') return;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      if (isHarmless(line)) opts.log.debug(ctx, `ffmpeg: ${line}`);
      else opts.log.warn(ctx, `ffmpeg: ${line}`);
    };
    stderr.setEncoding('utf8');
    stderr.on('data', (text: string) => {
      const lines = (partial + text).split(/\r\n|\r|\n/);
      partial = (lines.pop() ?? '').slice(-MAX_LINE);
      for (const l of lines) onLine(l);
    });

    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    signal.addEventListener('abort', onAbort, { once: true });

    const settle = (err: unknown): void => {
      if (settled) return;
      settled = true;
      disarmStall();
      clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
      untrack(child);
      if (err === undefined) resolve();
      else reject(err instanceof Error ? err : new Error('ffmpeg ingest failed'));
    };

    child.on('error', (e: NodeJS.ErrnoException) => {
      // Only a failed spawn leaves no pid; other 'error's (a failed kill) are followed by 'close'.
      if (child.pid !== undefined) return;
      settle(new AppError('INTERNAL', `cannot start ffmpeg: ${e.code ?? 'unknown error'}`, { ...ctx }));
    });

    child.on('close', (code, sig) => {
      if (partial !== '') onLine(partial);
      void (async () => {
        while (pumping !== undefined) await pumping; // deliver what ffmpeg wrote before it ended
        if (aborted) return settle(undefined);
        if (failure !== undefined) return settle(failure);
        if (code === 0) {
          try {
            reader.end();
            return settle(undefined);
          } catch (e) {
            return settle(e);
          }
        }
        const last = [...tail].reverse().find((l) => !isHarmless(l));
        const status = code !== null ? `code ${code}` : `signal ${sig ?? 'unknown'}`;
        const message = last !== undefined ? stripContext(last) : `ffmpeg exited with ${status}`;
        settle(new AppError('CAMERA_UNREACHABLE', message, { ...ctx, exitCode: code, signal: sig }));
      })();
    });

    armStall();
    // The bridge may have failed before the run could listen (the camera closed at once).
    if (bridge?.failure !== undefined) stop(bridge.failure);
  });
}
