/**
 * Test support (used only by *.test.ts here): real H.264/H.265 elementary streams encoded by
 * /usr/bin/ffmpeg, split into access units the way a depacketizer hands them to the writer, and
 * ffprobe's view of a stream. Binaries are made in the test that needs them, never committed.
 */
import { spawn } from 'node:child_process';
import { splitNalUnits } from '../../tools/camsim/h264-annexb.ts';
import { H264_NAL, h264NalType } from '../../src/media/fmp4/h264-parameter-sets.ts';
import { H265_NAL, h265NalType } from '../../src/media/fmp4/h265-parameter-sets.ts';

/** What to encode; defaults give the brief's stream: testsrc2 640x360 at 25 fps for 4 s, GOP 25, no B-frames. */
export interface TestStreamOptions {
  readonly codec: 'h264' | 'h265';
  readonly width?: number;
  readonly height?: number;
  readonly seconds?: number;
  readonly fps?: number;
  readonly gop?: number;
  /** Extra encoder arguments (e.g. `-profile:v baseline`, `-flags +ildct`). */
  readonly extra?: readonly string[];
}

/** Encodes a test pattern to an Annex B elementary stream. */
export async function encodeAnnexB(opts: TestStreamOptions): Promise<Buffer> {
  const { codec, width = 640, height = 360, seconds = 4, fps = 25, gop = 25, extra = [] } = opts;
  const enc =
    codec === 'h264'
      ? ['-c:v', 'libx264', '-g', String(gop), '-bf', '0', ...extra, '-f', 'h264']
      : ['-c:v', 'libx265', '-x265-params', `keyint=${gop}:bframes=0:log-level=error`, ...extra, '-f', 'hevc'];
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`, '-t', String(seconds), ...enc, 'pipe:1'];
  return (await run('/usr/bin/ffmpeg', args)).stdout;
}

/** One access unit as a depacketizer would deliver it. */
export interface TestAccessUnit {
  readonly nalus: Buffer[];
  readonly keyframe: boolean;
}

/**
 * Splits an Annex B stream into access units (H.264 §7.4.1.2.3, H.265 §7.4.2.4.4): a new unit
 * starts at a delimiter, parameter set or prefix SEI that follows a slice, or at a slice that is
 * the first of its picture (first_mb_in_slice = 0 / first_slice_segment_in_pic_flag).
 */
export function accessUnits(codec: 'h264' | 'h265', stream: Buffer): TestAccessUnit[] {
  const units: TestAccessUnit[] = [];
  let nalus: Buffer[] = [];
  let hasSlice = false;
  let keyframe = false;
  const close = (): void => {
    if (nalus.length > 0) units.push({ nalus, keyframe });
    nalus = [];
    hasSlice = false;
    keyframe = false;
  };
  for (const view of splitNalUnits(stream)) {
    const nal = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    let slice: boolean;
    let firstSlice: boolean;
    let opensUnit: boolean;
    let key: boolean;
    if (codec === 'h264') {
      const t = h264NalType(nal);
      slice = t >= 1 && t <= 5;
      firstSlice = slice && ((nal[1] ?? 0) & 0x80) !== 0;
      opensUnit = t === H264_NAL.aud || t === H264_NAL.sps || t === H264_NAL.pps || t === 6 || (t >= 14 && t <= 18);
      key = t === H264_NAL.idr;
    } else {
      const t = h265NalType(nal);
      slice = t <= 31;
      firstSlice = slice && ((nal[2] ?? 0) & 0x80) !== 0;
      opensUnit = (t >= H265_NAL.vps && t <= H265_NAL.aud) || t === 39 || (t >= 41 && t <= 44) || (t >= 48 && t <= 55);
      key = t >= H265_NAL.irapFirst && t <= H265_NAL.irapLast;
    }
    if (hasSlice && (opensUnit || firstSlice)) close();
    nalus.push(nal);
    if (slice) hasSlice = true;
    if (key) keyframe = true;
  }
  close();
  return units;
}

/** ffprobe's description of the first video stream of an input given as bytes. */
export interface ProbedStream {
  readonly codec_name: string;
  readonly profile: string;
  readonly width: number;
  readonly height: number;
  readonly level: number;
}

/** Runs ffprobe on `input` (fed on stdin) and returns the first video stream's description. */
export async function probeStream(input: Buffer, format?: 'h264' | 'hevc'): Promise<ProbedStream> {
  const args = ['-v', 'error', ...(format === undefined ? [] : ['-f', format]), '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,profile,width,height,level', '-of', 'json', 'pipe:0'];
  const { stdout } = await run('/usr/bin/ffprobe', args, input);
  const parsed = JSON.parse(stdout.toString('utf8')) as { streams: ProbedStream[] };
  const stream = parsed.streams[0];
  if (stream === undefined) throw new Error('ffprobe found no video stream');
  return stream;
}

/** Runs `cmd`, feeding `input` on stdin; rejects on a non-zero exit. */
export function run(cmd: string, args: readonly string[], input?: Buffer): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined); // the tool may stop reading early
    child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout: Buffer.concat(out), stderr });
      else reject(new Error(`${cmd} exited with ${code}: ${stderr.trim()}`));
    });
  });
}
