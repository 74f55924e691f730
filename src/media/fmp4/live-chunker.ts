/**
 * Per-frame fMP4 chunks for live viewers (issue 19 item 3, ADR 0038): one `moof` + `mdat` per
 * access unit, written the moment the frame is complete. The recording's 1-s fragments
 * (fmp4-writer.ts) are untouched; this is a second, independent chunking of the same frames on
 * the same timeline (decode time = frame timestamp − first frame's timestamp, as the writer).
 *
 * A frame's duration is not known until the next frame arrives; a chunk states the latest
 * interval instead (the nominal duration before one was seen). The next chunk's `tfdt` is exact,
 * so an estimate off by a little leaves a sub-frame overlap or gap that MSE absorbs.
 */
import type { LiveChunkPiece } from '../media.ts';
import { VIDEO_TRACK_ID } from './init-segment.ts';
import { buildMovieFragment } from './movie-fragment.ts';

export class LiveChunker {
  readonly #nominalDuration: number;
  #first: number | null = null;
  #last: number | null = null;
  #interval: number;
  #sequence = 0;

  constructor(nominalFrameDuration = 3600) {
    this.#nominalDuration = nominalFrameDuration;
    this.#interval = nominalFrameDuration;
  }

  /** Starts a new stream (after a new init segment): the timeline restarts at the next frame. */
  reset(): void {
    this.#first = null;
    this.#last = null;
    this.#interval = this.#nominalDuration;
  }

  /**
   * A frame nobody watches (ADR 0044): the timeline moves on as if it were chunked, so chunks made
   * later share the recording's timeline, but nothing is built.
   */
  skip(frame: { readonly nalus: readonly Uint8Array[]; readonly timestamp: number }): void {
    this.#advance(frame.timestamp, frame.nalus);
  }

  /** Takes the frame onto the timeline; false for one it cannot take (not increasing, empty). */
  #advance(timestamp: number, nalus: readonly Uint8Array[]): boolean {
    if (!Number.isSafeInteger(timestamp) || (this.#last !== null && timestamp <= this.#last)) return false;
    if (!nalus.some((n) => n.length > 0)) return false;
    if (this.#last !== null) this.#interval = Math.min(timestamp - this.#last, 0xffffffff);
    this.#first ??= timestamp;
    this.#last = timestamp;
    return true;
  }

  /** The chunk of one access unit, or undefined for a frame the timeline cannot take (not increasing, empty). */
  chunk(frame: { readonly nalus: readonly Uint8Array[]; readonly timestamp: number; readonly keyframe: boolean }): LiveChunkPiece | undefined {
    const { timestamp } = frame;
    if (!this.#advance(timestamp, frame.nalus)) return undefined;
    const nalus = frame.nalus.filter((n) => n.length > 0);
    let size = 0;
    for (const n of nalus) size += 4 + n.length;
    const decodeTime = timestamp - (this.#first as number);
    const duration = this.#interval;
    const bytes = buildMovieFragment(++this.#sequence, VIDEO_TRACK_ID, decodeTime, [{ nalus, size, keyframe: frame.keyframe, duration }], size);
    return { kind: 'live-chunk', bytes, decodeTime, duration, keyframe: frame.keyframe };
  }
}
