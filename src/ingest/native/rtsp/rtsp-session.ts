/**
 * A set-up RTSP session (RFC 2326 §12.37): PLAY, frames to the sink, keep-alive, TEARDOWN.
 * Made by `openRtspSession` (rtsp-client.ts), which states the contracts.
 */
import { AppError } from '../../../lib/errors.ts';
import type { RtspConnection } from './rtsp-connection.ts';
import { exchange, isSuccess, refused } from './rtsp-exchange.ts';
import type { Authenticator } from './rtsp-exchange.ts';
import type { AacTrack, H264Track, H265Track, SessionDescription } from './sdp.ts';

/** The slice of the logger the client uses (pino-compatible); messages are secret-free. */
export interface RtspLog {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** A track that was set up, and the interleaved channels the camera granted for it. */
export interface SessionTrack {
  readonly kind: 'video' | 'audio';
  readonly track: H264Track | H265Track | AacTrack;
  readonly controlUrl: string;
  readonly rtpChannel: number;
  readonly rtcpChannel: number;
  /** SSRC announced in the SETUP answer's Transport, if any. */
  readonly ssrc: number | undefined;
}

/** One interleaved frame, attributed to its track. */
export interface RtspFrame {
  readonly track: 'video' | 'audio';
  readonly kind: 'rtp' | 'rtcp';
  readonly channel: number;
  /** A view into received bytes: the sink MUST NOT modify it, and copies what it keeps long. */
  readonly payload: Buffer;
}

/** Receives frames in order; a returned promise pauses reading until it settles (back-pressure). */
export type RtspFrameSink = (frame: RtspFrame) => void | Promise<void>;

/** `RTP-Info` entries of the PLAY answer (§12.33): the first sequence number and timestamp per track. */
export interface RtpInfo {
  readonly url: string;
  readonly seq: number | undefined;
  readonly rtptime: number | undefined;
}

/** Counters for status reporting. */
export interface SessionStats {
  readonly framesReceived: number;
  readonly bytesReceived: number;
  /** Frames on channels no track was set up for (dropped). */
  readonly framesDropped: number;
  readonly peakBufferedBytes: number;
  readonly keepalivesSent: number;
}

/** What the session is made of (built by rtsp-client.ts). */
export interface RtspSessionParts {
  readonly conn: RtspConnection;
  readonly auth: Authenticator;
  /** The URL DESCRIBE was answered for (after redirects). */
  readonly url: string;
  readonly aggregateUrl: string;
  readonly description: SessionDescription;
  readonly tracks: readonly SessionTrack[];
  readonly sessionId: string;
  readonly timeoutSeconds: number;
  readonly keepaliveMethod: 'GET_PARAMETER' | 'OPTIONS';
  readonly requestTimeoutMs: number;
  readonly warnings: readonly string[];
  readonly log: RtspLog;
  readonly signal: AbortSignal;
  /** Removes secrets from error messages. */
  readonly scrub: (text: string) => string;
}

/** Parses RTP-Info (entries split before each `url=`, since a URL may hold commas). */
export function parseRtpInfo(value: string | undefined): RtpInfo[] {
  if (value === undefined) return [];
  return value.split(/,(?=\s*url=)/i).flatMap((entry) => {
    const fields = new Map<string, string>();
    for (const p of entry.split(';')) {
      const eq = p.indexOf('=');
      if (eq > 0) fields.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
    }
    const url = fields.get('url');
    if (url === undefined) return [];
    const num = (k: string, max: number): number | undefined => {
      const v = fields.get(k);
      return v !== undefined && /^\d{1,10}$/.test(v) && Number(v) <= max ? Number(v) : undefined;
    };
    return [{ url, seq: num('seq', 0xffff), rtptime: num('rtptime', 0xffffffff) }];
  });
}

/** Longest wait for the TEARDOWN answer when closing: closing MUST NOT hang on a dead camera. */
const TEARDOWN_WAIT_MS = 2_000;

/** A session ready to PLAY. The owner MUST call `play()` or `close()`, or the connection stays open. */
export class RtspSession {
  readonly url: string;
  readonly aggregateUrl: string;
  readonly description: SessionDescription;
  readonly tracks: readonly SessionTrack[];
  readonly sessionId: string;
  readonly timeoutSeconds: number;
  /** Non-fatal problems met while setting up (e.g. audio skipped). */
  readonly warnings: readonly string[];
  #rtpInfo: readonly RtpInfo[] = [];
  readonly #p: RtspSessionParts;
  #keepaliveMethod: 'GET_PARAMETER' | 'OPTIONS';
  #playing = false;
  #closing: Promise<void> | undefined;
  #keepaliveBusy = false;
  #keepalivesSent = 0;
  #framesDropped = 0;

