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

/** Where a stream's packets start and end on the input's timeline, in seconds. */
export interface StreamSpan {
  readonly codec: string;
  readonly start: number;
  readonly end: number;
  readonly packets: number;
}

/**
 * The span of the first video and first audio stream, from their packets' timestamps (first pts;
 * last pts + duration). Works on pipes, where a fragmented MP4 states no duration.
 */
export async function streamSpans(input: MediaInput, headers?: string): Promise<{ video: StreamSpan | undefined; audio: StreamSpan | undefined }> {
  const span = async (selector: 'v:0' | 'a:0'): Promise<StreamSpan | undefined> => {
    const { stdout } = await run('/usr/bin/ffprobe', ['-v', 'error', ...httpHeaders(headers), '-select_streams', selector, '-show_entries', 'stream=codec_name:packet=pts_time,duration_time', '-of', 'json', '@INPUT'], input);
    const json = JSON.parse(stdout) as { streams?: { codec_name: string }[]; packets?: { pts_time?: string; duration_time?: string }[] };
    const codec = json.streams?.[0]?.codec_name;
    const packets = (json.packets ?? []).filter((p) => p.pts_time !== undefined);
    if (codec === undefined || packets.length === 0) return undefined;
    const pts = packets.map((p) => Number(p.pts_time));
    const ends = packets.map((p) => Number(p.pts_time) + Number(p.duration_time ?? 0));
    return { codec, start: Math.min(...pts), end: Math.max(...ends), packets: packets.length };
  };
  return { video: await span('v:0'), audio: await span('a:0') };
}

/** What a full decode of every stream (video and audio) prints at `-v error`: empty when clean. */
export async function decodeAllErrors(input: MediaInput, headers?: string): Promise<string> {
  const { stderr } = await run('/usr/bin/ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', ...httpHeaders(headers), '-i', '@INPUT', '-map', '0', '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-f', 'null', '-'], input);
  return stderr.trim();
}

/** `<width>x<height>` of the first video stream, as ffprobe reads it. */
export async function videoSize(input: MediaInput): Promise<string> {
  const { stdout } = await run('/usr/bin/ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=s=x:p=0', '@INPUT'], input);
  return stdout.trim();
}
