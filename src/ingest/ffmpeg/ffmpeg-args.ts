/**
 * The ffmpeg command line of the ingest (FIELD-NOTES, "Recording format"). Pure, so the exact
 * argv is table-tested. ffmpeg MUST write only to its stdout pipe (`pipe:1`), never to a file:
 * no video byte reaches a disk unencrypted (ARCHITECTURE, "Data path").
 *
 * RTSPS: ffmpeg 5.1's rtsp demuxer opens its `tls://` connection without passing any options,
 * so `-tls_verify`/`-ca_file` never reach the TLS layer and ffmpeg would accept any certificate.
 * ffmpeg therefore MUST NOT open an rtsps:// URL itself: the ingest terminates TLS in Node (with
 * verification) and hands ffmpeg a plain rtsp:// URL on a loopback bridge port, and
 * `-protocol_whitelist tcp` stops ffmpeg from opening TLS (or anything else) on its own, for
 * example after a redirect. The same bridge carries every rtsp:// camera with credentials: it
 * answers the camera's challenge itself, so ffmpeg never holds the password (it would be in its
 * argv), its RTSP guard stops Basic in clear and redirects (ffmpeg has no option for either).
 */
import { AppError } from '../../lib/errors.ts';
import type { IngestTarget } from '../ingest.ts';

/**
 * The URL handed to ffmpeg, checked to hold no userinfo. It never carries credentials: argv is
 * readable by every local user through /proc/<pid>/cmdline, so a camera with credentials goes
 * through the camera bridge, which authenticates for ffmpeg (rtsp-signer.ts).
 */
export function ffmpegInputUrl(target: Pick<IngestTarget, 'url'>): string {
  const m = /^(rtsps?):\/\/([^/?#]*)(.*)$/i.exec(target.url);
  if (m === null) throw new AppError('CAMERA_URL_INVALID', 'camera URL scheme must be rtsp or rtsps');
  const authority = m[2] ?? '';
  if (authority === '' || authority.includes('@')) {
    throw new AppError('CAMERA_URL_INVALID', 'camera URL must have a host and no userinfo');
  }
  return target.url;
}

/** Where a camera listens; `host` has no IPv6 brackets. */
export interface CameraEndpoint {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
}

/** Default RTSPS port (RFC 7826 §19.2), as ffmpeg uses. */
export const RTSPS_DEFAULT_PORT = 322;
/** Default RTSP port (RFC 2326 §3.2). */
export const RTSP_DEFAULT_PORT = 554;

/** True for an rtsps:// URL (case-insensitive scheme). */
export const isRtsps = (url: string): boolean => /^rtsps:\/\//i.test(url);

/** Host and port of an rtsp:// or rtsps:// URL without userinfo; CAMERA_URL_INVALID otherwise. */
export function cameraEndpoint(url: string): CameraEndpoint {
  const m = /^(rtsps?):\/\/(?:\[([0-9a-f:.]+)\]|([^/?#:@[\]]+))(?::(\d{1,5}))?(?:[/?#]|$)/i.exec(url);
  const secure = m?.[1]?.toLowerCase() === 'rtsps';
  const host = m?.[2] ?? m?.[3];
  const port = m?.[4] === undefined ? (secure ? RTSPS_DEFAULT_PORT : RTSP_DEFAULT_PORT) : Number(m[4]);
  if (m === null || host === undefined || port < 1 || port > 65_535) {
    throw new AppError('CAMERA_URL_INVALID', 'camera URL must be rtsp[s]://host[:port]/path without userinfo');
  }
  return { secure, host, port };
}

/** Host and port of an rtsps:// URL without userinfo; CAMERA_URL_INVALID otherwise. */
export function rtspsEndpoint(url: string): { host: string; port: number } {
  if (!isRtsps(url)) throw new AppError('CAMERA_URL_INVALID', 'camera URL must be rtsps://host[:port]/path without userinfo');
  const { host, port } = cameraEndpoint(url);
  return { host, port };
}

/**
 * The plain rtsp:// URL ffmpeg opens through the camera bridge: loopback host and bridge port,
 * the camera URL's path and query unchanged (the camera sees them in every request line).
 */
export function bridgedUrl(url: string, bridgePort: number): string {
  const m = /^rtsps?:\/\/[^/?#]*(.*)$/i.exec(url);
  if (m === null) throw new AppError('CAMERA_URL_INVALID', 'camera URL scheme must be rtsp or rtsps');
  return `rtsp://127.0.0.1:${bridgePort}${m[1] ?? ''}`;
}

/**
 * True when ffmpeg MUST reach the camera through the bridge (camera-bridge.ts): rtsps:// always
 * (ffmpeg would not verify the certificate), rtsp:// whenever there are credentials (the bridge
 * authenticates, so the password is in no argv, never Basic in clear, never sent on a redirect).
 */
export function needsBridge(target: Pick<IngestTarget, 'url' | 'username' | 'password'>): boolean {
  return isRtsps(target.url) || target.username !== null || target.password !== null;
}

/**
 * Full argv (without the program name) that pulls one camera and writes fragmented MP4 to
 * stdout: copy, no transcoding (evidential path), fragments cut on key frames and at most
 * `fragmentSeconds` long. Video only: `-map 0:v:0` drops audio. ffmpeg's mp4 muxer refuses G.711
 * and a stream map cannot choose by codec, so mapping audio would break every G.711 camera; the
 * native ingest records AAC (ADR 0037, docs/reference/ingest.md#audio). A target that
 * {@link needsBridge} MUST come with `bridgePort`, the loopback port where the ingest's connection to the camera waits (TLS verified, RTSP
 * guarded); any other may (under a camera network policy). An rtsp:// target MUST NOT have a `tlsCaPem` (a configuration
 * mistake).
 */
export function ffmpegIngestArgs(target: IngestTarget, fragmentSeconds: number, bridgePort?: number): string[] {
  if (!(fragmentSeconds > 0 && fragmentSeconds <= 10)) {
    throw new AppError('VALIDATION_FAILED', 'fragmentSeconds must be in (0, 10]');
  }
  let input: string;
  if (!isRtsps(target.url) && target.tlsCaPem !== undefined && target.tlsCaPem !== null) {
    throw new AppError('CAMERA_URL_INVALID', 'a TLS CA is set but the camera URL is not rtsps://');
  }
  if (needsBridge(target)) {
    cameraEndpoint(target.url);
    if (bridgePort === undefined) throw new AppError('INTERNAL', 'this camera needs the bridge: ffmpeg 5.1 cannot verify RTSPS, and would send Basic in clear or follow redirects with the credentials');
    input = ffmpegInputUrl({ ...target, url: bridgedUrl(target.url, bridgePort) });
  } else if (bridgePort !== undefined) {
    // Not needed for this camera, but used when a camera network policy is configured.
    cameraEndpoint(target.url);
    input = ffmpegInputUrl({ ...target, url: bridgedUrl(target.url, bridgePort) });
  } else {
    input = ffmpegInputUrl(target);
  }
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    // Input: RTSP interleaved over TCP (no UDP loss), 10 s socket timeout, tolerate broken packets;
    // plain TCP only, so ffmpeg never opens an unverified TLS connection of its own.
    '-protocol_whitelist', 'tcp',
    '-rtsp_transport', 'tcp', '-timeout', '10000000',
    '-fflags', '+genpts+discardcorrupt', '-avoid_negative_ts', 'make_zero',
    '-i', input,
    '-map', '0:v:0', '-c', 'copy',
    '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof',
    '-frag_duration', String(Math.round(fragmentSeconds * 1e6)),
    'pipe:1',
  ];
}
