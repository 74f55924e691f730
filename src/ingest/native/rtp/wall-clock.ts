/**
 * Maps a stream's RTP timestamps to wall-clock time (RFC 3550 §6.4.1: a sender report pairs an
 * NTP instant with an RTP timestamp; RTP time advances at the payload's clock rate).
 *
 * Contracts:
 * - The caller MUST feed only sender reports whose SSRC is this stream's.
 * - The latest sender report wins. Until one arrives, times are anchored on the local receive
 *   time of the first packet, and every result says so (`fromSenderReport: false`): that time
 *   carries network and buffering delay and the local clock's error.
 * - A timestamp is placed at its signed 32-bit distance from the report's RTP timestamp, so
 *   results are exact while the two are less than 2^31 ticks apart (6.6 hours at 90 kHz);
 *   senders report every few seconds. Pure: the receive time is passed in, not read.
 */
import type { SenderReport } from './rtcp-sr.ts';
import { wrapTimestamp } from './timestamp-unwrapper.ts';

/** A wall-clock instant and where it came from. */
export interface WallTime {
  /** Milliseconds since the Unix epoch (may have a fractional part). */
  readonly unixMs: number;
  /** False while no sender report has been seen: the time is the local receive estimate. */
  readonly fromSenderReport: boolean;
}

/** RTP-to-wall-clock mapping for one RTP stream. */
export class WallClock {
  readonly #clockRate: number;
  #report: SenderReport | undefined;
  #firstPacket: { readonly timestamp: number; readonly receivedAtMs: number } | undefined;

  /** `clockRate` is the RTP clock in Hz (90 000 for video, the sample rate for AAC). */
  constructor(clockRate: number) {
    if (!(clockRate > 0)) throw new RangeError('clockRate must be positive');
    this.#clockRate = clockRate;
  }

  /** Records the first packet's extended timestamp and local receive time; later calls are ignored. */
  observeFirstPacket(timestamp: number, receivedAtMs: number): void {
    this.#firstPacket ??= { timestamp, receivedAtMs };
  }

  /** Records a sender report of this stream; it replaces any earlier one. */
  observeSenderReport(report: SenderReport): void {
    this.#report = report;
  }

  /** True once a sender report has been recorded. */
  get synchronized(): boolean {
    return this.#report !== undefined;
  }

  /** The wall-clock time of an (extended) RTP timestamp, or undefined before any anchor. */
  toWallClock(timestamp: number): WallTime | undefined {
    const report = this.#report;
    if (report !== undefined) {
      const ticks = (wrapTimestamp(timestamp) - report.rtpTimestamp) | 0;
      return { unixMs: report.unixMs + (ticks * 1000) / this.#clockRate, fromSenderReport: true };
    }
    const first = this.#firstPacket;
    if (first === undefined) return undefined;
    return { unixMs: first.receivedAtMs + ((timestamp - first.timestamp) * 1000) / this.#clockRate, fromSenderReport: false };
  }
}
