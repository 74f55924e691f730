/**
 * The camera bridge of the ffmpeg ingest (ADR 0008): Node opens the connection to the camera
 * and offers it to ffmpeg once as plain TCP on a loopback port, with the RTSP guard
 * (rtsp-guard.ts) reading both directions. Used for every rtsps:// camera (ffmpeg 5.1 does not
 * verify RTSPS certificates: its RTSP reader drops `tls_verify`/`ca_file`) and for every rtsp://
 * camera with credentials (ffmpeg would answer a Basic challenge in clear, and follow a redirect
 * to another host with the credentials).
 */
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { cameraTrust } from '../../cameras/camera-trust.ts';
import { AppError } from '../../lib/errors.ts';
import { cameraEndpoint } from './ffmpeg-args.ts';
import type { IngestTarget } from '../ingest.ts';
import { connectFailure } from '../ingest-failure.ts';
import { dialCamera } from '../camera-socket.ts';
import { createRtspGuard } from './rtsp-guard.ts';
import { loopbackPeerUid } from './loopback-peer.ts';
import { admittedConnectOptions, type AddressCheck } from '../camera-networks.ts';

/** A connection to the camera, offered to ffmpeg as plain TCP on loopback. */
export interface CameraBridge {
  port: number;
  /** Set by the run: told once if the camera connection fails, or the guard refuses, while ffmpeg uses it. */
  onFailure: ((e: AppError) => void) | undefined;
  /** The failure, if one came before the run set `onFailure` (the run MUST check it then). */
  failure: AppError | undefined;
  /** Closes the listener and both connections; idempotent. */
  close(): void;
}

/**
 * Opens the camera connection — for rtsps:// TLS 1.2 or later, chain verified against
 * `tlsCaPem` or the system store, host name or IP checked against the SAN unless the camera
 * presents exactly a pinned certificate; for rtsp:// plain TCP; only to an address `check`
 * admits (recording.cameraNetworks) — and a loopback listener that
 * hands it to the first client, ffmpeg, through the RTSP guard. Rejects with
 * CAMERA_UNREACHABLE (classified: `detail.failure`); resolves undefined when `signal` aborts first.
 *
 * The listener admits one connection, from a process of our own user (loopback-peer.ts), and then
 * closes: another local user racing ffmpeg to the port is refused, and ffmpeg's argv holds no
 * password for anyone to read (rtsp-signer.ts).
 */
export async function openCameraBridge(target: IngestTarget, timeoutMs: number, signal: AbortSignal, check?: AddressCheck): Promise<CameraBridge | undefined> {
  const ctx = { cameraId: target.cameraId };
  const { secure, host, port } = cameraEndpoint(target.url);
  let admitted: ReturnType<typeof admittedConnectOptions>;
  try {
    admitted = admittedConnectOptions(host, check);
  } catch (e) {
    throw connectFailure(e as NodeJS.ErrnoException, secure, ctx, 'connect');
  }
  const trust = secure ? cameraTrust(target.tlsCaPem ?? null) : undefined;
  const credentials = target.username === null && target.password === null ? undefined : { username: target.username ?? '', password: target.password ?? '' };
  const guard = createRtspGuard({ allowBasic: secure, ...(credentials === undefined ? {} : { credentials }) });
  const server = createServer({ noDelay: true });
  let camera: Socket | undefined;
  let local: Socket | undefined;
  const bridge: CameraBridge = {
    port: 0,
    onFailure: undefined,
    failure: undefined,
    close() {
      server.close();
      local?.destroy();
      camera?.destroy();
    },
  };
  /** A failure after the connection was made: ffmpeg's run ends with it (its own error would name loopback). */
  const fail = (e: AppError): void => {
    if (bridge.failure !== undefined) return;
    bridge.failure = e;
    bridge.onFailure?.(e);
    bridge.close();
  };
  const onLateError = (e: NodeJS.ErrnoException): void => fail(connectFailure(e, secure, ctx, 'lost'));

  const connected = await new Promise<Socket | undefined>((resolve, reject) => {
    const { socket, ready } = dialCamera(host, port, trust, admitted);
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.off('error', onError);
    };
    const onReady = (): void => {
      done();
      socket.on('error', onLateError);
      socket.setNoDelay(true);
      camera = socket;
      resolve(socket);
    };
    const onError = (e: NodeJS.ErrnoException): void => {
      done();
      socket.off(ready, onReady);
      socket.on('error', () => undefined);
      socket.destroy();
      reject(connectFailure(e, secure, ctx, 'connect'));
    };
    const onAbort = (): void => {
      done();
      socket.off(ready, onReady);
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(undefined);
    };
    const timer = setTimeout(() => onError(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once(ready, onReady);
    socket.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  if (connected === undefined) return undefined;
  const cam = connected;
  cam.on('close', () => {
    // A peer that closes before any RTSP message is not an RTSP server, whatever it did.
    if (!guard.heardCamera()) fail(new AppError('CAMERA_UNREACHABLE', 'the camera closed the connection before answering', { ...ctx, failure: 'not-rtsp' }));
    local?.destroy();
  });

  // One client only, ffmpeg: a connection from another user is refused (the bridge authenticates
  // to the camera for whoever it admits); the first one of our own user closes the listener.
  let admitting = false;
  server.on('connection', (s: Socket) => {
    if (local !== undefined || admitting) {
      s.destroy();
      return;
    }
    admitting = true;
    s.pause();
    s.on('error', () => undefined); // ffmpeg killed: 'close' follows
    void loopbackPeerUid(s.remotePort ?? 0, bridge.port).then((uid) => {
      admitting = false;
      if (uid === undefined || uid !== process.getuid?.()) {
        s.destroy();
        return;
      }
      local = s;
      server.close();
      s.on('close', () => cam.destroy());
      relay(s, cam, (chunk) => ({ forward: guard.fromClient(chunk), back: [] }), fail);
      relay(cam, s, (chunk) => {
        const { toClient, toCamera } = guard.fromCamera(chunk);
        return { forward: toClient, back: toCamera };
      }, fail);
      s.resume();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (e) {
    bridge.close();
    throw new AppError('INTERNAL', `cannot open the camera bridge: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, ctx);
  }
  bridge.port = (server.address() as AddressInfo).port;
  return bridge;
}

/**
 * Copies `from` to `to` through `check`, pausing `from` while `to` is full; the end is passed on.
 * `back` is written to `from` itself (a request the guard signs again for the camera).
 */
function relay(from: Socket, to: Socket, check: (chunk: Buffer) => { forward: Buffer[]; back: Buffer[] }, fail: (e: AppError) => void): void {
  from.on('data', (chunk: Buffer) => {
    let out: { forward: Buffer[]; back: Buffer[] };
    try {
      out = check(chunk);
    } catch (e) {
      fail(e instanceof AppError ? e : new AppError('INTERNAL', 'the camera bridge failed'));
      return;
    }
    for (const bytes of out.back) from.write(bytes);
    let full = false;
    for (const bytes of out.forward) full = !to.write(bytes) || full;
    if (full) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.on('end', () => to.end());
}
