/**
 * The ffmpeg command line of the ingest (FIELD-NOTES, "Recording format"). Pure, so the exact
 * argv is table-tested. ffmpeg MUST write only to its stdout pipe (`pipe:1`), never to a file:
 * no video byte reaches a disk unencrypted (ARCHITECTURE, "Data path").
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

/**
 * Full argv (without the program name) that pulls one camera and writes fragmented MP4 to
 * stdout: copy, no transcoding (evidential path), fragments cut on key frames and at most
 * `fragmentSeconds` long. Video only for now: `-map 0:v:0` drops audio until the segmenter and
 * players handle a second track.
 */
export function ffmpegIngestArgs(target: IngestTarget, fragmentSeconds: number): string[] {
  if (!(fragmentSeconds > 0 && fragmentSeconds <= 10)) {
    throw new AppError('VALIDATION_FAILED', 'fragmentSeconds must be in (0, 10]');
  }
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    // Input: RTSP interleaved over TCP (no UDP loss), 10 s socket timeout, tolerate broken packets.
    '-rtsp_transport', 'tcp', '-timeout', '10000000',
    '-fflags', '+genpts+discardcorrupt', '-avoid_negative_ts', 'make_zero',
    '-i', ffmpegInputUrl(target),
    '-map', '0:v:0', '-c', 'copy',
    '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof',
    '-frag_duration', String(Math.round(fragmentSeconds * 1e6)),
    'pipe:1',
  ];
}
