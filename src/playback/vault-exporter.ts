import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { AppError } from '../lib/errors.ts';
import { Fmp4Reader } from '../recording/fmp4-reader.ts';
import type { SegmentStore, SegmentWriter } from '../recording/segment-store.ts';
import type { Selection } from './hls-playlist.ts';

/** Turns selected fragments into one MP4 and serves it back. */
export interface Exporter {
  /** Renders export `id`; resolves with its size in bytes. */
  render(id: string, selections: readonly Selection[]): Promise<number>;
  /** The bytes of a finished export, decrypted as they are read. */
  open(id: string): AsyncIterable<Buffer>;
  /** Deletes an export, finished or not; a missing one is not an error. */
  remove(id: string): Promise<void>;
}

/** More discontinuities than this (camera reconnects inside the range) and ffmpeg would need as many pipes. */
const maxParts = 200;

/** Key namespace of export objects' data keys: never shredded by footage retention. */
const exportKeyOwner = 'exports';

/**
 * Exports without re-encoding and without plaintext on disk. Consecutive segments that share an
 * init segment form one part; each part is streamed (init, then fragments, decrypted from the
 * vault) into its own pipe of one ffmpeg, whose concat demuxer joins them with `-c copy` into a
 * fragmented MP4 on stdout; that output is split into pieces and sealed into the export store
 * (a vault of its own), from which downloads are decrypted on the fly.
 */
export function createVaultExporter(opts: { ffmpegPath: string; segments: SegmentStore; exports: SegmentStore; now: () => number }): Exporter {
  const keyOf = (id: string) => `${id}.mp4`;
  return {
    async render(id, selections) {
      const parts = groupByInit(selections);
      if (parts.length > maxParts) throw new AppError('EXPORT_FAILED', `the range has ${parts.length} discontinuities; export at most ${maxParts} at once`);
      // Each part's duration MUST be given: an fMP4 made for streaming (empty moov) states none,
      // and the concat demuxer offsets each part's timestamps by the durations before it. A part
      // lasts until the next one starts on the wall clock, so the export keeps the real outage as
      // a hole in its timeline and timestamps never collide at a join.
      const list = `ffconcat version 1.0\n${parts.map((part, i) => `file 'pipe:${i + 3}'\nduration ${partSeconds(part, parts[i + 1]).toFixed(6)}`).join('\n')}\n`;
      const child = spawn(
        opts.ffmpegPath,
        ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-protocol_whitelist', 'pipe', '-i', 'pipe:0', '-map', '0:v', '-c', 'copy', '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', 'pipe:1'],
        { stdio: ['pipe', 'pipe', 'pipe', ...parts.map(() => 'pipe' as const)] },
      );
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
      const exited = new Promise<number | null>((resolve, reject) => {
        child.on('error', (e) => reject(new AppError('EXPORT_FAILED', `ffmpeg could not start: ${e.message}`)));
        child.on('close', resolve);
      });
      child.stdin?.end(list);
      const feeding = feedParts(parts, child.stdio.slice(3) as Writable[], opts.segments);
      let writer: SegmentWriter | null = null;
      try {
        const reader = new Fmp4Reader();
        for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
          for (const piece of reader.push(chunk)) {
            if (piece.kind === 'init') {
              if (writer) throw new AppError('EXPORT_FAILED', 'ffmpeg produced a second init segment');
              writer = await opts.exports.create(keyOf(id), piece.bytes, { cameraId: exportKeyOwner, startMs: opts.now() });
            } else {
              if (!writer) throw new AppError('EXPORT_FAILED', 'ffmpeg produced a fragment before its init segment');
              await writer.append(piece.bytes);
            }
          }
        }
        reader.end();
        await feeding;
        const code = await exited;
        if (code !== 0) throw new AppError('EXPORT_FAILED', `ffmpeg exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`);
        if (!writer) throw new AppError('EXPORT_FAILED', 'ffmpeg produced no output');
        await writer.close();
        return writer.size;
      } catch (e) {
        child.kill('SIGKILL');
        await feeding.catch(() => undefined);
        await writer?.close().catch(() => undefined);
        await opts.exports.remove(keyOf(id));
        throw e;
      }
    },
    open(id) {
      return opts.exports.stream(keyOf(id));
    },
    async remove(id) {
      await opts.exports.remove(keyOf(id));
    },
  };
}

/** Time a part spans in the export: its own media, or up to the start of the next part. */
function partSeconds(part: readonly Selection[], next: readonly Selection[] | undefined): number {
  const media = part.reduce((sum, s) => sum + s.fragments.reduce((t, f) => t + f.durationMs, 0), 0);
  const startOf = (p: readonly Selection[]) => p[0]?.fragments[0]?.startMs ?? 0;
  const untilNext = next === undefined ? 0 : startOf(next) - startOf(part);
  return Math.max(media, untilNext) / 1000;
}

/** Consecutive selections whose segments share an init segment form one continuous part. */
function groupByInit(selections: readonly Selection[]): Selection[][] {
  const parts: Selection[][] = [];
  let lastInit: string | null = null;
  for (const selection of selections) {
    // Segments of one ingest run share codec, init size and timescale; a reconnect starts a new part.
    const init = `${selection.segment.codec}/${selection.segment.initSize}/${selection.segment.timescale}`;
    const current = parts[parts.length - 1];
    const contiguous = current !== undefined && init === lastInit && isContinuation(current[current.length - 1] as Selection, selection);
    if (contiguous) current.push(selection);
    else parts.push([selection]);
    lastInit = init;
  }
  return parts;
}

/** The next segment of the same ingest run starts where the previous ended (within a fragment). */
function isContinuation(previous: Selection, next: Selection): boolean {
  return Math.abs(next.segment.startMs - previous.segment.endMs) < 1500;
}

/**
 * Writes each part into its pipe in order, with back-pressure: ffmpeg's concat demuxer reads
 * part i to its end before it opens part i + 1, so at most one pipe is being filled at a time.
 */
async function feedParts(parts: Selection[][], pipes: Writable[], segments: SegmentStore): Promise<void> {
  for (const [i, part] of parts.entries()) {
    const pipe = pipes[i] as Writable;
    pipe.on('error', () => undefined); // ffmpeg gone: the render reports why
    const first = part[0] as Selection;
    await write(pipe, await segments.read(first.segment.objectKey, 0, first.segment.initSize));
    for (const selection of part) {
      for (const f of selection.fragments) await write(pipe, await segments.read(selection.segment.objectKey, f.offset, f.size));
    }
    await new Promise<void>((resolve) => pipe.end(resolve));
  }
}

function write(pipe: Writable, bytes: Buffer): Promise<void> {
  if (pipe.destroyed) return Promise.reject(new AppError('EXPORT_FAILED', 'ffmpeg stopped reading'));
  if (pipe.write(bytes)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      pipe.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      pipe.off('drain', onDrain);
      reject(new AppError('EXPORT_FAILED', 'ffmpeg stopped reading'));
    };
    pipe.once('drain', onDrain);
    pipe.once('close', onClose);
  });
}
