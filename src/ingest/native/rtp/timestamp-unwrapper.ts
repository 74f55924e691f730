/**
 * Extends 32-bit RTP timestamps (RFC 3550 §5.1) to a number that does not wrap.
 *
 * Each timestamp is placed at the signed 32-bit distance from the previous one, so it stays
 * exact across any number of wraps as long as consecutive calls are less than 2^31 ticks apart
 * (6.6 hours at 90 kHz). The first value is the raw timestamp; a source that steps back (B-frame
 * reordering) can yield values below it, even negative ones. Results stay integers well inside
 * Number.MAX_SAFE_INTEGER for centuries of media. Pure; one instance per RTP stream.
 */
export class TimestampUnwrapper {
  #last: number | undefined;
  #extended = 0;

  /** The extended value of `timestamp` (taken mod 2^32). */
  unwrap(timestamp: number): number {
    const ts = timestamp >>> 0;
    if (this.#last === undefined) this.#extended = ts;
    else this.#extended += (ts - this.#last) | 0;
    this.#last = ts;
    return this.#extended;
  }
}

/** The 32-bit RTP timestamp an extended timestamp came from. */
export function wrapTimestamp(extended: number): number {
  const m = extended % 0x1_0000_0000;
  return m < 0 ? m + 0x1_0000_0000 : m;
}
