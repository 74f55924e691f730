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

/** An access unit as the chunker reads it. */
type Frame = { readonly nalus: readonly Uint8Array[]; readonly timestamp: number; readonly keyframe: boolean };

/** Frames of a key-frame group kept for `start` (10 s at 60 fps, as the live hub's cache). */
const maxGroupFrames = 600;

export class LiveChunker {
  readonly #nominalDuration: number;
  #first: number | null = null;
  #last: number | null = null;
  #interval: number;
  #sequence = 0;
  /** The frames since the last key frame (the key frame first), for a viewer who arrives mid-group. */
  #group: Frame[] = [];

  constructor(nominalFrameDuration = 3600) {
    this.#nominalDuration = nominalFrameDuration;
    this.#interval = nominalFrameDuration;
  }

  /** Starts a new stream (after a new init segment): the timeline restarts at the next frame. */
  reset(): void {
    this.#first = null;
    this.#last = null;
    this.#interval = this.#nominalDuration;
    this.#group = [];
  }

  /**
   * A frame nobody watches (ADR 0044): the timeline moves on as if it were chunked, so chunks made
   * later share the recording's timeline, but nothing is built. The frames since the last key
   * frame are remembered (references, no copy) for `start`.
   */
  skip(frame: Frame): void {
    this.#advance(frame);
  }

  /**
   * The first chunks for a viewer who arrives now: the key-frame group so far (frames skipped
   * since the last key frame, each with its real duration) and then this frame, so the viewer
   * can decode at once instead of waiting for the next key frame. Undefined (and the frame
   * skipped) when no key frame was seen since the stream started: chunks MUST start at one.
   */
  start(frame: Frame): LiveChunkPiece[] | undefined {
    const group = this.#group;
    if (frame.keyframe || group[0]?.keyframe !== true) {
      if (frame.keyframe) {
        const chunk = this.chunk(frame);
        return chunk === undefined ? [] : [chunk];
      }
      this.skip(frame);
      return undefined;
    }
    const out: LiveChunkPiece[] = [];
    for (let i = 0; i < group.length; i++) {
      const f = group[i] as Frame;
      const next = (group[i + 1] ?? frame).timestamp;
      out.push(this.#build(f, f.timestamp - (this.#first as number), Math.max(1, Math.min(next - f.timestamp, 0xffffffff))));
    }
    const chunk = this.chunk(frame);
    if (chunk !== undefined) out.push(chunk);
    return out;
  }

  /** Takes the frame onto the timeline (and into the key-frame group); false for one it cannot take (not increasing, empty). */
  #advance(frame: Frame): boolean {
    const { timestamp } = frame;
    if (!Number.isSafeInteger(timestamp) || (this.#last !== null && timestamp <= this.#last)) return false;
    if (!frame.nalus.some((n) => n.length > 0)) return false;
    if (this.#last !== null) this.#interval = Math.min(timestamp - this.#last, 0xffffffff);
    this.#first ??= timestamp;
    this.#last = timestamp;
    if (frame.keyframe) this.#group = [frame];
    else if (this.#group.length < maxGroupFrames) this.#group.push(frame);
    else this.#group = []; // too long a group to replay: the next viewer waits for a key frame
    return true;
  }

  /** The chunk of one access unit, or undefined for a frame the timeline cannot take (not increasing, empty). */
  chunk(frame: Frame): LiveChunkPiece | undefined {
    if (!this.#advance(frame)) return undefined;
    return this.#build(frame, frame.timestamp - (this.#first as number), this.#interval);
  }

  #build(frame: Frame, decodeTime: number, duration: number): LiveChunkPiece {
    const nalus = frame.nalus.filter((n) => n.length > 0);
    let size = 0;
    for (const n of nalus) size += 4 + n.length;
    const bytes = buildMovieFragment(++this.#sequence, VIDEO_TRACK_ID, decodeTime, [{ nalus, size, keyframe: frame.keyframe, duration }], size);
    return { kind: 'live-chunk', bytes, decodeTime, duration, keyframe: frame.keyframe };
  }
}
