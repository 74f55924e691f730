/**
 * The pure rules of SIEM delivery: which events a destination receives, how long to wait after
 * a failure, and when a failing destination is alarmed or recovered. No I/O, no clock, no
 * randomness of their own: the loop (destination-loop.ts) passes times and random numbers in.
 */
import type { LeafRecord } from '../../audit/audit-event.ts';

/** A destination's filter (config `filter`). */
export interface DeliveryFilter {
  /** Exact types, or prefixes ending in `.`; empty = every type. */
  readonly types: readonly string[];
  readonly minSeverity: number;
}

/** True when `record` goes to a destination with `filter`. */
export function passesFilter(record: LeafRecord, filter: DeliveryFilter): boolean {
  if (record.severity_id < filter.minSeverity) return false;
  if (filter.types.length === 0) return true;
  return filter.types.some((t) => (t.endsWith('.') ? record.type.startsWith(t) : record.type === t));
}

/** The first wait after a failure. */
export const firstRetryMs = 250;

/**
 * The wait before attempt `failures + 1` after `failures` consecutive failures: exponential
 * (250 ms doubling up to `maxMs`) with jitter (half to all of it, `random` in [0, 1)), so many
 * Custos servers behind one collector do not retry in step. A receiver's Retry-After wins when
 * longer, capped at `maxMs`.
 */
export function retryDelayMs(failures: number, maxMs: number, random: number, retryAfterMs?: number): number {
  const exp = Math.min(maxMs, firstRetryMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  const jittered = exp / 2 + (exp / 2) * random;
  return Math.min(maxMs, Math.max(jittered, retryAfterMs ?? 0));
}

/** The failure state of one destination, kept in memory by its loop. */
export interface FailureState {
  /** Monotonic ms of the first failure of the current episode; null while healthy. */
  readonly failingSinceMs: number | null;
  /** Consecutive failures in the episode. */
  readonly failures: number;
  /** The siem-destination-failing alarm was raised in this episode. */
  readonly alarmed: boolean;
}

export const healthy: FailureState = { failingSinceMs: null, failures: 0, alarmed: false };

/** What to record after a step. */
export type FailureVerdict = 'none' | 'alarm' | 'recovered';

/**
 * The next state after a failed attempt at monotonic time `nowMs`: the alarm is raised once per
 * episode, as soon as the destination has failed for longer than `thresholdMs`.
 */
export function afterFailure(state: FailureState, nowMs: number, thresholdMs: number): { state: FailureState; verdict: FailureVerdict } {
  const since = state.failingSinceMs ?? nowMs;
  const raise = !state.alarmed && nowMs - since > thresholdMs;
  return { state: { failingSinceMs: since, failures: state.failures + 1, alarmed: state.alarmed || raise }, verdict: raise ? 'alarm' : 'none' };
}

/** The next state after a success: an alarmed episode ends with `recovered`. */
export function afterSuccess(state: FailureState): { state: FailureState; verdict: FailureVerdict } {
  return { state: healthy, verdict: state.alarmed ? 'recovered' : 'none' };
}

/**
 * A failing destination may be alarmed while it waits between attempts (a long Retry-After):
 * true when the threshold has passed in the current, not yet alarmed episode.
 */
export function alarmDue(state: FailureState, nowMs: number, thresholdMs: number): boolean {
  return !state.alarmed && state.failingSinceMs !== null && nowMs - state.failingSinceMs > thresholdMs;
}
