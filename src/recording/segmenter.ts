import type { FragmentPiece } from '../media/media.ts';

/** Where a fragment falls on the wall clock, and whether it opens a new segment. */
export interface FragmentPlacement {
  /** Wall-clock start of the fragment, ms since the epoch. */
  readonly startMs: number;
  /** Duration of the fragment in ms. */
  readonly durationMs: number;
  /** True when the fragment MUST start a new segment (the current one, if any, is closed first). */
  readonly cut: boolean;
}

/**
 * Decides segment boundaries for one ingest run (pure; no I/O). A segment is cut at the first
 * key-frame fragment at or after `targetMs`, so segments drift from the nominal length and are
 * indexed by their real times. Each segment is anchored to the wall clock when its first
 * fragment arrives; inside a segment, times follow the stream's decode timestamps, so a camera
 * clock that drifts against ours is corrected at every cut.
 */
export class Segmenter {
  readonly #targetMs: number;
  readonly #timescale: number;
  #segmentStartMs: number | null = null;
  #anchorWallMs = 0;
  #anchorDecode = 0;
  #cutRequested = false;

  constructor(targetMs: number, timescale: number) {
    this.#targetMs = targetMs;
    this.#timescale = timescale;
  }

  /**
   * Places a fragment that arrived (was complete) at `arrivalMs`. A fragment that does not start
   * with a key frame cannot open a segment: `cut` is false and `startMs` is NaN when no segment
   * is open, and the caller drops it (only possible at the very start of a broken stream).
   * A new segment never starts before `floorMs` (the end of the camera's previous segment: a
   * camera that answers a new session with a burst of its last group of pictures, or another
   * recorder's last segment after a handover), so a camera's segments never overlap.
   */
  place(fragment: FragmentPiece, arrivalMs: number, floorMs: number | null = null): FragmentPlacement {
    const durationMs = (fragment.duration * 1000) / this.#timescale;
    if (this.#segmentStartMs !== null) {
      const startMs = this.#anchorWallMs + ((fragment.decodeTime - this.#anchorDecode) * 1000) / this.#timescale;
      const due = this.#cutRequested || startMs - this.#segmentStartMs >= this.#targetMs;
      if (!(fragment.keyframe && due)) return { startMs, durationMs, cut: false };
    } else if (!fragment.keyframe) {
      return { startMs: Number.NaN, durationMs, cut: false };
    }
    // New segment: anchor to the arrival time minus the fragment's own length.
    this.#cutRequested = false;
    const startMs = Math.max(Math.round(arrivalMs - durationMs), floorMs === null ? -Infinity : Math.ceil(floorMs));
    this.#segmentStartMs = startMs;
    this.#anchorWallMs = startMs;
    this.#anchorDecode = fragment.decodeTime;
    return { startMs, durationMs, cut: true };
  }

  /**
   * Cuts at the next key-frame fragment, however short the segment is then, so the open segment
   * is sealed (and gets its ledger leaf) within about one GOP: an export of "the last minute"
   * need not wait for the nominal segment length (issue 19 item 5). Segments still start on a
   * key frame, so nothing is dropped and each stays decodable on its own.
   */
  requestCut(): void {
    if (this.#segmentStartMs !== null) this.#cutRequested = true;
  }

  /** True while a segment is open in this run. */
  get open(): boolean {
    return this.#segmentStartMs !== null;
  }
}
