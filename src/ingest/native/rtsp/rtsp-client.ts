/**
 * An RTSP/1.0 client session (RFC 2326) pulling one camera over TCP interleaved transport
 * (§10.12), plain or TLS: OPTIONS → DESCRIBE (following up to 3 redirects, answering 401s) →
 * SETUP video (and AAC audio when present) → PLAY → frames until the end → TEARDOWN.
 *
 * Contracts:
 * - `openRtspSession` resolves undefined when the signal aborts first, and rejects with an
 *   AppError naming the step that failed (CAMERA_UNREACHABLE: connect, refusal, timeout,
 *   unsupported codec with `detail.unsupportedCodec`; MEDIA_MALFORMED: bytes or SDP that cannot be
 *   read; VALIDATION_FAILED: bad options);
 * - `play` delivers frames in order with back-pressure (the socket is paused while the sink's
 *   promise is pending), resolves after `close()` or an abort, and rejects with the connection's
 *   failure (end of stream, malformed bytes, the sink's own rejection);
 * - keep-alive: every session timeout / 2 (`Session: id;timeout=N`, 60 s by default, §12.37),
 *   GET_PARAMETER when OPTIONS listed it in Public, else OPTIONS; a failed keep-alive is logged,
 *   not fatal (a camera that then drops the session ends the stream, which is reported);
 * - credentials: never in URLs, logs or errors; withheld from a host other than the camera's
 *   after a redirect; a redirect from rtsps:// to rtsp:// is refused.
 */
import { AppError } from '../../../lib/errors.ts';
import { scrubText } from '../../../lib/scrub-url.ts';
import type { Credentials } from './rtsp-auth.ts';
import { connectRtsp } from './rtsp-connect.ts';
import type { RtspConnect } from './rtsp-connect.ts';
import { RtspConnection } from './rtsp-connection.ts';
import { Authenticator, exchange, isRedirect, isSuccess, refused } from './rtsp-exchange.ts';
import type { RtspReaderLimits, RtspResponse } from './rtsp-message.ts';
import { checkCameraUrl, controlUrl, endpointOfUrl, presentationBase, redirectTarget, sameHost } from './rtsp-url.ts';
import { parseSdp } from './sdp.ts';
import type { AacTrack, H264Track, H265Track, SessionDescription } from './sdp.ts';
import { RtspSession } from './rtsp-session.ts';
import type { RtspLog, SessionTrack } from './rtsp-session.ts';

/** The session's types, re-exported so callers import the client only. */
export type { RtspFrame, RtspFrameSink, RtspLog, SessionTrack } from './rtsp-session.ts';
/** The session made by `openRtspSession`. */
export { RtspSession } from './rtsp-session.ts';

/** Options of one session. */
export interface RtspSessionOptions {
  /** rtsp:// or rtsps:// without userinfo. */
  readonly url: string;
  readonly username: string | null;
  readonly password: string | null;
  /** rtsps:// trust anchors for the default connect function (IngestTarget.tlsCaPem). */
  readonly tlsCaPem?: string | null;
  /** Opens the byte stream; `connectRtsp` with `tlsCaPem` and `addressCheck` by default. */
  readonly connect?: RtspConnect;
  /** Addresses the default connect may dial (camera network policy), checked after DNS; any when absent. */
  readonly addressCheck?: (address: string) => boolean;
  /** Per request, and for connect; 10 s by default. */
  readonly requestTimeoutMs?: number;
  /** Redirects followed before giving up; 3 by default. */
  readonly maxRedirects?: number;
  /** Answer a Basic-only challenge over unencrypted rtsp:// (password in clear); false by default. */
  readonly allowBasicOverPlaintext?: boolean;
  /** SETUP the audio track too when it is AAC (and, given a function, when it says so for this description); true by default. */
  readonly audio?: boolean | ((description: SessionDescription) => boolean);
  readonly userAgent?: string;
  readonly log?: RtspLog;
  /** Source of Digest cnonces; crypto.randomBytes by default. */
  readonly random?: (n: number) => Buffer;
  readonly limits?: Partial<RtspReaderLimits>;
}

