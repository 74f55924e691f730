/**
 * The audio frames waiting for the video fragment they belong to (ADR 0037). Audio rides in the
 * video's fragments: when the writer closes a video fragment ending at video time T, every
 * queued audio frame that starts before T goes into the same `moof`, so a fragment holds about
 * the same stretch of both tracks and a crash still loses at most one fragment of each.
 *
 * Contracts:
 * - Audio timestamps are in the audio timescale (the sample rate) on the video's time origin:
 *   audio time a and video time v are the same instant when a / audioRate = v / videoRate. The
 *   caller (the ingest) maps RTP clocks onto that origin (RTP-Info, else first arrival).
 * - Decode times count from the first video frame, as the video's do: frames from before it are
 *   dropped (`before-video`), so both tracks start together.
 * - Timestamps MUST strictly increase; a frame that does not is refused (`timestamp-order`) and
 *   changes nothing. Each sample's duration is the exact delta to the next frame; the last one
 *   written, when the next has not arrived, gets one frame's worth (`frameSamples`).
 * - At most MAX_QUEUED frames wait (video stalled): later ones are dropped (`backlog`).
 */
import { AppError } from '../../lib/errors.ts';
import type { AudioRun, PendingAudioSample } from './movie-fragment.ts';

/** Why an audio frame was not queued (not an error: counted by the caller). */
export type AudioDrop = 'before-video' | 'backlog';

/** Frames that may wait for video: ~21 s of 48 kHz AAC. */
const MAX_QUEUED = 1000;

/** Queues one audio track's frames for the writer; see the module comment. */
export class AudioQueue {
  readonly #trackId: number;
  readonly #rate: number;
  readonly #videoRate: number;
  readonly #frameSamples: number;
  #pending: PendingAudioSample[] = [];
  #bytes = 0;
  /** Audio ticks of the first video frame; null before it. */
  #origin: number | null = null;
  #last: number | null = null;

  constructor(opts: { trackId: number; timescale: number; videoTimescale: number; frameSamples: number }) {
    this.#trackId = opts.trackId;
    this.#rate = opts.timescale;
    this.#videoRate = opts.videoTimescale;
    this.#frameSamples = opts.frameSamples;
  }

  /** Sets the time origin: the first video frame's timestamp (video ticks). Idempotent after the first call. */
  start(firstVideoTimestamp: number): void {
    this.#origin ??= Math.round((firstVideoTimestamp * this.#rate) / this.#videoRate);
  }

  /** Queues one frame, or says why it was dropped; MEDIA_MALFORMED (`timestamp-order`, `timestamp-invalid`) for a bad timestamp. */
  add(data: Uint8Array, timestamp: number): AudioDrop | undefined {
    if (!Number.isSafeInteger(timestamp)) throw new AppError('MEDIA_MALFORMED', `audio timestamp ${timestamp} is not an integer`, { reason: 'timestamp-invalid' });
    if (this.#last !== null && timestamp <= this.#last) {
      throw new AppError('MEDIA_MALFORMED', `audio timestamp ${timestamp} does not increase (previous ${this.#last})`, { reason: 'timestamp-order' });
    }
    if (this.#origin === null || timestamp < this.#origin) return 'before-video';
    if (this.#pending.length >= MAX_QUEUED) return 'backlog';
    this.#last = timestamp;
    this.#pending.push({ data, decodeTime: timestamp - this.#origin, duration: 0 });
    this.#bytes += data.length;
    return undefined;
  }

  /** Bytes queued (counted against the fragment's size limit). */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Removes and returns the frames that start before `videoEnd` (video ticks from the first video
   * frame), or every frame when `videoEnd` is undefined (end of stream); undefined when none.
   */
  take(videoEnd?: number): AudioRun | undefined {
    const all = this.#pending;
    let count = all.length;
    if (videoEnd !== undefined) {
      const end = (videoEnd * this.#rate) / this.#videoRate;
      count = 0;
      while (count < all.length && (all[count] as PendingAudioSample).decodeTime < end) count++;
    }
    if (count === 0) return undefined;
    const samples = count === all.length ? all : all.slice(0, count);
    this.#pending = count === all.length ? [] : all.slice(count);
    let payloadBytes = 0;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i] as PendingAudioSample;
      const next = samples[i + 1] ?? this.#pending[0];
      s.duration = next === undefined ? this.#frameSamples : next.decodeTime - s.decodeTime;
      payloadBytes += s.data.length;
    }
    this.#bytes -= payloadBytes;
    return { trackId: this.#trackId, samples, payloadBytes };
  }
}
