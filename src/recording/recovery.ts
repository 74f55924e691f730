import type { AuditSink } from '../audit/ledger.ts';
import { isAppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { adoptOrphans, assertDatabaseRelated, recoveryActor, type KeyState, type OrphanOutcome } from './orphan-objects.ts';
import type { SegmentIndex } from './segment-index.store.ts';
import type { RecoveredObject, SegmentStore } from './segment-store.ts';
import type { Segment } from '../media/segment.ts';
import { recordingOf, streamDetail } from './recorded-stream.ts';

/** What recovery did, for the log and the tests. */
export interface RecoveryReport {
  readonly recovered: number;
  readonly truncatedBytes: number;
  /** Open segments removed: object missing, or no whole fragment in it. */
  readonly removedEmpty: number;
  /** Open segments whose object could not be recovered (damaged header or init): quarantined, not deleted. */
  readonly quarantinedOpen: number;
  /** Objects no row named that were indexed again from their headers. */
  readonly reindexed: number;
  /** Objects no row named that could not be indexed: moved to quarantine. */
  readonly quarantined: number;
  /** Objects no row named that held no footage (empty, or already crypto-shredded): removed. */
  readonly removedOrphans: number;
}

/** What recovery needs besides the store and the index; all optional for store-level tests. */
export interface RecoveryDeps {
  /** Each loss, damage, re-indexing and quarantine is recorded here (and alarmed by the rules). */
  readonly audit?: AuditSink;
  /** Whether the database holds a data key; enables re-indexing and the relatedness check. */
  readonly keyState?: KeyState;
  /** Called for every segment recovery closes or re-indexes (its ledger leaf). */
  readonly onRecovered?: (segment: Segment) => void;
  /**
   * Cluster mode: recover only this camera's open segments (its new recorder does, at takeover,
   * before it records), and leave objects without rows alone (another node may be creating them).
   */
  readonly cameraId?: string;
}

/**
 * Makes the index and the store agree after a crash; MUST run before recording starts.
 * - Refuses (DATABASE_UNRELATED) when the database knows none of the stored objects (orphan-objects.ts).
 * - A segment left `open` is cut back to its last whole fragment and indexed as `recovered`,
 *   with its end time and fragment table rebuilt from the object itself; the cut is recorded as
 *   `footage.damaged`.
 * - An open segment whose object is missing, or holds no whole fragment, is removed
 *   (`footage.deleted`); one whose header or init is damaged is quarantined (`footage.quarantined`).
 * - An object that no index row names is indexed again, or quarantined (orphan-objects.ts):
 *   footage is never deleted because the index forgot it.
 */
export async function recoverSegments(store: SegmentStore, index: SegmentIndex, log: Logger, deps: RecoveryDeps = {}): Promise<RecoveryReport> {
  const one = deps.cameraId;
  if (deps.keyState !== undefined && one === undefined) await assertDatabaseRelated(store, index, deps.keyState);
  let recovered = 0;
  let truncatedBytes = 0;
  let removedEmpty = 0;
  let quarantinedOpen = 0;
  const record = deps.audit === undefined ? async () => undefined : (input: Parameters<AuditSink['record']>[0]) => deps.audit?.record(input).then(() => undefined);
  const lost = (segment: Segment, type: 'footage.deleted' | 'footage.damaged' | 'footage.quarantined', reason: string, details: Record<string, unknown>) =>
    record({ type, actor: recoveryActor, target: { kind: 'segment', id: segment.id }, cameraId: recordingOf(segment.cameraId).cameraId, outcome: 'success', reason, details: { ...streamDetail(segment.cameraId), segmentId: segment.id, objectKey: segment.objectKey, start: new Date(segment.startMs).toISOString(), ...details } });
  for (const segment of (await index.open()).filter((s) => one === undefined || s.cameraId === one)) {
    // Anything but STORAGE_FAILED (KEY_UNAVAILABLE: the key provider is down) MUST stop
    // start-up with the object untouched, never delete footage that merely cannot be read now.
    let failure: string | null = null;
    let result: RecoveredObject | null = null;
    try {
      result = await store.recover(segment.objectKey);
    } catch (e) {
      if (!isAppError(e, 'STORAGE_FAILED')) throw e;
      failure = e.detail?.['errno'] === 'ENOENT' ? 'missing' : e.message;
    }
    // A file too short for a header (a create that failed on a full disk) holds no fragment.
    if (failure !== null && failure !== 'missing' && (await store.describe(segment.objectKey).catch(() => null))?.empty === true) failure = 'empty';
    if (failure !== null && failure !== 'missing' && failure !== 'empty') {
      // A header or init that does not authenticate is damage, not a crash tear: kept aside.
      const where = await store.quarantine(segment.objectKey).catch(() => null);
      await lost(segment, 'footage.quarantined', `the open segment could not be recovered: ${failure}`, { objects: [{ key: segment.objectKey, where, reason: failure }] });
      await index.remove(segment.id);
      quarantinedOpen++;
      continue;
    }
    if (result === null || result.fragments.length === 0) {
      const reason =
        failure === 'missing' ? 'its object is missing' : failure === 'empty' ? 'it held no whole fragment (an empty file left by a failed create)' : 'it held no whole fragment (an unclean stop before the first one was written)';
      await lost(segment, 'footage.deleted', `start-up recovery removed an open segment: ${reason}`, { segments: 1, truncatedBytes: result?.truncatedBytes ?? 0 });
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
    if (result.truncatedBytes > 0 || result.unreadableChunks > 0) {
      const what = [result.truncatedBytes > 0 ? `${result.truncatedBytes} bytes of a torn fragment cut by an unclean stop` : '', result.unreadableChunks > 0 ? `${result.unreadableChunks} chunks fail authentication and are not indexed` : ''].filter(Boolean).join('; ');
      await lost(closed, 'footage.damaged', `start-up recovery: ${what}`, { truncatedBytes: result.truncatedBytes, unreadableChunks: result.unreadableChunks, fragmentsKept: fragments.length, end: new Date(closed.endMs).toISOString() });
    }
    await index.update(closed);
    deps.onRecovered?.(closed);
    recovered++;
    truncatedBytes += result.truncatedBytes;
  }
  const orphans: OrphanOutcome = one !== undefined ? { reindexed: [], quarantined: [], removed: [] } : await adoptOrphans({ store, index, log, ...(deps.keyState ? { keyState: deps.keyState } : {}), ...(deps.audit ? { audit: deps.audit } : {}) });
  for (const segment of orphans.reindexed) deps.onRecovered?.(segment);
  const report = { recovered, truncatedBytes, removedEmpty, quarantinedOpen, reindexed: orphans.reindexed.length, quarantined: orphans.quarantined.length, removedOrphans: orphans.removed.length };
  if (recovered + removedEmpty + quarantinedOpen > 0) log.warn(report, 'recovered segments left by an unclean stop');
  return report;
}