  constructor(p: RtspSessionParts) {
    this.#p = p;
    this.url = p.url;
    this.aggregateUrl = p.aggregateUrl;
    this.description = p.description;
    this.tracks = p.tracks;
    this.sessionId = p.sessionId;
    this.timeoutSeconds = p.timeoutSeconds;
    this.warnings = p.warnings;
    this.#keepaliveMethod = p.keepaliveMethod;
  }

  /** RTP-Info from the PLAY answer (empty before PLAY or when the camera sent none). */
  get rtpInfo(): readonly RtpInfo[] {
    return this.#rtpInfo;
  }

  /** GET_PARAMETER when the camera's Public header lists it, else OPTIONS; falls back to OPTIONS if refused. */
  get keepaliveMethod(): 'GET_PARAMETER' | 'OPTIONS' {
    return this.#keepaliveMethod;
  }

  /** The keep-alive period: half the session timeout. */
  get keepaliveIntervalMs(): number {
    return (this.timeoutSeconds * 1000) / 2;
  }

  /** Counters so far (frames, bytes, drops, peak buffering, keep-alives). */
  stats(): SessionStats {
    const s = this.#p.conn.stats;
    return { ...s, framesDropped: this.#framesDropped, keepalivesSent: this.#keepalivesSent };
  }

  /**
   * Sends PLAY and delivers frames to `sink` until the session ends: resolves after `close()` or
   * an abort, rejects with the failure otherwise (see rtsp-client.ts). Callable once.
   * `onPlaying` is called once the camera accepted PLAY.
   */
  async play(sink: RtspFrameSink, onPlaying?: () => void): Promise<void> {
    if (this.#playing) throw new AppError('VALIDATION_FAILED', 'play() was already called on this session');
    this.#playing = true;
    const { conn, signal } = this.#p;
    const routes = new Map<number, { track: 'video' | 'audio'; kind: 'rtp' | 'rtcp' }>();
    for (const t of this.tracks) {
      routes.set(t.rtpChannel, { track: t.kind, kind: 'rtp' });
      routes.set(t.rtcpChannel, { track: t.kind, kind: 'rtcp' });
    }
    conn.setFrameHandler((frame) => {
      const route = routes.get(frame.channel);
      if (route === undefined) {
        this.#framesDropped += 1;
        return undefined;
      }
      return sink({ track: route.track, kind: route.kind, channel: frame.channel, payload: frame.payload });
    });
    const onAbort = (): void => void this.close();
    signal.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      if (signal.aborted) {
        await this.close();
        return;
      }
      const res = await exchange(conn, this.#p.auth, 'PLAY', this.aggregateUrl, [['Session', this.sessionId]]);
      if (!isSuccess(res.status)) throw refused('PLAY', res);
      this.#rtpInfo = parseRtpInfo(res.headers.get('rtp-info'));
      onPlaying?.();
      timer = setInterval(() => void this.#keepalive(), this.keepaliveIntervalMs);
      const failure = await conn.closed;
      if (failure !== undefined) throw failure;
    } catch (e) {
      conn.close();
      // An abort during PLAY is a normal end, not a failure.
      if (signal.aborted || this.#closing !== undefined) return;
      throw e instanceof AppError ? new AppError(e.code, this.#p.scrub(e.message), e.detail) : e;
    } finally {
      clearInterval(timer);
      signal.removeEventListener('abort', onAbort);
      conn.setFrameHandler(undefined);
    }
  }

  /** Sends TEARDOWN (waiting at most 2 s for the answer) and closes the connection; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const { conn } = this.#p;
      if (!conn.isOver) {
        let timer: NodeJS.Timeout | undefined;
        const wait = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.min(TEARDOWN_WAIT_MS, this.#p.requestTimeoutMs));
        });
        const teardown = exchange(conn, this.#p.auth, 'TEARDOWN', this.aggregateUrl, [['Session', this.sessionId]]).then(
          () => undefined,
          () => undefined,
        );
        await Promise.race([teardown, wait]);
        clearTimeout(timer);
      }
      conn.close();
    })();
    return this.#closing;
  }

  async #keepalive(): Promise<void> {
    if (this.#keepaliveBusy || this.#closing !== undefined || this.#p.conn.isOver) return;
    this.#keepaliveBusy = true;
    try {
      this.#keepalivesSent += 1;
      const method = this.#keepaliveMethod;
      const res = await exchange(this.#p.conn, this.#p.auth, method, this.aggregateUrl, [['Session', this.sessionId]]);
      if (!isSuccess(res.status)) {
        this.#p.log.warn({ method, status: res.status }, 'rtsp: keep-alive not accepted');
        if (method === 'GET_PARAMETER') this.#keepaliveMethod = 'OPTIONS';
      }
    } catch (e) {
      if (!this.#p.conn.isOver) this.#p.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'rtsp: keep-alive failed');
    } finally {
      this.#keepaliveBusy = false;
    }
  }
}
