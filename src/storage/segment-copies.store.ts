/**
 * The index of segment copies per zone (table segment_copies) and the ledger hashes the scrub
 * checks them against. All the SQL of src/storage/ lives here.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { SegmentCopyTable } from '../db/tables.ts';

export type CopyState = SegmentCopyTable['state'];

/** One copy of a segment in a zone. */
export interface SegmentCopy {
  readonly segmentId: string;
  readonly zoneId: string;
  readonly objectKey: string;
  readonly sha256: string | null;
  readonly size: number | null;
  readonly state: CopyState;
  readonly ack: number;
  readonly sealedMs: number;
  /** When the row last changed (for a stored copy: when it was stored). Ignored by `put`. */
  readonly updatedMs?: number;
}

/** What is waiting for one zone. */
export interface ZoneBacklog {
  readonly pending: number;
  readonly pendingBytes: number;
  /** Seal time of the oldest pending copy (null when none waits). */
  readonly oldestSealedMs: number | null;
  readonly stored: number;
  readonly storedBytes: number;
  readonly missing: number;
  readonly damaged: number;
}

/** One camera's segments short of their acknowledgement count. */
export interface UnderReplicated {
  readonly cameraId: string;
  readonly segments: number;
  /** Seal time of its oldest unacknowledged segment. */
  readonly oldestSealedMs: number;
  /** The zones holding a copy of them that is not stored yet (pending, missing, damaged). */
  readonly waitingFor: string[];
}

function toCopy(r: SegmentCopyTable): SegmentCopy {
  return { segmentId: r.segment_id, zoneId: r.zone_id, objectKey: r.object_key, sha256: r.sha256, size: r.size === null ? null : Number(r.size), state: r.state, ack: r.ack, sealedMs: Number(r.sealed_ms), updatedMs: Number(r.updated_ms) };
}

export interface SegmentCopies {
  /** Records copies (an upsert by segment and zone). */
  put(copies: readonly SegmentCopy[], nowMs: number): Promise<void>;
  /** Sets a copy's state (and its hash and size when given). */
  mark(segmentId: string, zoneId: string, state: CopyState, nowMs: number, sha256?: string, size?: number): Promise<void>;
  /** Every copy of a segment. */
  ofSegment(segmentId: string): Promise<SegmentCopy[]>;
  /** The copies of the segment whose recording-zone key is `objectKey`. */
  ofObjectKey(objectKey: string): Promise<SegmentCopy[]>;
  /** The oldest pending copies of a zone, oldest first. */
  pending(zoneId: string, limit: number): Promise<SegmentCopy[]>;
  /** Copies after (segmentId) in segment id order, for the scrub. */
  page(afterSegmentId: string, limit: number): Promise<SegmentCopy[]>;
  backlog(zoneId: string): Promise<ZoneBacklog>;
  /** Copies whose segment is no longer indexed (deleted by retention, quarantined), at most `limit`. */
  orphans(limit: number): Promise<SegmentCopy[]>;
  remove(segmentId: string, zoneId: string): Promise<void>;
  /**
   * Adds a stored copy in `zoneId` for every sealed segment without one (footage recorded before
   * zones existed); returns how many were added.
   */
  adopt(zoneId: string, nowMs: number): Promise<number>;
  /**
   * Adds a pending copy in `zoneId` for every sealed segment of `cameraId` without a copy there
   * (a zone added to the placement, a copy lost to a crash between seal and record); returns how many.
   */
  enqueueMissing(cameraId: string, zoneId: string, ack: number, keyOf: (segmentId: string) => string, nowMs: number): Promise<number>;
  /** Segments whose verified copies are fewer than their acknowledgement count (ADR 0040). */
  unacknowledged(): Promise<number>;
  /**
   * The cameras with unacknowledged segments (ADR 0040: a segment is acknowledged once `ack` of
   * its copies are `stored` with a known ciphertext SHA-256), most segments first.
   */
  underReplicated(): Promise<UnderReplicated[]>;
  /** Sets the hash of copies in `zoneId` that have none (one transaction); others are left as they are. */
  setHashes(zoneId: string, hashes: ReadonlyMap<string, string>, nowMs: number): Promise<void>;
  /** Stored copies in `zoneId` whose hash is unknown (adopted footage, a torn segment), after `afterSegmentId`. */
  unhashed(zoneId: string, afterSegmentId: string, limit: number): Promise<SegmentCopy[]>;
  /** Ciphertext SHA-256 of each segment as its footage.segment.sealed ledger leaf states it. */
  leafHashes(segmentIds: readonly string[]): Promise<Map<string, string>>;
  /** The layout last started with, and saving a new one. */
  layout(): Promise<string | null>;
  saveLayout(layout: string, nowMs: number): Promise<void>;
}

