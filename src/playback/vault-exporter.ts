import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { AppError, isAppError } from '../lib/errors.ts';
import { Fmp4Reader } from '../media/fmp4/fmp4-reader.ts';
import type { SegmentStore, SegmentWriter } from '../recording/segment-store.ts';
import type { Selection } from './hls-playlist.ts';
import { planAroundDamage, type DamagedSpan, type PlannedSelection, type SegmentDamage } from './export-damage.ts';
import { continuesRun } from './run-continuity.ts';

/** What a render produced. */
export interface Rendered {
  /** Size of the MP4 in bytes. */
  readonly size: number;
  /** Segments that contributed footage (a wholly damaged one does not). */
  readonly segmentIds: readonly string[];
  /** Stretches of the range left out because their footage could not be read. */
  readonly damaged: readonly DamagedSpan[];
}

/** Turns selected fragments into one MP4 and serves it back. */
export interface Exporter {
  /**
   * Renders export `id`. Footage that cannot be read (a damaged chunk, a missing object) is left
   * out and reported in `damaged`; EXPORT_FAILED when nothing readable is left. MUST NOT leave a
   * rejected promise unhandled: every failure ends here, as the returned promise's rejection.
   */
  render(id: string, selections: readonly Selection[], onProgress?: (bytesRead: number) => void): Promise<Rendered>;
  /** The bytes of a finished export, decrypted as they are read. */
  open(id: string): AsyncIterable<Buffer>;
  /** Deletes an export, finished or not; a missing one is not an error. */
  remove(id: string): Promise<void>;
}

/** More discontinuities than this (camera reconnects inside the range) and ffmpeg would need as many pipes. */
const maxParts = 200;

/** Key namespace of export objects' data keys: never shredded by footage retention. */
const exportKeyOwner = 'exports';

/** What the exporter is built from: ffmpeg, the footage vault, the export vault and the clock. */
interface ExporterOptions {
  readonly ffmpegPath: string;
  readonly segments: SegmentStore;
  readonly exports: SegmentStore;
  readonly now: () => number;
}

/** A read of segment `segmentId` failed while feeding ffmpeg: the render is retried around the damage. */
class DamagedRead extends Error {
  readonly segmentId: string;
  readonly failure: AppError;
  constructor(segmentId: string, failure: AppError) {
    super(failure.message);
    this.segmentId = segmentId;
    this.failure = failure;
  }
}

/**
 * Exports without re-encoding and without plaintext on disk. Consecutive segments that share an
 * init segment form one part; each part is streamed (init, then fragments, decrypted from the
 * vault) into its own pipe of one ffmpeg, whose concat demuxer joins them with `-c copy` into a
 * fragmented MP4 on stdout; that output is split into pieces and sealed into the export store
 * (a vault of its own), from which downloads are decrypted on the fly.
 *
 * Damage: when a read fails with STORAGE_FAILED, the render stops, every selected fragment of
 * that segment is read once to find exactly what is damaged, and the render starts again
 * without it (export-damage.ts). Each segment is inspected at most once, so this ends.
 */
