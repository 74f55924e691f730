import { isAppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { SegmentIndex } from './segment-index.store.ts';
import type { SegmentStore } from './segment-store.ts';
import type { Segment } from './segment.ts';

/** What recovery did, for the log and the tests. */
export interface RecoveryReport {
  readonly recovered: number;
  readonly truncatedBytes: number;
  readonly removedEmpty: number;
  readonly removedOrphans: number;
}

/**
 * Makes the index and the store agree after a crash; MUST run before recording starts.
 * - A segment left `open` is cut back to its last whole fragment and indexed as `recovered`,
 *   with its end time and fragment table rebuilt from the object itself.
 * - An open segment whose object is missing, or holds no whole fragment, is removed.
 * - An object that no index row names is deleted (the index row is always written first).
 */
export async function recoverSegments(store: SegmentStore, index: SegmentIndex, log: Logger, onRecovered?: (segment: Segment) => void): Promise<RecoveryReport> {
  let recovered = 0;
  let truncatedBytes = 0;
  let removedEmpty = 0;
  for (const segment of await index.open()) {
    // A missing object or one torn before its first whole piece (STORAGE_FAILED) is treated like
    // an empty one. Anything else (KEY_UNAVAILABLE: the key provider is down) MUST stop start-up
    // with the object untouched, never delete footage that merely cannot be read right now.
    const result = await store.recover(segment.objectKey).catch((e: unknown) => {
      if (isAppError(e, 'STORAGE_FAILED')) return null;
      throw e;
    });
    if (result === null || result.fragments.length === 0) {
      await index.remove(segment.id);
      await store.remove(segment.objectKey);
      removedEmpty++;
      continue;
    }
    const fragments = result.fragments.map((f) => ({
      offset: f.offset,
      size: f.size,
      durationMs: (f.duration * 1000) / result.timescale,
      keyframe: f.keyframe,
    }));
    const durationMs = fragments.reduce((sum, f) => sum + f.durationMs, 0);
    const closed: Segment = { ...segment, endMs: Math.round(segment.startMs + durationMs), bytes: result.size, fragments, state: 'recovered' };
    await index.update(closed);
    onRecovered?.(closed);
    recovered++;
    truncatedBytes += result.truncatedBytes;
  }
  const known = await index.objectKeys();
  let removedOrphans = 0;
  for await (const key of store.list()) {
    if (known.has(key)) continue;
    await store.remove(key);
    removedOrphans++;
  }
  const report = { recovered, truncatedBytes, removedEmpty, removedOrphans };
  if (recovered + removedEmpty + removedOrphans > 0) log.warn(report, 'recovered segments left by an unclean stop');
  return report;
}
