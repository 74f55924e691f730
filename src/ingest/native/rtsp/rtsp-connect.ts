/**
 * Opens the byte stream to a camera: TCP for rtsp://, TLS for rtsps:// (RFC 7826 §19.2). The
 * RTSP session takes any connect function, so callers own their trust anchors; this is the
 * default one.
 *
 * TLS contract (the same as src/ingest/ffmpeg/camera-bridge.ts, whose helper is not exported, so the
 * few lines are repeated here): TLS 1.2 or later; the chain MUST verify against `tlsCaPem`, or
 * against the system store plus Node's roots when it is absent; the host name or IP MUST match
 * the certificate, unless the camera presents exactly a certificate pinned in `tlsCaPem` (then
 * its names are not checked). Verification is never disabled.
 */
import type { Duplex } from 'node:stream';
import { cameraTrust, certificateErrorPattern } from '../../../cameras/camera-trust.ts';
import { AppError } from '../../../lib/errors.ts';
import { endpointOfUrl } from './rtsp-url.ts';
import { dialCamera } from '../../camera-socket.ts';
import { admittedConnectOptions, type AddressCheck } from '../../camera-networks.ts';
import { slabOnRead, type DataTarget } from './receive-slabs.ts';

/** Opens a connection for a URL (rtsp or rtsps); rejects with an AppError. */
export type RtspConnect = (url: string, signal: AbortSignal) => Promise<Duplex>;

/** Options of the default connect function. */
export interface ConnectOptions {
  /** PEM trust anchors for rtsps:// (a CA, or the camera's certificate to pin); see IngestTarget. */
  readonly tlsCaPem?: string | null | undefined;
  /** Longest wait for TCP connect plus TLS handshake; 10 s by default. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Addresses that may be dialled (camera network policy), checked after DNS; any when absent. */
  readonly addressCheck?: AddressCheck;
}


/**
 * Connects to the URL's host and port (554 / 322 by default); CAMERA_UNREACHABLE on failure.
 * A plain TCP socket reads into append-only receive slabs (receive-slabs.ts: no buffer made per
 * read) and still emits its bytes as 'data' chunks that are never modified afterwards.
 */
export async function connectRtsp(url: string, opts: ConnectOptions = {}): Promise<Duplex> {
  const { secure, host, port } = endpointOfUrl(url);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let admitted: ReturnType<typeof admittedConnectOptions>;
  try {
    admitted = admittedConnectOptions(host, opts.addressCheck);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new AppError('CAMERA_UNREACHABLE', `cannot connect to the camera: ${code}`, { step: 'connect', code, secure });
  }
  const trust = secure ? cameraTrust(opts.tlsCaPem ?? null) : undefined;
  if (!secure && opts.tlsCaPem !== undefined && opts.tlsCaPem !== null) {
    throw new AppError('VALIDATION_FAILED', 'a TLS CA is set but the camera URL is not rtsps://');
  }
  return await new Promise<Duplex>((resolve, reject) => {
    const signal = opts.signal;
    if (signal?.aborted === true) {
      reject(new AppError('CAMERA_UNREACHABLE', 'connecting to the camera was aborted'));
      return;
    }
    const reads: DataTarget = { socket: undefined };
    const { socket, ready } = dialCamera(host, port, trust, admitted, slabOnRead(reads));
    reads.socket = socket;
    const finish = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      socket.off(ready, onReady);
    };
    const onReady = (): void => {
      finish();
      socket.setNoDelay(true);
      resolve(socket);
    };
    const onError = (e: NodeJS.ErrnoException): void => {
      finish();
      socket.on('error', () => undefined);
      socket.destroy();
      const code = e.code ?? '';
      const reason = trust !== undefined && certificateErrorPattern.test(code)
        ? `TLS certificate verification failed: ${e.message} (${code})`
        : `cannot connect to the camera: ${code === '' ? e.message : code}`;
      reject(new AppError('CAMERA_UNREACHABLE', reason, { step: 'connect', code, secure: trust !== undefined }));
    };
    const onAbort = (): void => onError(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    const timer = setTimeout(() => onError(Object.assign(new Error(`no connection within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once(ready, onReady);
    socket.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
