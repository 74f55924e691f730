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
 * example after a redirect.
 */
import { AppError } from '../lib/errors.ts';
import type { IngestTarget } from './ingest.ts';

/**
 * The URL handed to ffmpeg: the target URL with the credentials put back as percent-encoded
 * userinfo (ffmpeg decodes it for Basic and Digest auth). The result holds the password, so it
 * MUST NOT be logged or stored; note that argv is readable by local users via /proc/<pid>/cmdline
 * while ffmpeg runs. The native ingest (a later issue) removes that exposure.
 */
export function ffmpegInputUrl(target: Pick<IngestTarget, 'url' | 'username' | 'password'>): string {
  const m = /^(rtsps?):\/\/([^/?#]*)(.*)$/i.exec(target.url);
  if (m === null) throw new AppError('CAMERA_URL_INVALID', 'camera URL scheme must be rtsp or rtsps');
  const [, scheme = '', authority = '', rest = ''] = m;
  if (authority === '' || authority.includes('@')) {
    throw new AppError('CAMERA_URL_INVALID', 'camera URL must have a host and no userinfo');
  }
  if (target.username === null && target.password === null) return target.url;
  const user = encodeURIComponent(target.username ?? '');
  const userinfo = target.password === null ? user : `${user}:${encodeURIComponent(target.password)}`;
  return `${scheme}://${userinfo}@${authority}${rest}`;
}

/** Where an rtsps:// camera listens; `host` has no IPv6 brackets. */
export interface TlsEndpoint {
  readonly host: string;
  readonly port: number;
}

/** Default RTSPS port (RFC 7826 §19.2), as ffmpeg uses. */
export const RTSPS_DEFAULT_PORT = 322;

/** True for an rtsps:// URL (case-insensitive scheme). */
export const isRtsps = (url: string): boolean => /^rtsps:\/\//i.test(url);

/** Host and port of an rtsps:// URL without userinfo; CAMERA_URL_INVALID otherwise. */
export function rtspsEndpoint(url: string): TlsEndpoint {
  const m = /^rtsps:\/\/(?:\[([0-9a-f:.]+)\]|([^/?#:@[\]]+))(?::(\d{1,5}))?(?:[/?#]|$)/i.exec(url);
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? RTSPS_DEFAULT_PORT : Number(m[3]);
  if (m === null || host === undefined || port < 1 || port > 65_535) {
    throw new AppError('CAMERA_URL_INVALID', 'camera URL must be rtsps://host[:port]/path without userinfo');
  }
  return { host, port };
}

/**
 * The plain rtsp:// URL ffmpeg opens through the TLS bridge: loopback host and bridge port, the
 * camera URL's path and query unchanged (the camera sees them in every request line).
 */
export function bridgedUrl(url: string, bridgePort: number): string {
  const m = /^rtsps:\/\/[^/?#]*(.*)$/i.exec(url);
  if (m === null) throw new AppError('CAMERA_URL_INVALID', 'camera URL scheme must be rtsps');
  return `rtsp://127.0.0.1:${bridgePort}${m[1] ?? ''}`;
}

/**
 * Full argv (without the program name) that pulls one camera and writes fragmented MP4 to
 * stdout: copy, no transcoding (evidential path), fragments cut on key frames and at most
 * `fragmentSeconds` long. Video only for now: `-map 0:v:0` drops audio until the segmenter and
 * players handle a second track. An rtsps:// target MUST come with `tlsBridgePort`, the loopback
 * port where the ingest's verified TLS connection to the camera waits; an rtsp:// target MUST
 * NOT have one, nor a `tlsCaPem` (a CA for a plain URL is a configuration mistake).
 */
export function ffmpegIngestArgs(target: IngestTarget, fragmentSeconds: number, tlsBridgePort?: number): string[] {
  if (!(fragmentSeconds > 0 && fragmentSeconds <= 10)) {
    throw new AppError('VALIDATION_FAILED', 'fragmentSeconds must be in (0, 10]');
  }
  let input: string;
  if (isRtsps(target.url)) {
    rtspsEndpoint(target.url);
    if (tlsBridgePort === undefined) throw new AppError('INTERNAL', 'rtsps:// needs the TLS bridge: ffmpeg 5.1 cannot verify RTSPS');
    input = ffmpegInputUrl({ ...target, url: bridgedUrl(target.url, tlsBridgePort) });
  } else {
    if (tlsBridgePort !== undefined) throw new AppError('INTERNAL', 'a TLS bridge is only for rtsps://');
    if (target.tlsCaPem !== undefined && target.tlsCaPem !== null) {
      throw new AppError('CAMERA_URL_INVALID', 'a TLS CA is set but the camera URL is not rtsps://');
    }
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