const noLog: RtspLog = { warn: () => undefined, debug: () => undefined };
const DEFAULT_TIMEOUT_S = 60;

/** `Session: id[;timeout=N]` (RFC 2326 §12.37); MEDIA_MALFORMED when unusable. */
export function parseSessionHeader(value: string | undefined): { id: string; timeoutSeconds: number } {
  if (value === undefined) throw new AppError('MEDIA_MALFORMED', 'SETUP answer has no Session header', { step: 'SETUP' });
  const [idPart = '', ...params] = value.split(';');
  const id = idPart.trim();
  if (!/^[\x21-\x7e]{1,256}$/.test(id)) throw new AppError('MEDIA_MALFORMED', 'SETUP answer has a malformed Session id', { step: 'SETUP' });
  let timeoutSeconds = DEFAULT_TIMEOUT_S;
  for (const p of params) {
    const m = /^\s*timeout\s*=\s*(\d{1,6})\s*$/i.exec(p);
    if (m !== null && Number(m[1]) >= 1) timeoutSeconds = Number(m[1]);
  }
  return { id, timeoutSeconds };
}

/** Interleaved channels (and SSRC) a SETUP answer's Transport grants (§12.39); undefined if it names none. */
export function parseTransport(value: string | undefined): { rtp: number; rtcp: number; ssrc: number | undefined } | 'not-tcp' | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',')[0]?.split(';').map((p) => p.trim()) ?? [];
  if (!/^RTP\/AVP\/TCP$/i.test(parts[0] ?? '')) return 'not-tcp';
  let channels: { rtp: number; rtcp: number } | undefined;
  let ssrc: number | undefined;
  for (const p of parts.slice(1)) {
    const i = /^interleaved=(\d{1,3})(?:-(\d{1,3}))?$/i.exec(p);
    if (i !== null) {
      const rtp = Number(i[1]);
      const rtcp = i[2] === undefined ? rtp + 1 : Number(i[2]);
      if (rtp <= 255 && rtcp <= 255 && rtp !== rtcp) channels = { rtp, rtcp };
    }
    const s = /^ssrc=([0-9a-f]{1,8})$/i.exec(p);
    if (s !== null) ssrc = parseInt(s[1] ?? '0', 16);
  }
  return channels === undefined ? undefined : { ...channels, ssrc };
}

/** Everything decided before the session exists. */
interface Described {
  conn: RtspConnection;
  auth: Authenticator;
  url: string;
  publicMethods: readonly string[];
  response: RtspResponse;
}

/**
 * Connects, describes and sets up a session (see the module contract). PLAY is sent by
 * `RtspSession.play`, so the frame sink is in place before the first frame can arrive.
 */
export async function openRtspSession(opts: RtspSessionOptions, signal: AbortSignal): Promise<RtspSession | undefined> {
  checkCameraUrl(opts.url);
  const maxRedirects = opts.maxRedirects ?? 3;
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) throw new AppError('VALIDATION_FAILED', 'maxRedirects must be a non-negative integer');
  if (signal.aborted) return undefined;
  const creds: Credentials | undefined =
    opts.username === null && opts.password === null ? undefined : { username: opts.username ?? '', password: opts.password ?? '' };
  const secrets = [opts.password, creds === undefined ? undefined : Buffer.from(`${creds.username}:${creds.password}`).toString('base64')];
  const scrub = (t: string): string => scrubText(t, secrets);
  const log = opts.log ?? noLog;
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const connect = opts.connect ?? ((url: string, s: AbortSignal) => connectRtsp(url, { tlsCaPem: opts.tlsCaPem ?? null, timeoutMs, signal: s, ...(opts.addressCheck === undefined ? {} : { addressCheck: opts.addressCheck }) }));

  let described: Described | undefined;
  try {
    described = await describe(opts, signal, { creds, scrub, log, timeoutMs, connect, maxRedirects });
    if (described === undefined) return undefined;
    return await setup(described, opts, signal, log, scrub);
  } catch (e) {
    described?.conn.close();
    if (signal.aborted) return undefined;
    if (e instanceof AppError) throw new AppError(e.code, scrub(e.message), e.detail);
    throw e;
  }
}

