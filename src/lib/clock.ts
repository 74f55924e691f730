/** A source of wall-clock time, passed in by hand so tests can control time. */
export interface Clock {
  /** Milliseconds since the Unix epoch (UTC). */
  now(): number;
}

/** The real system clock. */
export const systemClock: Clock = { now: () => Date.now() };
