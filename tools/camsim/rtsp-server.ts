/**
 * A minimal RTSP/1.0 server (RFC 2326) serving `/cam1` … `/camN` over TCP interleaved transport
 * only (RFC 2326 §10.12): one session per connection, media pushed by a shared FrameTicker.
 * With `tls` it serves RTSPS instead (RTSP over TLS 1.3 on the same port, RFC 7826 §19.2).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Clock } from '../../src/lib/clock.ts';
import type { FrameTicker } from './frame-ticker.ts';
import type { PacketizedLoop } from './rtp-packetizer.ts';
import { RtpSession } from './rtp-session.ts';
import type { DigestAuth } from './rtsp-digest.ts';
import type { RtspRequest } from './rtsp-request-parser.ts';
import { RtspRequestParser } from './rtsp-request-parser.ts';

/** Everything the server needs, built by the caller (camsim.ts). */
export interface RtspServerOptions {
  host: string;
  /** 0 picks an ephemeral port. */
  port: number;
  cameras: number;
  loop: PacketizedLoop;
  /** SDP for camera k (1-based); the same text may serve every camera. */
  sdp: (camera: number) => string;
  /** When set, every method but OPTIONS requires Digest credentials. */
  auth?: DigestAuth | undefined;
  ticker: FrameTicker;
  clock: Clock;
  /** Connections with no request or RTCP for this long are closed (RFC 2326 §12.37). */
  sessionTimeoutMs?: number;
  /** Queued bytes above which a slow client is dropped. */
  maxBufferedBytes?: number;
  log: (msg: string) => void;
  /** Precede each access unit with a send-time SEI (sei-stamp.ts), read from `clock`. */
  stamp?: boolean | undefined;
  /** PEM certificate and key: serve RTSPS, TLS 1.3 only. Plain RTSP when absent. */
  tls?: { cert: string; key: string } | undefined;
}

/** A listening server. */
export interface RtspServer {
  /** The real port (useful when 0 was asked). */
  port: number;
  /** Ends every connection and stops listening. */
  close(): Promise<void>;
}

const publicMethods = 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER';
const reasons: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 454: 'Session Not Found',
  455: 'Method Not Valid in This State', 459: 'Aggregate Operation Not Allowed', 461: 'Unsupported Transport',
  501: 'Not Implemented', 505: 'RTSP Version Not Supported',
};

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  close?: boolean;
}

/** Per-connection state; a connection holds at most one session (TCP interleaved). */
interface Connection {
  socket: Socket;
  parser: RtspRequestParser;
  lastActivity: number;
  session?: { id: string; camera: number; rtp: RtpSession; playing: boolean; tick: () => void } | undefined;
}

/**
 * The camera number addressed by a request URI (absolute `rtsp://host:port/camK` or a path),
 * with an optional trailing `/` or `/trackID=0`; undefined when it names no camera in 1..cameras.
 */
export function cameraFromUri(uri: string, cameras: number): number | undefined {
  const abs = /^rtsps?:\/\/[^/]*(\/.*)?$/i.exec(uri);
  const path = (abs === null ? uri : (abs[1] ?? '/')).split('?')[0] ?? '';
  const m = /^\/cam([1-9]\d{0,5})(?:\/trackID=0)?\/?$/.exec(path);
  if (m === null) return undefined;
  const k = Number(m[1]);
  return k <= cameras ? k : undefined;
}

/** Picks the first TCP interleaved alternative of a Transport header (RFC 2326 §12.39). */
export function pickInterleaved(transport: string | undefined): { rtp: number; rtcp: number } | undefined {
  for (const alt of (transport ?? '').split(',')) {
    const parts = alt.trim().split(';').map((s) => s.trim());
    if (parts[0]?.toUpperCase() !== 'RTP/AVP/TCP') continue;
    if (parts.some((p) => p.toLowerCase() === 'multicast')) continue;
    for (const p of parts) {
      const m = /^interleaved=(\d{1,3})(?:-(\d{1,3}))?$/i.exec(p);
      if (m === null) continue;
      const rtp = Number(m[1]);
      const rtcp = m[2] === undefined ? rtp + 1 : Number(m[2]);
      if (rtp <= 255 && rtcp <= 255) return { rtp, rtcp };
    }
  }
  return undefined;
}