export function createSegmentCopies(db: Db): SegmentCopies {
  return {
    async put(copies, nowMs) {
      for (const c of copies) {
        const row: SegmentCopyTable = { segment_id: c.segmentId, zone_id: c.zoneId, object_key: c.objectKey, sha256: c.sha256, size: c.size, state: c.state, ack: c.ack, sealed_ms: c.sealedMs, updated_ms: nowMs };
        await db.insertInto('segment_copies').values(row).onConflict((oc) => oc.columns(['segment_id', 'zone_id']).doUpdateSet(row)).execute();
      }
    },
    async mark(segmentId, zoneId, state, nowMs, sha256, size) {
      await db
        .updateTable('segment_copies')
        .set({ state, updated_ms: nowMs, ...(sha256 === undefined ? {} : { sha256 }), ...(size === undefined ? {} : { size }) })
        .where('segment_id', '=', segmentId)
        .where('zone_id', '=', zoneId)
        .execute();
    },
    async ofSegment(segmentId) {
      return (await db.selectFrom('segment_copies').selectAll().where('segment_id', '=', segmentId).orderBy('zone_id').execute()).map(toCopy);
    },
    async ofObjectKey(objectKey) {
      const seg = await db.selectFrom('segments').select('id').where('object_key', '=', objectKey).executeTakeFirst();
      if (seg === undefined) return [];
      return this.ofSegment(seg.id);
    },
    async pending(zoneId, limit) {
      const rows = await db
        .selectFrom('segment_copies')
        .selectAll()
        .where('zone_id', '=', zoneId)
        .where('state', '=', 'pending')
        .orderBy('sealed_ms')
        .orderBy('segment_id')
        .limit(limit)
        .execute();
      return rows.map(toCopy);
    },
    async page(afterSegmentId, limit) {
      const ids = await db.selectFrom('segment_copies').select('segment_id').distinct().where('segment_id', '>', afterSegmentId).orderBy('segment_id').limit(limit).execute();
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('segment_copies')
        .selectAll()
        .where(
          'segment_id',
          'in',
          ids.map((r) => r.segment_id),
        )
        .orderBy('segment_id')
        .orderBy('zone_id')
        .execute();
      return rows.map(toCopy);
    },
    async backlog(zoneId) {
      const rows = await db
        .selectFrom('segment_copies')
        .select((eb) => ['state', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('size').as('bytes'), eb.fn.min<number>('sealed_ms').as('oldest')])
        .where('zone_id', '=', zoneId)
        .groupBy('state')
        .execute();
      const of = (s: CopyState) => rows.find((r) => r.state === s);
      const pending = of('pending');
      const stored = of('stored');
      return {
        pending: Number(pending?.n ?? 0),
        pendingBytes: Number(pending?.bytes ?? 0),
        oldestSealedMs: pending?.oldest === undefined || pending.oldest === null ? null : Number(pending.oldest),
        stored: Number(stored?.n ?? 0),
        storedBytes: Number(stored?.bytes ?? 0),
        missing: Number(of('missing')?.n ?? 0),
        damaged: Number(of('damaged')?.n ?? 0),
      };
    },
    async orphans(limit) {
      const rows = await db
        .selectFrom('segment_copies')
        .selectAll()
        .where((eb) => eb.not(eb.exists(eb.selectFrom('segments').select('segments.id').whereRef('segments.id', '=', 'segment_copies.segment_id'))))
        .limit(limit)
        .execute();
      return rows.map(toCopy);
    },
    async remove(segmentId, zoneId) {
      await db.deleteFrom('segment_copies').where('segment_id', '=', segmentId).where('zone_id', '=', zoneId).execute();
    },
    async adopt(zoneId, nowMs) {
      // One statement (INSERT … SELECT): the first start after an upgrade may adopt a large archive.
      const result = await db
        .insertInto('segment_copies')
        .columns(['segment_id', 'zone_id', 'object_key', 'sha256', 'size', 'state', 'ack', 'sealed_ms', 'updated_ms'])
        .expression((eb) =>
          eb
            .selectFrom('segments')
            .select([
              'segments.id',
              sql<string>`CAST(${zoneId} AS text)`.as('zone_id'),
              'segments.object_key',
              sql<null>`CAST(NULL AS text)`.as('sha256'),
              sql<null>`CAST(NULL AS bigint)`.as('size'),
              sql<string>`'stored'`.as('state'),
              sql<number>`1`.as('ack'),
              'segments.end_ms',
              sql<number>`CAST(${nowMs} AS bigint)`.as('updated_ms'),
            ])
            .where('segments.state', '!=', 'open')
            .where((w) =>
              w.not(w.exists(w.selectFrom('segment_copies').select('segment_copies.segment_id').whereRef('segment_copies.segment_id', '=', 'segments.id').where('segment_copies.zone_id', '=', zoneId))),
            ),
        )
        // Several nodes of a cluster may start (and a recorder seal) at once: a row another made is kept.
        .onConflict((oc) => oc.columns(['segment_id', 'zone_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0);
    },
    async enqueueMissing(cameraId, zoneId, ack, keyOf, nowMs) {
      // The keys are computed here (keyOf), so rows are read, then inserted in batches of 500.
      const rows = await db
        .selectFrom('segments')
        .select(['id', 'end_ms'])
        .where('camera_id', '=', cameraId)
        .where('state', '!=', 'open')
        .where((eb) =>
          eb.not(eb.exists(eb.selectFrom('segment_copies').select('segment_copies.segment_id').whereRef('segment_copies.segment_id', '=', 'segments.id').where('segment_copies.zone_id', '=', zoneId))),
        )
        .execute();
      for (let i = 0; i < rows.length; i += 500) {
        const values: SegmentCopyTable[] = rows.slice(i, i + 500).map((r) => ({ segment_id: r.id, zone_id: zoneId, object_key: keyOf(r.id), sha256: null, size: null, state: 'pending', ack, sealed_ms: Number(r.end_ms), updated_ms: nowMs }));
        await db.insertInto('segment_copies').values(values).onConflict((oc) => oc.columns(['segment_id', 'zone_id']).doNothing()).execute();
      }
      return rows.length;
    },
    async unacknowledged() {
      return (await this.underReplicated()).reduce((n, c) => n + c.segments, 0);
    },
    async underReplicated() {
      // Only a segment with a copy not stored, or stored without a hash, can be short of its
      // count (ack ≤ its zones). Segments no longer indexed (orphans) are not counted.
      const rows = await db
        .selectFrom('segment_copies')
        .innerJoin('segments', 'segments.id', 'segment_copies.segment_id')
        .where('segment_copies.segment_id', 'in', (eb) =>
          eb
            .selectFrom('segment_copies as c')
            .select('c.segment_id')
            // Both sides indexed (segment_copies_state, segment_copies_unhashed).
            .where((w) => w.or([w('c.state', 'in', ['pending', 'missing', 'damaged']), w('c.sha256', 'is', null)])),
        )
        .select(['segment_copies.segment_id', 'segments.camera_id', 'segment_copies.zone_id', 'segment_copies.state', 'segment_copies.sha256', 'segment_copies.ack', 'segment_copies.sealed_ms'])
        .execute();
      const bySegment = new Map<string, { cameraId: string; ack: number; verified: number; sealedMs: number; waiting: string[] }>();
      for (const r of rows) {
        const s = bySegment.get(r.segment_id) ?? { cameraId: r.camera_id, ack: 0, verified: 0, sealedMs: Number(r.sealed_ms), waiting: [] };
        s.ack = Math.max(s.ack, r.ack);
        s.sealedMs = Math.min(s.sealedMs, Number(r.sealed_ms));
        if (r.state === 'stored' && r.sha256 !== null) s.verified += 1;
        else s.waiting.push(r.zone_id);
        bySegment.set(r.segment_id, s);
      }
      const byCamera = new Map<string, { cameraId: string; segments: number; oldestSealedMs: number; waitingFor: Set<string> }>();
      for (const s of bySegment.values()) {
        if (s.verified >= s.ack) continue;
        const c = byCamera.get(s.cameraId) ?? { cameraId: s.cameraId, segments: 0, oldestSealedMs: s.sealedMs, waitingFor: new Set<string>() };
        c.segments += 1;
        c.oldestSealedMs = Math.min(c.oldestSealedMs, s.sealedMs);
        for (const z of s.waiting) c.waitingFor.add(z);
        byCamera.set(s.cameraId, c);
      }
      return [...byCamera.values()]
        .map((c) => ({ cameraId: c.cameraId, segments: c.segments, oldestSealedMs: c.oldestSealedMs, waitingFor: [...c.waitingFor].sort() }))
        .sort((a, b) => b.segments - a.segments || a.cameraId.localeCompare(b.cameraId));
    },
    async setHashes(zoneId, hashes, nowMs) {
      if (hashes.size === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const [segmentId, sha256] of hashes) {
          await trx.updateTable('segment_copies').set({ sha256, updated_ms: nowMs }).where('segment_id', '=', segmentId).where('zone_id', '=', zoneId).where('sha256', 'is', null).execute();
        }
      });
    },
    async unhashed(zoneId, afterSegmentId, limit) {
      const rows = await db
        .selectFrom('segment_copies')
        .selectAll()
        .where('zone_id', '=', zoneId)
        .where('state', '=', 'stored')
        .where('sha256', 'is', null)
        .where('segment_id', '>', afterSegmentId)
        .orderBy('segment_id')
        .limit(limit)
        .execute();
      return rows.map(toCopy);
    },
    async leafHashes(segmentIds) {
      const out = new Map<string, string>();
      for (let i = 0; i < segmentIds.length; i += 500) {
        const batch = segmentIds.slice(i, i + 500);
        const rows = await db.selectFrom('audit_events').select(['target_id', 'record']).where('type', '=', 'footage.segment.sealed').where('target_id', 'in', batch).orderBy('seq').execute();
        for (const r of rows) {
          const sha = (JSON.parse(r.record) as { details?: { objectSha256?: unknown } }).details?.objectSha256;
          if (r.target_id !== null && typeof sha === 'string' && !out.has(r.target_id)) out.set(r.target_id, sha);
        }
      }
      return out;
    },
    async layout() {
      return (await db.selectFrom('storage_layout').select('layout').where('id', '=', 'zones').executeTakeFirst())?.layout ?? null;
    },
    async saveLayout(layout, nowMs) {
      await db
        .insertInto('storage_layout')
        .values({ id: 'zones', layout, saved_ms: nowMs })
        .onConflict((oc) => oc.column('id').doUpdateSet({ layout, saved_ms: nowMs }))
        .execute();
    },
  };
}
