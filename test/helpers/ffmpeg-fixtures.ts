/**
 * Media fixtures made by the real ffmpeg inside the test that needs them; binaries are never
 * committed. Every helper runs /usr/bin/ffmpeg (or ffprobe) and fails loudly when it is missing.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** What a fragmented-MP4 fixture should contain. */
export interface Fmp4FixtureOptions {
  /** Encoder: 'libx264' (default) or 'libx265' (tagged hvc1). */
  readonly encoder?: 'libx264' | 'libx265';
  readonly seconds?: number;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  /** Key frame interval in frames. */
  readonly gop?: number;
  /** Target fragment duration in seconds. */
  readonly fragmentSeconds?: number;
}

/** Encodes a test pattern to fragmented MP4 on ffmpeg's stdout, as the ingest would receive it. */
export async function makeFmp4Fixture(opts: Fmp4FixtureOptions = {}): Promise<Buffer> {
  const { encoder = 'libx264', seconds = 4, width = 320, height = 240, fps = 25, gop = 25, fragmentSeconds = 1 } = opts;
  const codecArgs =
    encoder === 'libx265'
      ? ['-c:v', 'libx265', '-tag:v', 'hvc1', '-x265-params', `keyint=${gop}:min-keyint=${gop}:bframes=0:log-level=error`]
      : ['-c:v', 'libx264', '-g', String(gop), '-bf', '0'];
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`, '-t', String(seconds),
    ...codecArgs,
    '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof',
    '-frag_duration', String(Math.round(fragmentSeconds * 1e6)), 'pipe:1',
  ];
  return runToBuffer('/usr/bin/ffmpeg', args);
}

/** True when this ffmpeg build has the named encoder (e.g. libx265). */
export async function hasEncoder(name: string): Promise<boolean> {
  const { stdout } = await execFileAsync('/usr/bin/ffmpeg', ['-hide_banner', '-encoders'], { maxBuffer: 4 << 20 });
  return stdout.split('\n').some((line) => line.trim().split(/\s+/)[1] === name);
}

/** What `ffprobe -v error` prints about a file when it decodes every frame: empty for a sound file. */
export async function ffprobeErrors(path: string): Promise<string> {
  const args = ['-v', 'error', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path];
  const child = spawn('/usr/bin/ffprobe', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  return stderr.trim();
}

/** Number of video frames ffprobe decodes from a file. */
export async function ffprobeFrameCount(path: string): Promise<number> {
  const { stdout } = await execFileAsync('/usr/bin/ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-count_frames',
    '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path,
  ]);
  return Number(stdout.trim());
}

function runToBuffer(cmd: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${cmd} exited with ${code}: ${err.trim()}`));
    });
  });
}