/** Starts listening; resolves once bound. */
export function startRtspServer(o: RtspServerOptions): Promise<RtspServer> {
  const timeoutMs = o.sessionTimeoutMs ?? 60_000;
  const maxBuffered = o.maxBufferedBytes ?? 4 * 1024 * 1024;
  const connections = new Set<Connection>();
  let port = o.port;

  const base = (camera: number): string => {
    const host = o.host.includes(':') ? `[${o.host}]` : o.host;
    return `${o.tls === undefined ? 'rtsp' : 'rtsps'}://${host}:${port}/cam${camera}/`;
  };

  const stopPlaying = (c: Connection): void => {
    if (c.session?.playing === true) o.ticker.delete(c.session.tick);
    if (c.session !== undefined) c.session.playing = false;
  };

  const send = (c: Connection, cseq: string | undefined, r: Reply): void => {
    const lines = [`RTSP/1.0 ${r.status} ${reasons[r.status] ?? 'Error'}`];
    if (cseq !== undefined) lines.push(`CSeq: ${cseq}`);
    lines.push('Server: custos-camsim', `Date: ${new Date(o.clock.now()).toUTCString()}`);
    for (const [k, v] of Object.entries(r.headers ?? {})) lines.push(`${k}: ${v}`);
    const body = r.body === undefined ? undefined : Buffer.from(r.body, 'utf8');
    if (body !== undefined) lines.push(`Content-Length: ${body.length}`);
    c.socket.write(lines.join('\r\n') + '\r\n\r\n');
    if (body !== undefined) c.socket.write(body);
    if (r.close === true) c.socket.end();
  };

  const handle = (c: Connection, req: RtspRequest): Reply => {
    if (req.version !== 'RTSP/1.0') return { status: 505, close: true };
    if (req.method === 'OPTIONS') return { status: 200, headers: { Public: publicMethods } };
    const known = ['DESCRIBE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN', 'GET_PARAMETER'];
    if (!known.includes(req.method)) return { status: 501, headers: { Public: publicMethods } };
    if (o.auth !== undefined) {
      const verdict = o.auth.check(req.method, req.uri, req.headers.get('authorization'));
      if (verdict !== 'ok') {
        if (verdict === 'invalid') o.log(`camsim: rejected credentials from ${c.socket.remoteAddress ?? '?'}`);
        return { status: 401, headers: { 'WWW-Authenticate': o.auth.challenge(verdict === 'stale') } };
      }
    }
    const sessionHeader = req.headers.get('session')?.split(';')[0]?.trim();
    if (sessionHeader !== undefined && sessionHeader !== c.session?.id) return { status: 454 };
    const camera = cameraFromUri(req.uri, o.cameras);

    switch (req.method) {
      case 'DESCRIBE': {
        if (camera === undefined) return { status: 404 };
        return {
          status: 200,
          headers: { 'Content-Type': 'application/sdp', 'Content-Base': base(camera) },
          body: o.sdp(camera),
        };
      }
      case 'SETUP': {
        if (camera === undefined) return { status: 404 };
        if (c.session !== undefined && c.session.camera !== camera) return { status: 459 };
        const channels = pickInterleaved(req.headers.get('transport'));
        if (channels === undefined) return { status: 461 };
        if (c.session === undefined) {
          const rtp = new RtpSession({
            loop: o.loop, socket: c.socket, channel: channels.rtp, maxBufferedBytes: maxBuffered,
            stamp: o.stamp === true ? () => o.clock.now() : undefined,
            onOverflow: () => o.log(`camsim: dropping ${c.socket.remoteAddress ?? '?'} on cam${camera}: client too slow`),
          });
          c.session = { id: randomBytes(8).toString('hex'), camera, rtp, playing: false, tick: () => rtp.sendNext() };
        } else if (c.session.playing) {
          return { status: 455 };
        }
        return {
          status: 200,
          headers: {
            Transport: `RTP/AVP/TCP;unicast;interleaved=${channels.rtp}-${channels.rtcp};ssrc=${c.session.rtp.ssrcHex}`,
            Session: `${c.session.id};timeout=${Math.round(timeoutMs / 1000)}`,
          },
        };
      }
      case 'PLAY': {
        if (c.session === undefined) return { status: 454 };
        const start = c.session.rtp.next();
        const wasPlaying = c.session.playing;
        c.session.playing = true;
        // Subscribed now, first frame on the next tick: always after this reply is written.
        if (!wasPlaying) o.ticker.add(c.session.tick);
        return {
          status: 200,
          headers: {
            Session: c.session.id,
            Range: 'npt=now-',
            'RTP-Info': `url=${base(c.session.camera)}trackID=0;seq=${start.seq};rtptime=${start.rtptime}`,
          },
        };
      }
      case 'PAUSE': {
        if (c.session === undefined) return { status: 454 };
        stopPlaying(c);
        return { status: 200, headers: { Session: c.session.id } };
      }
      case 'TEARDOWN': {
        if (c.session === undefined) return { status: 454 };
        stopPlaying(c);
        c.session = undefined;
        return { status: 200 };
      }
      default: // GET_PARAMETER: a keep-alive; activity was already recorded.
        return c.session === undefined ? { status: 200 } : { status: 200, headers: { Session: c.session.id } };
    }
  };

  const onConnection = (socket: Socket): void => {
    const c: Connection = { socket, parser: new RtspRequestParser(), lastActivity: o.clock.now() };
    connections.add(c);
    socket.on('data', (chunk: Buffer) => {
      c.lastActivity = o.clock.now();
      for (const ev of c.parser.push(chunk)) {
        if (socket.destroyed || !socket.writable) return;
        if (ev.kind === 'interleaved') continue; // RTCP receiver reports: liveness only
        if (ev.kind === 'error') {
          send(c, undefined, { status: 400, close: true });
          return;
        }
        const cseq = ev.request.headers.get('cseq');
        if (cseq === undefined || !/^\d+$/.test(cseq)) {
          send(c, undefined, { status: 400, close: true });
          return;
        }
        send(c, cseq, handle(c, ev.request));
      }
    });
    socket.on('error', () => undefined); // reset by peer etc.: 'close' follows
    socket.on('close', () => {
      stopPlaying(c);
      connections.delete(c);
    });
  };
  const server: Server =
    o.tls === undefined
      ? createServer({ noDelay: true }, onConnection)
      : createTlsServer({ noDelay: true, cert: o.tls.cert, key: o.tls.key, minVersion: 'TLSv1.3' }, onConnection);
  // A failed handshake (old TLS version, unknown CA on the client) closes that socket only.
  server.on('tlsClientError', (err: Error, socket: Socket) => {
    o.log(`camsim: TLS handshake with ${socket.remoteAddress ?? '?'} failed: ${err.message}`);
    socket.destroy();
  });

  const sweep = setInterval(() => {
    const now = o.clock.now();
    for (const c of connections) {
      if (now - c.lastActivity > timeoutMs) {
        o.log(`camsim: closing idle connection from ${c.socket.remoteAddress ?? '?'}`);
        stopPlaying(c);
        c.socket.destroy();
      }
    }
  }, Math.min(5_000, Math.max(50, timeoutMs / 4)));
  sweep.unref();

  return new Promise((resolve, reject) => {
    server.once('error', (err) => {
      clearInterval(sweep);
      reject(err);
    });
    server.listen(o.port, o.host, () => {
      port = (server.address() as AddressInfo).port;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            clearInterval(sweep);
            for (const c of connections) {
              stopPlaying(c);
              c.socket.destroy();
            }
            server.close(() => done());
          }),
      });
    });
  });
}