export function createVaultExporter(opts: ExporterOptions): Exporter {
  const keyOf = (id: string) => `${id}.mp4`;
  return {
    async render(id, selections, onProgress) {
      const damage = new Map<string, SegmentDamage>();
      for (;;) {
        const { plan, damaged } = planAroundDamage(selections, damage);
        if (plan.length === 0) throw new AppError('EXPORT_FAILED', `none of the footage in the range can be read: ${damaged[0]?.reason ?? 'no fragments'}`, { damaged: damaged.length });
        try {
          const size = await renderOnce(opts, keyOf(id), plan, onProgress ?? (() => undefined));
          return { size, segmentIds: [...new Set(plan.map((p) => p.segment.id))], damaged };
        } catch (e) {
          if (!(e instanceof DamagedRead) || damage.has(e.segmentId)) throw e instanceof DamagedRead ? e.failure : e;
          const selection = selections.find((s) => s.segment.id === e.segmentId) as Selection;
          const found = await inspect(opts.segments, selection);
          // A failure that does not repeat is not damage we can state: fail the export instead.
          if (!found.all && found.fragments.size === 0) throw e.failure;
          damage.set(e.segmentId, found);
        }
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

/** One ffmpeg run over `plan`; the export object is removed again when it fails. */
async function renderOnce(opts: ExporterOptions, key: string, plan: readonly PlannedSelection[], onProgress: (bytesRead: number) => void): Promise<number> {
  const parts = await groupByRun(plan, (selection, offset, length) => readOf(opts.segments, selection, offset, length));
  if (parts.length > maxParts) throw new AppError('EXPORT_FAILED', `the range has ${parts.length} discontinuities; export at most ${maxParts} at once`);
  // Each part's duration MUST be given: an fMP4 made for streaming (empty moov) states none,
  // and the concat demuxer offsets each part's timestamps by the durations before it. A part
  // lasts until the next one starts on the wall clock, so the export keeps the real outage as
  // a hole in its timeline and timestamps never collide at a join.
  const list = `ffconcat version 1.0\n${parts.map((part, i) => `file 'pipe:${i + 3}'\nduration ${partSeconds(part, parts[i + 1]).toFixed(6)}`).join('\n')}\n`;
  const child = spawn(
    opts.ffmpegPath,
    ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-protocol_whitelist', 'pipe', '-i', 'pipe:0', '-map', '0:v', '-map', '0:a?', '-c', 'copy', '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', 'pipe:1'],
    { stdio: ['pipe', 'pipe', 'pipe', ...parts.map(() => 'pipe' as const)] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  // Settles, never rejects: a spawn failure is reported once the output loop ends.
  const exited = new Promise<{ code: number | null; error?: AppError }>((resolve) => {
    child.on('error', (e) => resolve({ code: null, error: new AppError('EXPORT_FAILED', `ffmpeg could not start: ${e.message}`) }));
    child.on('close', (code) => resolve({ code }));
  });
  // ffmpeg gone: its exit says why. A pipe error with no listener would be an uncaught exception.
  child.stdin?.on('error', () => undefined);
  for (const pipe of child.stdio.slice(3)) (pipe as Writable | null)?.on('error', () => undefined);
  child.stdin?.end(list);
  // The feeder's failure is taken at once (a damaged read MUST NOT become an unhandled
  // rejection, which would stop the whole process): ffmpeg is stopped, and the failure is
  // rethrown after the output loop, ahead of whatever ffmpeg's end caused.
  let fed: { error: unknown } | null = null;
  const feeding = feedParts(parts, child.stdio.slice(3) as Writable[], opts.segments, onProgress).then(
    () => undefined,
    (error: unknown) => {
      fed = { error };
      child.kill('SIGKILL');
    },
  );
  const feedFailure = () => fed?.error;
  let writer: SegmentWriter | null = null;
  try {
    const reader = new Fmp4Reader();
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      for (const piece of reader.push(chunk)) {
        if (piece.kind === 'init') {
          if (writer) throw new AppError('EXPORT_FAILED', 'ffmpeg produced a second init segment');
          writer = await opts.exports.create(key, piece.bytes, { cameraId: exportKeyOwner, startMs: opts.now() });
        } else {
          if (!writer) throw new AppError('EXPORT_FAILED', 'ffmpeg produced a fragment before its init segment');
          await writer.append(piece.bytes);
        }
      }
    }
    await feeding;
    if (feedFailure() !== undefined) throw feedFailure();
    reader.end();
    const { code, error } = await exited;
    if (error) throw error;
    if (code !== 0) throw new AppError('EXPORT_FAILED', `ffmpeg exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`);
    if (!writer) throw new AppError('EXPORT_FAILED', 'ffmpeg produced no output');
    await writer.close();
    return writer.size;
  } catch (e) {
    child.kill('SIGKILL');
    await feeding;
    await writer?.close().catch(() => undefined);
    await opts.exports.remove(key);
    throw feedFailure() ?? e;
  }
}

/** Reads the init and every selected fragment of one segment once: what cannot be read. */
async function inspect(segments: SegmentStore, selection: Selection): Promise<SegmentDamage> {
  const why = (e: unknown) => {
    if (!isAppError(e, 'STORAGE_FAILED')) throw e;
    return e.detail?.['errno'] === 'ENOENT' ? 'object missing' : e.message.replace(/^segment store cannot read [^:]+: /, '');
  };
  const { segment } = selection;
  try {
    await segments.read(segment.objectKey, 0, segment.initSize);
  } catch (e) {
    return { all: true, reason: why(e) };
  }
  const fragments = new Map<number, string>();
  for (const [i, f] of selection.fragments.entries()) {
    await segments.read(segment.objectKey, f.offset, f.size).catch((e: unknown) => fragments.set(i, why(e)));
  }
  return { all: false, fragments };
}

/** Time a part spans in the export: its own media, or up to the start of the next part. */
function partSeconds(part: readonly Selection[], next: readonly Selection[] | undefined): number {
  const media = part.reduce((sum, s) => sum + s.fragments.reduce((t, f) => t + f.durationMs, 0), 0);
  const startOf = (p: readonly Selection[]) => p[0]?.fragments[0]?.startMs ?? 0;
  const untilNext = next === undefined ? 0 : startOf(next) - startOf(part);
  return Math.max(media, untilNext) / 1000;
}

/**
 * Consecutive selections of one ingest run form one continuous part; damage between them, or a
 * reconnect, breaks it. Segments of one run share codec, init size and timescale, follow each
 * other on the wall clock and tile the media timeline (run-continuity.ts, which reads the
 * boundary fragments: a quick reconnect looks contiguous on the wall clock alone).
 */
async function groupByRun(selections: readonly PlannedSelection[], read: (selection: Selection, offset: number, length: number) => Promise<Buffer>): Promise<Selection[][]> {
  const parts: Selection[][] = [];
  let lastInit: string | null = null;
  for (const selection of selections) {
    const init = `${selection.segment.codec}/${selection.segment.initSize}/${selection.segment.timescale}`;
    const current = parts[parts.length - 1];
    const previous = current?.[current.length - 1];
    const contiguous =
      current !== undefined && previous !== undefined && !selection.breakBefore && init === lastInit && isContinuation(previous, selection) && (await continuesRun(read, previous, selection));
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
async function feedParts(parts: Selection[][], pipes: Writable[], segments: SegmentStore, onProgress: (bytesRead: number) => void): Promise<void> {
  // Progress counts fragment bytes only (a part's init segment is read once, whatever its segments).
  let read = 0;
  const fed = (bytes: Buffer) => {
    read += bytes.length;
    onProgress(read);
    return bytes;
  };
  for (const [i, part] of parts.entries()) {
    const pipe = pipes[i] as Writable;
    pipe.on('error', () => undefined); // ffmpeg gone: the render reports why
    const first = part[0] as Selection;
    await write(pipe, await readOf(segments, first, 0, first.segment.initSize));
    for (const selection of part) {
      for (const f of selection.fragments) await write(pipe, fed(await readOf(segments, selection, f.offset, f.size)));
    }
    await new Promise<void>((resolve) => pipe.end(resolve));
  }
}

/** A read for the feeder: a STORAGE_FAILED becomes a DamagedRead naming the segment. */
async function readOf(segments: SegmentStore, selection: Selection, offset: number, length: number): Promise<Buffer> {
  try {
    return await segments.read(selection.segment.objectKey, offset, length);
  } catch (e) {
    if (isAppError(e, 'STORAGE_FAILED')) throw new DamagedRead(selection.segment.id, e);
    throw e;
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
