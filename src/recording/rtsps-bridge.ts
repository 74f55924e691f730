/**
 * The TLS bridge for rtsps:// cameras (ADR 0008). ffmpeg 5.1 does not verify RTSPS certificates
 * (its RTSP reader drops `tls_verify`/`ca_file`), so Node opens the camera's TLS connection,
 * verifies it, and offers it to ffmpeg once as plain TCP on a loopback port.
 */
import { createServer, isIP } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { cameraIdentityCheck, cameraTrust, certificateErrorPattern } from '../cameras/camera-trust.ts';
import { AppError } from '../lib/errors.ts';
import { rtspsEndpoint } from './ffmpeg-args.ts';
import type { IngestTarget } from './ingest.ts';

/** A verified TLS connection to an rtsps:// camera, offered to ffmpeg as plain TCP on loopback. */
export interface TlsBridge {
  port: number;
  /** Set by the run: told once if the camera's TLS connection fails while ffmpeg uses it. */
  onFailure: ((e: AppError) => void) | undefined;
  /** Closes the listener and both connections; idempotent. */
  close(): void;
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
export async function openTlsBridge(target: IngestTarget, timeoutMs: number, signal: AbortSignal): Promise<TlsBridge | undefined> {
  const ctx = { cameraId: target.cameraId };
  const { host, port } = rtspsEndpoint(target.url);
  const trust = cameraTrust(target.tlsCaPem ?? null);
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
      checkServerIdentity: cameraIdentityCheck(trust),
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
      const reason = certificateErrorPattern.test(code)
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