async function describe(
  opts: RtspSessionOptions,
  signal: AbortSignal,
  c: { creds: Credentials | undefined; scrub: (t: string) => string; log: RtspLog; timeoutMs: number; connect: RtspConnect; maxRedirects: number },
): Promise<Described | undefined> {
  let url = opts.url;
  const visited = new Set([url]);
  for (let redirects = 0; ; ) {
    const socket = await c.connect(url, signal);
    const conn = new RtspConnection(socket, { requestTimeoutMs: c.timeoutMs, userAgent: opts.userAgent, limits: opts.limits, scrub: c.scrub });
    if (signal.aborted) {
      conn.close();
      return undefined;
    }
    const onAbort = (): void => conn.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const trusted = sameHost(url, opts.url);
      const auth = new Authenticator({
        creds: trusted ? c.creds : undefined,
        withheld: c.creds !== undefined && !trusted ? 'other-host' : 'none-configured',
        allowBasic: endpointOfUrl(url).secure || opts.allowBasicOverPlaintext === true,
        random: opts.random,
      });
      let redirect: RtspResponse | undefined;
      const options = await exchange(conn, auth, 'OPTIONS', url);
      if (isRedirect(options.status)) redirect = options;
      // A camera that does not implement OPTIONS properly can still stream: only note it.
      if (!isSuccess(options.status) && redirect === undefined) c.log.debug({ status: options.status }, 'rtsp: OPTIONS not accepted; continuing');
      const publicMethods = isSuccess(options.status)
        ? (options.headers.get('public') ?? '').split(',').map((m) => m.trim().toUpperCase()).filter((m) => m !== '')
        : [];
      const response = redirect ?? (await exchange(conn, auth, 'DESCRIBE', url, [['Accept', 'application/sdp']]));
      if (!isRedirect(response.status)) {
        if (!isSuccess(response.status)) throw refused('DESCRIBE', response);
        return { conn, auth, url, publicMethods, response };
      }
      const next = redirectTarget(url, response.headers.get('location'), response.status);
      redirects += 1;
      if (visited.has(next)) {
        throw new AppError('CAMERA_UNREACHABLE', `redirect loop: the camera redirected (${response.status}) back to a URL it had already sent`, { step: 'DESCRIBE', status: response.status });
      }
      if (redirects > c.maxRedirects) {
        throw new AppError('CAMERA_UNREACHABLE', `too many redirects (more than ${c.maxRedirects})`, { step: 'DESCRIBE', status: response.status });
      }
      c.log.debug({ status: response.status, sameHost: sameHost(next, url) }, 'rtsp: following a redirect');
      visited.add(next);
      url = next;
      conn.close();
    } catch (e) {
      conn.close();
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

const isSdp = (contentType: string | undefined): boolean =>
  contentType === undefined || contentType.split(';')[0]?.trim().toLowerCase() === 'application/sdp';

async function setup(
  d: Described, opts: RtspSessionOptions, signal: AbortSignal, log: RtspLog, scrub: (t: string) => string,
): Promise<RtspSession | undefined> {
  const onAbort = (): void => d.conn.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal.aborted) {
      d.conn.close();
      return undefined;
    }
    const contentType = d.response.headers.get('content-type');
    if (!isSdp(contentType)) {
      throw new AppError('MEDIA_MALFORMED', `DESCRIBE answered ${contentType?.replace(/[^\x20-\x7e]/g, '?').slice(0, 40)}, not application/sdp`, { step: 'DESCRIBE' });
    }
    const description = parseSdp(d.response.body);
    for (const w of description.warnings) log.debug({ warning: w }, 'rtsp: SDP warning');
    const video = description.video;
    if (video === undefined) throw new AppError('CAMERA_UNREACHABLE', 'the camera offers no video track', { step: 'DESCRIBE' });
    if (video.codec === 'unsupported') {
      throw new AppError('CAMERA_UNREACHABLE', `the camera's video cannot be ingested natively: ${video.reason}`, {
        step: 'DESCRIBE', unsupportedCodec: video.encoding,
      });
    }
    const base = presentationBase(d.url, d.response.headers.get('content-base'), d.response.headers.get('content-location'));
    const aggregateUrl = description.sessionControl === undefined ? base : controlUrl(base, description.sessionControl);

    const tracks: SessionTrack[] = [];
    const first = await setupTrack(d, 'video', video, controlUrl(base, video.control), 0, undefined);
    tracks.push(first.track);
    const session = first.session;
    const audio = description.audio;
    const warnings: string[] = [];
    if (audio !== undefined && audio.codec === 'unsupported') warnings.push(`audio not set up: ${audio.reason}`);
    const wanted = typeof opts.audio === 'function' ? opts.audio(description) : opts.audio !== false;
    if (audio !== undefined && audio.codec === 'aac' && wanted) {
      const channel = Math.max(first.track.rtpChannel, first.track.rtcpChannel) + 1;
      try {
        const second = await setupTrack(d, 'audio', audio, controlUrl(base, audio.control), channel <= 254 ? channel : 2, session.id);
        if (second.session.id !== session.id) throw new AppError('MEDIA_MALFORMED', 'audio SETUP answered with another Session id', { step: 'SETUP' });
        tracks.push(second.track);
      } catch (e) {
        // Audio is optional: a refused audio SETUP leaves a video-only session.
        if (!(e instanceof AppError) || e.detail?.status === undefined) throw e;
        warnings.push(`audio not set up: ${e.message}`);
      }
    }
    for (const w of warnings) log.warn({ warning: w }, 'rtsp: audio skipped');
    if (signal.aborted) {
      d.conn.close();
      return undefined;
    }
    return new RtspSession({
      conn: d.conn, auth: d.auth, url: d.url, aggregateUrl, description, tracks, sessionId: session.id,
      timeoutSeconds: session.timeoutSeconds, keepaliveMethod: d.publicMethods.includes('GET_PARAMETER') ? 'GET_PARAMETER' : 'OPTIONS',
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000, warnings, log, signal, scrub,
    });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function setupTrack(
  d: Described, kind: 'video' | 'audio', track: H264Track | H265Track | AacTrack, url: string, channel: number, sessionId: string | undefined,
): Promise<{ track: SessionTrack; session: { id: string; timeoutSeconds: number } }> {
  const headers: [string, string][] = [['Transport', `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1}`]];
  if (sessionId !== undefined) headers.push(['Session', sessionId]);
  const res = await exchange(d.conn, d.auth, 'SETUP', url, headers);
  if (!isSuccess(res.status)) throw refused('SETUP', res, kind);
  const session = parseSessionHeader(res.headers.get('session'));
  const transport = parseTransport(res.headers.get('transport'));
  if (transport === 'not-tcp') {
    throw new AppError('CAMERA_UNREACHABLE', `SETUP ${kind}: the camera does not offer RTP over the RTSP connection (TCP interleaved)`, { step: 'SETUP', unsupported: 'RTP over UDP only' });
  }
  const rtp = transport?.rtp ?? channel;
  const rtcp = transport?.rtcp ?? channel + 1;
  return { track: { kind, track, controlUrl: url, rtpChannel: rtp, rtcpChannel: rtcp, ssrc: transport?.ssrc }, session };
}
