/**
 * Puts a camera's audio on the video's clock (ADR 0037). RTP gives each stream its own clock with
 * a random start (RFC 3550 §5.1), so an audio timestamp says nothing about video by itself. Two
 * sources tie them, best first:
 * - `RTP-Info` in the PLAY answer (RFC 2326 §12.33): the `rtptime` of every track at the same
 *   instant (the start of play). Exact to the camera's own precision; what GStreamer and most
 *   cameras send.
 * - Arrival: the first audio frame is taken to be as old as the video frame that arrived last,
 *   shifted by the time between their arrivals. Off by the network and camera buffering skew
 *   (tens of ms on a LAN), well inside a fragment.
 * RTCP sender reports (NTP ↔ RTP per stream) would correct a drift between the two clocks over
 * hours; they are not used yet: each reconnect starts a new anchor.
 *
 * Output: audio timestamps in the audio clock on the video's origin, as Fmp4Writer.addAudio wants
 * (audio a and video v are the same instant when a / audioRate = v / videoRate). Pure.
 */
import { wrapTimestamp } from './rtp/timestamp-unwrapper.ts';

/** The RTP-Info `rtptime` of each track, when the camera stated both. */
export interface RtpInfoAnchor {
  readonly videoRtpTime: number;
  readonly audioRtpTime: number;
}

/** Signed distance between two 32-bit RTP timestamps, a − b. */
function distance32(a: number, b: number): number {
  return (wrapTimestamp(a) - wrapTimestamp(b)) | 0;
}

/** Maps one RTSP session's audio timestamps onto its video clock. */
export class AudioSync {
  readonly #videoRate: number;
  readonly #audioRate: number;
  readonly #rtpInfo: () => RtpInfoAnchor | undefined;
  /** Added to an (extended) audio timestamp to put it on the video origin, once anchored. */
  #offset: number | undefined;
  #method: 'rtp-info' | 'arrival' | 'pending' = 'pending';
  #lastVideo: { timestamp: number; atMs: number } | undefined;

  /** `rtpInfo` is asked when the first audio frame is anchored (the PLAY answer is known by then). */
  constructor(opts: { videoRate: number; audioRate: number; rtpInfo: () => RtpInfoAnchor | undefined }) {
    this.#videoRate = opts.videoRate;
    this.#audioRate = opts.audioRate;
    this.#rtpInfo = opts.rtpInfo;
  }

  /** How the clocks are tied: `rtp-info`, `arrival`, or `pending` before the first anchor. */
  get method(): 'rtp-info' | 'arrival' | 'pending' {
    return this.#method;
  }

  /** Notes a video frame (extended RTP timestamp) and when it arrived (monotonic ms). */
  video(timestamp: number, atMs: number): void {
    this.#lastVideo = { timestamp, atMs };
  }

  /**
   * The audio timestamp on the video origin, in audio ticks; undefined until a video frame has
   * been seen (audio before video is not recorded anyway).
   */
  audio(timestamp: number, atMs: number): number | undefined {
    if (this.#offset === undefined) {
      const v = this.#lastVideo;
      if (v === undefined) return undefined;
      let videoAt: number;
      const info = this.#rtpInfo();
      if (info !== undefined) {
        // rtptime of each track is the same instant: place this frame relative to it.
        const sinceAnchor = distance32(timestamp, info.audioRtpTime) / this.#audioRate;
        const videoAnchor = v.timestamp - distance32(v.timestamp, info.videoRtpTime);
        videoAt = videoAnchor + sinceAnchor * this.#videoRate;
        this.#method = 'rtp-info';
      } else {
        videoAt = v.timestamp + ((atMs - v.atMs) * this.#videoRate) / 1000;
        this.#method = 'arrival';
      }
      this.#offset = Math.round((videoAt * this.#audioRate) / this.#videoRate) - timestamp;
    }
    return timestamp + this.#offset;
  }
}
