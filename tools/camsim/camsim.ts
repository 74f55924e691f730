/**
 * Simulated RTSP cameras for the demo, tests and benchmarks (`custos camsim`). Composition root
 * of tools/camsim: makes the clip, packetizes it once, and serves it to every camera and session.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { systemClock } from '../../src/lib/clock.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { AppError } from '../../src/lib/errors.ts';
import type { ClipProfile } from './clip.ts';
import { clipProfiles, ensureClip } from './clip.ts';
import { createFrameTicker } from './frame-ticker.ts';
import { findParameterSets, groupAccessUnits, splitNalUnits } from './h264-annexb.ts';
import { packetizeLoop } from './rtp-packetizer.ts';
import { createDigestAuth } from './rtsp-digest.ts';
import { startRtspServer } from './rtsp-server.ts';
import { buildSdp } from './sdp.ts';
import { ensureSelfSignedCert } from './camsim-tls.ts';
import type { CamsimTlsMaterial } from './camsim-tls.ts';

/** Options of `custos camsim`. */
export interface CamsimOptions {
  /** Number of cameras, served at /cam1 … /camN. */
  cameras: number;
  /** TCP port; 0 picks an ephemeral one. */
  port: number;
  /** Listen address; defaults to 127.0.0.1. */
  host?: string;
  /** With password: require Digest authentication (RFC 2617) on every camera. */
  username?: string;
  password?: string;
  /** `full` (1080p ~4 Mbit/s, default) or `small` (360p ~0.5 Mbit/s, for tests). */
  profile?: ClipProfile;
  /** Where the generated clip is cached between runs. */
  cacheDir: string;
  ffmpegPath?: string;
  /** Receives operational messages; never credentials. */
  log?: (msg: string) => void;
  /** Idle timeout of connections without keep-alive; 60 s by default. */
  sessionTimeoutMs?: number;
  clock?: Clock;
  /**
   * Serve RTSPS (TLS 1.3 only) on the same port instead of RTSP: with this PEM certificate and
   * key, or with a self-signed certificate for localhost/127.0.0.1/::1 made once in `cacheDir`.
   */
  tls?: CamsimTlsMaterial | 'self-signed' | undefined;
  /**
   * Precede each access unit with an H.264 SEI (user_data_unregistered) holding the wall-clock
   * send time in ms, for glass-to-glass latency measurement (sei-stamp.ts). Off by default.
   */
  stamp?: boolean;
}

/** A running simulator. */
export interface Camsim {
  /** `rtsp://host:port/camK` (`rtsps://` with TLS) for K = 1…N, without credentials. */
  urls: string[];
  /** The real listening port. */
  port: number;
  /** PEM of the served certificate (chain) with TLS, for clients to pin or trust; null without. */
  certificatePem: string | null;
  /** Ends every session and stops the server. */
  close(): Promise<void>;
}

/** Upper bound on cameras: well past the 250 target, low enough to catch a typo. */
export const maxCameras = 10_000;

/** Starts the simulator; rejects with VALIDATION_FAILED on bad options. */
export async function startCamsim(opts: CamsimOptions): Promise<Camsim> {
  const host = opts.host ?? '127.0.0.1';
  const profile = opts.profile ?? 'full';
  const log = opts.log ?? (() => undefined);
  const clock = opts.clock ?? systemClock;
  if (!Number.isInteger(opts.cameras) || opts.cameras < 1 || opts.cameras > maxCameras) {
    throw new AppError('VALIDATION_FAILED', `cameras must be an integer from 1 to ${maxCameras}`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65_535) {
    throw new AppError('VALIDATION_FAILED', 'port must be an integer from 0 to 65535');
  }
  if ((opts.username === undefined) !== (opts.password === undefined) || opts.username === '') {
    throw new AppError('VALIDATION_FAILED', 'give both a user and a password, or neither');
  }
  if (opts.username?.includes(':') === true) {
    throw new AppError('VALIDATION_FAILED', 'the user name must not contain ":"');
  }

  const tls = opts.tls === 'self-signed' ? await ensureSelfSignedCert(opts.cacheDir) : opts.tls;
  const clipPath = await ensureClip(profile, opts.cacheDir, opts.ffmpegPath);
  const bytes = await readFile(clipPath);
  const nals = splitNalUnits(bytes);
  const parameterSets = findParameterSets(nals);
  if (parameterSets === undefined) throw new AppError('INTERNAL', `camsim clip ${clipPath} has no SPS/PPS`);
  const fps = clipProfiles[profile].fps;
  const loop = packetizeLoop(groupAccessUnits(nals), fps);
  const sessionId = String(clock.now());
  const sdpText = (camera: number): string => buildSdp({ host, sessionId, name: `cam${camera}`, parameterSets, fps });

  const ticker = createFrameTicker({ periodMs: 1000 / fps });
  const auth =
    opts.username !== undefined && opts.password !== undefined
      ? createDigestAuth({ username: opts.username, password: opts.password, secret: randomBytes(32), clock })
      : undefined;
  let server;
  try {
    server = await startRtspServer({
      host, port: opts.port, cameras: opts.cameras, loop, sdp: sdpText, auth, ticker, clock, log,
      sessionTimeoutMs: opts.sessionTimeoutMs, tls, stamp: opts.stamp === true,
    });
  } catch (err) {
    ticker.stop();
    throw err;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const scheme = tls === undefined ? 'rtsp' : 'rtsps';
  const urls = Array.from({ length: opts.cameras }, (_, i) => `${scheme}://${urlHost}:${server.port}/cam${i + 1}`);
  log(`camsim: ${opts.cameras} camera(s), ${profile} profile, ${loop.frames.length} frames per loop, on ${scheme}://${urlHost}:${server.port}/cam1…${opts.cameras}${auth === undefined ? '' : ' (Digest auth)'}${opts.stamp === true ? ', send-time SEI stamps' : ''}`);
  const srv = server;
  return {
    urls,
    port: srv.port,
    certificatePem: tls?.cert ?? null,
    async close() {
      ticker.stop();
      await srv.close();
    },
  };
}
