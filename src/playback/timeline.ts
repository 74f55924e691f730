import type { Gap, Segment } from '../media/segment.ts';

/** A recorded stretch of time. */
export interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

/** A hole in the recording with the reason, when one was recorded. */
export interface TimelineGap extends Span {
  readonly reason: string;
}

/** Segments closer than this are one span (key-frame cuts and clock anchoring jitter). */
export const spanJoinToleranceMs = 2000;

/**
 * Builds the timeline of [fromMs, toMs): recorded spans (merged, clipped to the range) and the
 * gaps between them, each gap labelled with the reason of a recorded gap it overlaps, else
 * `no recording`. Pure.
 */
export function buildTimeline(segments: readonly Segment[], gaps: readonly Gap[], fromMs: number, toMs: number, nowMs: number): { spans: Span[]; gaps: TimelineGap[] } {
  const spans: Span[] = [];
  for (const s of [...segments].sort((a, b) => a.startMs - b.startMs)) {
    const start = Math.max(s.startMs, fromMs);
    const end = Math.min(s.endMs, toMs);
    if (end <= start) continue;
    const last = spans[spans.length - 1];
    if (last && start - last.endMs <= spanJoinToleranceMs) spans[spans.length - 1] = { startMs: last.startMs, endMs: Math.max(last.endMs, end) };
    else spans.push({ startMs: start, endMs: end });
  }
  const holes: TimelineGap[] = [];
  const horizon = Math.min(toMs, nowMs);
  let cursor = fromMs;
  for (const span of [...spans, { startMs: horizon, endMs: horizon }]) {
    if (span.startMs - cursor > spanJoinToleranceMs) holes.push({ startMs: cursor, endMs: span.startMs, reason: reasonFor(gaps, cursor, span.startMs) });
    cursor = Math.max(cursor, span.endMs);
  }
  return { spans, gaps: holes };
}

function reasonFor(gaps: readonly Gap[], startMs: number, endMs: number): string {
  const hit = gaps.find((g) => g.startMs < endMs && (g.endMs === null || g.endMs > startMs));
  return hit?.reason ?? 'no recording';
}
