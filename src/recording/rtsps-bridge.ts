/**
 * The TLS bridge for rtsps:// cameras (ADR 0008). ffmpeg 5.1 does not verify RTSPS certificates
 * (its RTSP reader drops `tls_verify`/`ca_file`), so Node opens the camera's TLS connection,
 * verifies it, and offers it to ffmpeg once as plain TCP on a loopback port.
 */
import { X509Certificate } from 'node:crypto';
import { createServer, isIP } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, getCACertificates } from 'node:tls';
import type { PeerCertificate, TLSSocket } from 'node:tls';
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
export async function openTlsBridge(target: IngestTarget, timeoutMs: number, signal: AbortSignal): Promise<TlsBridge | undefined> {
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
