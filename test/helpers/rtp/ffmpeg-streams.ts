/**
 * Test support: elementary streams made by the real ffmpeg (/usr/bin/ffmpeg) on stdout, inside
 * the test that needs them; binaries are never committed.
 */
import { spawn } from 'node:child_process';

/** Runs ffmpeg with `args` (output `pipe:1`) and returns what it wrote to stdout. */
export function ffmpegToBuffer(args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`ffmpeg exited with ${code}: ${err.trim()}`));
    });
  });
}

/**
 * An H.265 Annex B stream from libx265: no B-frames, an IRAP every `keyint` frames, access unit
 * delimiters (type 35) so access units can be split exactly, parameter sets before every IRAP.
 */
export function makeH265Stream(o: { seconds: number; keyint: number; width?: number; height?: number }): Promise<Buffer> {
  const params = `keyint=${o.keyint}:min-keyint=${o.keyint}:scenecut=0:bframes=0:aud=1:repeat-headers=1:log-level=error`;
  return ffmpegToBuffer([
    '-f', 'lavfi', '-i', `testsrc2=size=${o.width ?? 640}x${o.height ?? 360}:rate=25`, '-t', String(o.seconds),
    '-c:v', 'libx265', '-x265-params', params, '-f', 'hevc', 'pipe:1',
  ]);
}

/** An AAC-LC stream in ADTS framing (sine tone), `seconds` long. */
export function makeAdtsStream(o: { seconds: number; sampleRate: number }): Promise<Buffer> {
  return ffmpegToBuffer([
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${o.sampleRate}`, '-t', String(o.seconds),
    '-c:a', 'aac', '-b:a', '64k', '-f', 'adts', 'pipe:1',
  ]);
}
