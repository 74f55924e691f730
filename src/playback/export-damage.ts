/**
 * Damaged footage in an export: which fragments of a selection could not be read, and the plan
 * that leaves them out. Pure.
 *
 * Contract: a fragment that fails to read is never guessed at or padded; it is left out, and so
 * is every following fragment up to the next key frame (they cannot be decoded without it). What
 * is left out is reported as a {@link DamagedSpan}, which the export states as a gap in its
 * custody record and its ledger completion event. Footage after a damaged span starts a new
 * part, so it keeps its wall-clock place in the exported timeline.
 */
import type { Selection } from './hls-playlist.ts';

/** A stretch of an export's range left out because its footage could not be read. */
export interface DamagedSpan {
  readonly segmentId: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** Why, e.g. `object missing` or the store's `chunk 3 fails authentication`. */
  readonly reason: string;
}

/** What inspecting a segment found: all of it unreadable, or the selected fragments (by index) that are. */
export type SegmentDamage = { readonly all: true; readonly reason: string } | { readonly all: false; readonly fragments: ReadonlyMap<number, string> };

/** A selection as exported: `breakBefore` starts a new part (damage lies before it). */
export interface PlannedSelection extends Selection {
  readonly breakBefore: boolean;
}

/** Applies known damage to `selections`: the selections to export and the spans left out. */
export function planAroundDamage(selections: readonly Selection[], damage: ReadonlyMap<string, SegmentDamage>): { plan: PlannedSelection[]; damaged: DamagedSpan[] } {
  const plan: PlannedSelection[] = [];
  const damaged: DamagedSpan[] = [];
  let breakPending = false;
  for (const selection of selections) {
    const found = damage.get(selection.segment.id);
    if (found === undefined) {
      plan.push({ ...selection, breakBefore: breakPending });
      breakPending = false;
      continue;
    }
    const first = selection.fragments[0];
    const last = selection.fragments[selection.fragments.length - 1];
    if (found.all) {
      if (first && last) damaged.push({ segmentId: selection.segment.id, fromMs: first.startMs, toMs: last.startMs + last.durationMs, reason: found.reason });
      breakPending = true;
      continue;
    }
    const keyframeAt = new Map(selection.segment.fragments.map((f) => [f.offset, f.keyframe]));
    let run: Selection['fragments'][number][] = [];
    let open: { fromMs: number; toMs: number; reason: string } | null = null;
    const flushRun = () => {
      if (run.length === 0) return;
      plan.push({ segment: selection.segment, fragments: run, breakBefore: breakPending });
      run = [];
      breakPending = false;
    };
    for (const [i, f] of selection.fragments.entries()) {
      const reason = found.fragments.get(i);
      if (reason !== undefined || (open !== null && keyframeAt.get(f.offset) !== true)) {
        if (open === null) {
          flushRun();
          open = { fromMs: f.startMs, toMs: f.startMs + f.durationMs, reason: reason ?? 'unreadable' };
        } else open.toMs = f.startMs + f.durationMs;
        continue;
      }
      if (open !== null) {
        damaged.push({ segmentId: selection.segment.id, ...open });
        open = null;
        breakPending = true;
      }
      run.push(f);
    }
    if (open !== null) {
      damaged.push({ segmentId: selection.segment.id, ...open });
      breakPending = true;
    }
    flushRun();
  }
  return { plan, damaged };
}
