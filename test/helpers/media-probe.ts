import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * What `ffprobe -v error` prints while decoding every frame of an input (a file or URL):
 * an empty string means the input decodes cleanly. Decoding is done by `ffmpeg -f null`,
 * which reads every packet and decodes it, not just the headers.
 */
export async function decodeErrors(input: string): Promise<string> {
  const { stderr } = await run('/usr/bin/ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', input, '-map', '0:v', '-f', 'null', '-'], { maxBuffer: 1 << 24 });
  return stderr.trim();
}

/** What `ffprobe -v error` prints about an input's headers (empty when clean). */
export async function probeErrors(input: string): Promise<string> {
  const { stderr } = await run('/usr/bin/ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', input], { maxBuffer: 1 << 24 });
  return stderr.trim();
}

/** Number of video frames ffprobe decodes from an input. */
export async function countFrames(input: string): Promise<number> {
  const { stdout } = await run('/usr/bin/ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', input], { maxBuffer: 1 << 24 });
  return Number(stdout.trim().split(/\s+/)[0]);
}

/** Duration in seconds of an input's video stream, as ffprobe reports it. */
export async function durationSeconds(input: string): Promise<number> {
  const { stdout } = await run('/usr/bin/ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', input]);
  return Number(stdout.trim());
}
