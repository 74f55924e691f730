/**
 * The looped test clip: raw H.264 Annex B made once with ffmpeg (lavfi testsrc2 + libx264) and
 * cached on disk, named by profile and a hash of the ffmpeg arguments so a changed recipe
 * regenerates instead of reusing a stale file.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../src/lib/errors.ts';

/** Clip profiles: `full` is what a real camera sends, `small` keeps tests fast. */
export type ClipProfile = 'full' | 'small';

/** The encoding recipe of each profile. */
export const clipProfiles = {
  full: { width: 1920, height: 1080, fps: 25, seconds: 10, bitrate: '4M' },
  small: { width: 640, height: 360, fps: 25, seconds: 4, bitrate: '500k' },
} as const satisfies Record<ClipProfile, { width: number; height: number; fps: number; seconds: number; bitrate: string }>;

/**
 * ffmpeg arguments (without input/output paths) for a profile. Contract relied on downstream:
 * no B-frames (`-bf 0`, so decode order is presentation order and RTP timestamps simply
 * increase), an IDR every `fps` frames with no scene-cut key frames, access unit delimiters
 * (`aud=1`, so splitting access units needs no slice parsing) and SPS/PPS before every IDR (the
 * libx264 default for raw output; left as encoded, see FIELD-NOTES).
 */
export function clipArgs(profile: ClipProfile): string[] {
  const p = clipProfiles[profile];
  return [
    '-f', 'lavfi', '-i', `testsrc2=size=${p.width}x${p.height}:rate=${p.fps}`,
    '-t', String(p.seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    '-g', String(p.fps), '-keyint_min', String(p.fps), '-sc_threshold', '0', '-bf', '0',
    '-b:v', p.bitrate, '-maxrate', p.bitrate, '-bufsize', p.bitrate,
    '-x264-params', 'aud=1',
    '-an', '-f', 'h264',
  ];
}

/** The cache file name for a profile: changes whenever its ffmpeg arguments change. */
export function clipFileName(profile: ClipProfile): string {
  const hash = createHash('sha256').update(JSON.stringify(clipArgs(profile))).digest('hex').slice(0, 12);
  return `camsim-${profile}-${hash}.h264`;
}

/**
 * Returns the path of the profile's clip in `cacheDir`, making it first if absent. The file
 * appears atomically (temp file, fsync, rename), so a concurrent or crashed run never leaves
 * a truncated clip under the final name.
 */
export async function ensureClip(profile: ClipProfile, cacheDir: string, ffmpegPath = 'ffmpeg'): Promise<string> {
  const target = join(cacheDir, clipFileName(profile));
  const existing = await stat(target).catch(() => undefined);
  if (existing !== undefined && existing.size > 0) return target;
  await mkdir(cacheDir, { recursive: true });
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await runFfmpeg(ffmpegPath, ['-nostdin', '-v', 'error', '-y', ...clipArgs(profile), temp]);
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
  return target;
}

function runFfmpeg(ffmpegPath: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-2000);
    });
    child.on('error', (err) => {
      reject(new AppError('INTERNAL', `cannot run ffmpeg to make the camsim clip: ${err.message}`));
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new AppError('INTERNAL', 'ffmpeg failed to make the camsim clip', { exitCode: code, stderr: stderr.trim() }));
    });
  });
}
