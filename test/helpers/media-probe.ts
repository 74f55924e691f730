import { spawn } from 'node:child_process';

/** ffmpeg's `-headers` for an HTTPS input (e.g. `authorization: Bearer …`), which HLS passes on to segments. */
function httpHeaders(headers: string | undefined): string[] {
  return headers === undefined ? [] : ['-headers', `${headers}\r\n`];
}

/** A file path or URL, or the bytes themselves (fed on stdin, so plaintext never touches disk). */
export type MediaInput = string | Buffer;

async function run(cmd: string, args: string[], input: MediaInput): Promise<{ stdout: string; stderr: string }> {
  const fromStdin = Buffer.isBuffer(input);
  const child = spawn(cmd, args.map((a) => (a === '@INPUT' ? (fromStdin ? 'pipe:0' : input) : a)), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.on('error', () => undefined); // ffprobe may stop reading early
  child.stdin.end(fromStdin ? input : undefined);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`${cmd} exited with ${code}: ${stderr.trim()}`);
  return { stdout, stderr };
}

/**
 * What a full decode of every video frame prints at `-v error` (`ffmpeg -f null`): an empty
 * string means the input decodes cleanly. Frames keep their stored timestamps
 * (`-fps_mode passthrough -enc_time_base -1`): converting them to a constant frame rate would
 * merge the two first frames of an ingest run, which ffmpeg's RTSP reader stamps one tick apart.
 */
export async function decodeErrors(input: MediaInput, headers?: string): Promise<string> {
  const { stderr } = await run(
    '/usr/bin/ffmpeg',
    ['-hide_banner', '-nostdin', '-v', 'error', ...httpHeaders(headers), '-i', '@INPUT', '-map', '0:v', '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-f', 'null', '-'],
    input,
  );
  return stderr.trim();
}

/** What `ffprobe -v error` prints about an input (empty when clean). */
export async function probeErrors(input: MediaInput): Promise<string> {
  const { stderr } = await run('/usr/bin/ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', '@INPUT'], input);
  return stderr.trim();
}

/** Number of video frames ffprobe decodes from an input. */
export async function countFrames(input: MediaInput, headers?: string): Promise<number> {
  const { stdout } = await run('/usr/bin/ffprobe', ['-v', 'error', ...httpHeaders(headers), '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', '@INPUT'], input);
  return Number(stdout.trim().split(/\s+/)[0]);
}

/** `codec_name` of the first video stream as ffprobe names it (`h264`, `hevc`). */
export async function videoCodec(input: MediaInput): Promise<string> {
  const { stdout } = await run('/usr/bin/ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', '@INPUT'], input);
  return stdout.trim();
}

/**
 * MD5 of every decoded video frame, in decode output order (`-f framemd5`, timestamps kept as
 * stored): equal lists mean two inputs decode to the same pictures, whatever their containers.
 */
export async function frameHashes(input: MediaInput): Promise<string[]> {
  const { stdout } = await run(
    '/usr/bin/ffmpeg',
    ['-hide_banner', '-nostdin', '-v', 'error', '-i', '@INPUT', '-map', '0:v:0', '-fps_mode', 'passthrough', '-f', 'framemd5', '-'],
    input,
  );
  return stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(',').at(-1)?.trim() ?? '');
}
