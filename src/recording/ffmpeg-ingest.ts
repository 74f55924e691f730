/**
 * The ffmpeg adapter of Ingest: one `ffmpeg -c copy` process per camera writing fragmented MP4
 * to its stdout, split into pieces by Fmp4Reader. Contracts:
 * - back-pressure: stdout is paused while a sink promise is pending (PieceSink contract);
 * - every stderr line is scrubbed (URL userinfo and the password) before it is logged or put
 *   into an error;
 * - `run` settles only after ffmpeg has exited, and ffmpeg is killed when the Node process
 *   exits, so no ffmpeg outlives its run or its recorder;
 * - rtsps:// is verified in Node, never by ffmpeg (see ffmpeg-args.ts for why): the run first
 *   opens a TLS connection to the camera that MUST pass chain and host name/IP checks (or match a
 *   pinned certificate), then offers it to ffmpeg once on a loopback port (the TLS bridge).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { createServer, isIP } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, getCACertificates } from 'node:tls';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { AppError } from '../lib/errors.ts';
import { scrubText } from '../lib/scrub-url.ts';
import { ffmpegIngestArgs, isRtsps, rtspsEndpoint } from './ffmpeg-args.ts';
import { Fmp4Reader } from './fmp4-reader.ts';
import type { Ingest, IngestTarget, PieceSink } from './ingest.ts';
import type { MediaPiece } from './media.ts';

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
  /** Longest wait for the TLS handshake with an rtsps:// camera; 10000 ms by default. */
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
    run: async (target, sink, signal) => {
      if (signal.aborted) return;
      if (!isRtsps(target.url)) {
        const args = ffmpegIngestArgs(target, opts.fragmentSeconds);
        await runOnce(opts, target, args, sink, signal, track, untrack);
        return;
      }
      const bridge = await openTlsBridge(target, opts.tlsConnectTimeoutMs ?? 10_000, signal);
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

/** A verified TLS connection to an rtsps:// camera, offered to ffmpeg as plain TCP on loopback. */
interface TlsBridge {
  port: number;
  /** Set by the run: told once if the camera's TLS connection fails while ffmpeg uses it. */
  onFailure: ((e: AppError) => void) | undefined;
  /** Closes the listener and both connections; idempotent. */
  close(): void;
}

/** Codes of a certificate that did not verify (OpenSSL X509_V_ERR_* names, Node's host check). */
const CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECODE)|ALTNAME|ISSUER|CHAIN/;

/** The trust anchors for a camera and the DER of each certificate in `tlsCaPem` (for pinning). */
function trustOf(tlsCaPem: string | null): { ca: string[]; pinned: Buffer[] } {
  if (tlsCaPem === null) {
    // The system store (where an operator installs a site CA) plus Node's own roots.
    return { ca: [...new Set([...getCACertificates('system'), ...getCACertificates('default')])], pinned: [] };
  }
  const blocks = tlsCaPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const pinned: Buffer[] = [];
  for (const block of blocks) {
    try {
      pinned.push(new X509Certificate(block).raw);
    } catch {
      throw new AppError('VALIDATION_FAILED', 'the camera TLS CA holds a certificate that cannot be parsed');
    }
  }
  if (blocks.length === 0) throw new AppError('VALIDATION_FAILED', 'the camera TLS CA holds no PEM certificate');
  return { ca: blocks, pinned };
}

/**
 * Opens the camera's TLS connection (TLS 1.2 or later, chain verified against `tlsCaPem` or the
 * system store; host name or IP checked against the SAN unless the camera presents exactly a
 * pinned certificate) and a loopback listener that hands it to the first client, ffmpeg.
 * Rejects with CAMERA_UNREACHABLE; resolves undefined when `signal` aborts first.
 *
 * The listener accepts one connection and then closes. A local process that races ffmpeg to the
 * port gets only an unauthenticated RTSP connection to the camera (credentials stay with ffmpeg)
 * and makes this run fail; local users can already read ffmpeg's argv (see ffmpeg-args.ts).
 */
async function openTlsBridge(target: IngestTarget, timeoutMs: number, signal: AbortSignal): Promise<TlsBridge | undefined> {
  const ctx = { cameraId: target.cameraId };
  const { host, port } = rtspsEndpoint(target.url);
  const trust = trustOf(target.tlsCaPem ?? null);
  const server = createServer({ noDelay: true });
  let camera: TLSSocket | undefined;
  let local: Socket | undefined;
  const bridge: TlsBridge = {
    port: 0,
    onFailure: undefined,
    close() {
      server.close();
      local?.destroy();
      camera?.destroy();
    },
  };
  /** A failure after the handshake: ffmpeg's run ends with it (its own error would name loopback). */
  const onLateError = (e: Error): void => {
    bridge.onFailure?.(new AppError('CAMERA_UNREACHABLE', `TLS connection to the camera failed: ${e.message}`, ctx));
    local?.destroy();
  };

  const connected = await new Promise<TLSSocket | undefined>((resolve, reject) => {
    const socket = tlsConnect({
      host, port, ca: trust.ca, minVersion: 'TLSv1.2', rejectUnauthorized: true,
      // SNI carries DNS names only (RFC 6066 §3); the identity check then uses the IP itself.
      ...(isIP(host) === 0 ? { servername: host } : {}),
      checkServerIdentity: (name: string, cert: PeerCertificate) =>
        trust.pinned.some((der) => der.equals(cert.raw)) ? undefined : checkServerIdentity(name, cert),
    });
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.off('error', onError);
    };
    const onSecure = (): void => {
      done();
      socket.on('error', onLateError);
      socket.setNoDelay(true);
      camera = socket;
      resolve(socket);
    };
    const onError = (e: NodeJS.ErrnoException): void => {
      done();
      socket.off('secureConnect', onSecure);
      socket.destroy();
      const code = e.code ?? '';
      const reason = CERT_ERROR.test(code)
        ? `TLS certificate verification failed: ${e.message} (${code})`
        : `TLS connection to the camera failed: ${e.message}`;
      reject(new AppError('CAMERA_UNREACHABLE', reason, { ...ctx, code }));
    };
    const onAbort = (): void => {
      done();
      socket.off('secureConnect', onSecure);
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(undefined);
    };
    const timer = setTimeout(() => onError(Object.assign(new Error(`no TLS handshake within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once('secureConnect', onSecure);
    socket.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  if (connected === undefined) return undefined;
  const cam = connected;
  cam.on('close', () => local?.destroy());

  server.maxConnections = 1;
  server.on('connection', (s: Socket) => {
    if (local !== undefined) {
      s.destroy();
      return;
    }
    local = s;
    server.close(); // one client only: ffmpeg
    s.on('error', () => undefined); // ffmpeg killed: 'close' follows
    s.on('close', () => cam.destroy());
    s.pipe(cam);
    cam.pipe(s);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (e) {
    bridge.close();
    throw new AppError('INTERNAL', `cannot open the TLS bridge: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, ctx);
  }
  bridge.port = (server.address() as AddressInfo).port;
  return bridge;
}

function runOnce(
  opts: FfmpegIngestOptions,
  target: IngestTarget,
  args: string[],
  sink: PieceSink,
  signal: AbortSignal,
  track: (c: ChildProcess) => void,
  untrack: (c: ChildProcess) => void,
  bridge?: TlsBridge,
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

    const armStall = (): void => {
      if (stopping) return;
      if (stallTimer !== undefined) stallTimer.refresh();
      else {
        stallTimer = setTimeout(() => {
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
  });
}
