/**
 * Objects the index does not name, at start-up (docs/operations.md, "Footage the index forgot").
 *
 * The index row of a segment is written before its object, so an object without a row means the
 * database lost rows: a restored backup, a lost or truncated write-ahead log, a wrong or empty
 * database. Contract: footage MUST NOT be deleted because the index forgot it.
 * - An object whose data key this database holds is indexed again from its vault header (camera,
 *   start time) and its own chunks (fragment table, cut back to its last whole fragment).
 * - An object that cannot be indexed (header damaged, data key unknown here, no whole fragment)
 *   is moved to quarantine, where Custos keeps it and never deletes it.
 * - Only what holds no footage is removed: a file too short for a header (a failed create on a
 *   full disk), or an object whose data key is already destroyed (a retention pass stopped
 *   between shredding and deleting; the footage is unreadable for good).
 * - When no stored object is indexed and none of their data keys is known, the database does not
 *   belong to this data directory: start-up is refused (DATABASE_UNRELATED) before anything is
 *   touched.
 * Every re-indexing, quarantine and removal is a ledger event (each alarmed, alarm-rules.ts).
 */
import { randomUUID } from 'node:crypto';
import { recordingOf, streamDetail } from './recorded-stream.ts';
import type { AuditSink } from '../audit/ledger.ts';
import { AppError, isAppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { SegmentIndex } from './segment-index.store.ts';
import type { SegmentStore } from './segment-store.ts';
import type { Segment } from '../media/segment.ts';

/** Whether this database holds a data key: live, destroyed (shredded), or unknown. */
export type KeyState = (keyId: string) => Promise<'live' | 'destroyed' | 'unknown'>;

/** The actor of the events start-up recovery records. */
export const recoveryActor = { kind: 'system', id: 'system:recovery' } as const;

/** What became of the objects no index row named. */
export interface OrphanOutcome {
  readonly reindexed: readonly Segment[];
  readonly quarantined: readonly { readonly key: string; readonly cameraId: string | null; readonly where: string; readonly reason: string }[];
  /** Removed: held no footage (empty) or only footage whose key is destroyed (shredded). */
  readonly removed: readonly { readonly key: string; readonly cameraId: string | null; readonly reason: string }[];
}

/** The segment id a recorder's object key names (`<camera>/<day>/<startMs>-<id>.mp4`), if any. */
export function segmentIdOfKey(key: string): string | undefined {
  return /(?:^|\/)\d+-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.mp4$/.exec(key)?.[1];
}

/** How many object headers the relatedness check reads at most. */
const relatednessSample = 32;

/** Throws DATABASE_UNRELATED when the store holds objects and the database knows none of them nor their keys. */
export async function assertDatabaseRelated(store: SegmentStore, index: SegmentIndex, keyState: KeyState): Promise<void> {
  const known = await index.objectKeys();
  const stored: string[] = [];
  for await (const key of store.list()) {
    if (known.has(key)) return;
    stored.push(key);
  }
  let headers = 0;
  for (const key of stored) {
    if (headers >= relatednessSample) break;
    const info = await store.describe(key).catch(() => null);
    if (info?.meta == null) continue;
    headers++;
    if ((await keyState(info.meta.keyId)) !== 'unknown') return;
  }
  if (headers === 0) return;
  throw new AppError(
    'DATABASE_UNRELATED',
    `the database names none of the ${stored.length} segment objects in this data directory and holds none of their data keys: it does not belong here (a wrong database.url, or an empty or re-created database). Custos refuses to start so that no footage is touched; point database.url at this data directory's database, or restore it`,
    { objects: stored.length },
  );
}

/** Indexes, quarantines or (when they hold no footage) removes every object no index row names. */
export async function adoptOrphans(deps: { store: SegmentStore; index: SegmentIndex; keyState?: KeyState; audit?: AuditSink; log: Logger }): Promise<OrphanOutcome> {
  const { store, index } = deps;
  const known = await index.objectKeys();
  const orphans: string[] = [];
  for await (const key of store.list()) if (!known.has(key)) orphans.push(key);
  const reindexed: Segment[] = [];
  const quarantined: { key: string; cameraId: string | null; where: string; reason: string }[] = [];
  const removed: { key: string; cameraId: string | null; reason: string }[] = [];
  const quarantine = async (key: string, cameraId: string | null, reason: string) => {
    quarantined.push({ key, cameraId, where: await store.quarantine(key), reason });
  };
  for (const key of orphans.sort()) {
    let info;
    try {
      info = await store.describe(key);
    } catch (e) {
      if (!isAppError(e, 'STORAGE_FAILED')) throw e;
      if (e.detail?.['errno'] === 'ENOENT') continue; // gone since listed
      await quarantine(key, null, `its header is damaged: ${e.message}`);
      continue;
    }
    if (info.empty) {
      // Shorter than any header: a create that failed (disk full). Nothing recorded is in it.
      await store.remove(key);
      removed.push({ key, cameraId: null, reason: 'empty leftover of a failed create' });
      continue;
    }
    if (info.meta === null || deps.keyState === undefined) {
      await quarantine(key, null, 'the object carries no header to index it from');
      continue;
    }
    const { cameraId, startMs, keyId } = info.meta;
    const state = await deps.keyState(keyId);
    if (state === 'unknown') {
      await quarantine(key, cameraId, `its data key ${keyId} is unknown to this database`);
      continue;
    }
    if (state === 'destroyed') {
      const reason = `its data key ${keyId} was already destroyed (crypto-shredded by retention)`;
      await deps.audit?.record({ type: 'footage.deleted', actor: recoveryActor, target: { kind: 'camera', id: recordingOf(cameraId).cameraId }, cameraId: recordingOf(cameraId).cameraId, outcome: 'success', reason, details: { ...streamDetail(cameraId), objectKeys: [key], segments: 1, startedAt: new Date(startMs).toISOString() } });
      await store.remove(key);
      removed.push({ key, cameraId, reason });
      continue;
    }
    let result;
    try {
      result = await store.recover(key);
    } catch (e) {
      // KEY_UNAVAILABLE here is the provider being down: stop start-up, touch nothing.
      if (!isAppError(e, 'STORAGE_FAILED')) throw e;
      await quarantine(key, cameraId, e.message);
      continue;
    }
    if (result.fragments.length === 0) {
      await quarantine(key, cameraId, 'it holds no whole fragment');
      continue;
    }
    const fragments = result.fragments.map((f) => ({ offset: f.offset, size: f.size, durationMs: (f.duration * 1000) / result.timescale, keyframe: f.keyframe }));
    const durationMs = fragments.reduce((sum, f) => sum + f.durationMs, 0);
    const named = segmentIdOfKey(key);
    const id = named !== undefined && (await index.get(named)) === undefined ? named : randomUUID();
    const segment: Segment = {
      id,
      cameraId,
      objectKey: key,
      startMs,
      endMs: Math.round(startMs + durationMs),
      bytes: result.size,
      initSize: result.initSize,
      codec: result.codec,
      timescale: result.timescale,
      fragments,
      state: 'recovered',
    };
    await index.insert(segment);
    reindexed.push(segment);
  }
  await recordOutcome(deps.audit, reindexed, quarantined);
  if (reindexed.length + quarantined.length + removed.length > 0) {
    deps.log.warn({ reindexed: reindexed.length, quarantined: quarantined.map((q) => ({ key: q.key, where: q.where, reason: q.reason })), removed }, 'objects the index did not name: re-indexed, quarantined or (holding no footage) removed');
  }
  return { reindexed, quarantined, removed };
}

/** Items grouped by camera, at most `eventBatch` per group, so every leaf stays small. */
function batches<T, C extends string | null>(items: readonly T[], cameraOf: (item: T) => C): [C, T[]][] {
  const out: [C, T[]][] = [];
  for (const cameraId of new Set(items.map(cameraOf))) {
    const mine = items.filter((item) => cameraOf(item) === cameraId);
    for (let i = 0; i < mine.length; i += eventBatch) out.push([cameraId, mine.slice(i, i + eventBatch)]);
  }
  return out;
}

/** Most objects one ledger event names (as retention's deletions). */
const eventBatch = 200;

/** Ledger events per camera (at most `eventBatch` objects each) for the re-indexed objects and for the quarantined. */
async function recordOutcome(audit: AuditSink | undefined, reindexed: readonly Segment[], quarantined: OrphanOutcome['quarantined']): Promise<void> {
  if (audit === undefined) return;
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const [cameraId, mine] of batches(reindexed, (s) => s.cameraId)) {
    await audit.record({
      type: 'footage.reindexed',
      actor: recoveryActor,
      target: { kind: 'camera', id: recordingOf(cameraId).cameraId },
      cameraId: recordingOf(cameraId).cameraId,
      outcome: 'success',
      reason: 'segment objects the index did not name (restored or damaged database)',
      details: { ...streamDetail(cameraId), segments: mine.length, segmentIds: mine.map((s) => s.id), from: iso(Math.min(...mine.map((s) => s.startMs))), to: iso(Math.max(...mine.map((s) => s.endMs))) },
    });
  }
  for (const [cameraId, mine] of batches(quarantined, (q) => q.cameraId)) {
    await audit.record({
      type: 'footage.quarantined',
      actor: recoveryActor,
      ...(cameraId === null ? {} : { target: { kind: 'camera', id: recordingOf(cameraId).cameraId }, cameraId: recordingOf(cameraId).cameraId }),
      outcome: 'success',
      reason: 'objects that could not be indexed are kept in quarantine',
      details: { ...(cameraId === null ? {} : streamDetail(cameraId)), objects: mine.map((q) => ({ key: q.key, where: q.where, reason: q.reason })) },
    });
  }
}

/** A data key's state from its row (undefined: no row, the key is unknown to this database). */
export function keyStateOf(row: { readonly destroyedMs: number | null } | undefined): 'live' | 'destroyed' | 'unknown' {
  return row === undefined ? 'unknown' : row.destroyedMs === null ? 'live' : 'destroyed';
}
