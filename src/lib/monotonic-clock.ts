/**
 * A monotonic clock for durations (timeouts, watchdogs, cache lifetimes, confirmation delays),
 * passed in by hand so tests can control it. Unlike the wall clock (src/lib/clock.ts) it MUST
 * never go back and MUST NOT move when the system time is set or stepped (NTP, an operator,
 * a VM restored from a snapshot). Its origin is arbitrary: only differences mean anything.
 */
export interface MonotonicClock {
  /** Milliseconds since an arbitrary origin fixed for the life of the process. */
  now(): number;
}

/** The process's monotonic clock (`performance.now()`, CLOCK_MONOTONIC on Linux). */
export const systemMonotonicClock: MonotonicClock = { now: () => performance.now() };
