import type { Db } from '../db/database.ts';
import type { SegmentTable } from '../db/tables.ts';
import type { FragmentEntry, Gap, Segment } from '../media/segment.ts';
import { recordingOf } from './recorded-stream.ts';

/** The segment and gap index in the metadata database (SQLite or PostgreSQL). */
export interface SegmentIndex {
  /**
   * Records a segment being written (state open), before its object is created. Idempotent (an
   * upsert by id). `fence` is the writer's lease token on the camera (cluster mode): the database
   * refuses the write when the camera's lease carries a newer one (LEASE_LOST, fencing.ts).
   */
  insert(segment: Segment, fence?: number | null): Promise<void>;
  /** Replaces a segment's row (close, recovery); `fence` as for insert. */
  update(segment: Segment, fence?: number | null): Promise<void>;
  remove(id: string): Promise<void>;
  get(id: string): Promise<Segment | undefined>;
  /** Segments of a camera overlapping [fromMs, toMs), oldest first. */
  overlapping(cameraId: string, fromMs: number, toMs: number): Promise<Segment[]>;
  /** The segment of a camera that ends last, if any. */
  lastSegment(cameraId: string): Promise<Segment | undefined>;
  /** Segments left open (by a crash). */
  open(): Promise<Segment[]>;
  /** Every object key the index knows. */
  objectKeys(): Promise<Set<string>>;
  /** Closed segments of a camera that ended before `beforeMs`, at most `limit`. */
  expired(cameraId: string, beforeMs: number, limit: number): Promise<Segment[]>;
  /**
   * What retention and the disk-full policy may delete: as {@link SegmentIndex.expired}, less
   * every segment overlapping a legal hold in force (a held bookmark, migration 0021). A hold on
   * a camera holds its recorded sub-stream too (`cameraId` may be a recording id, ADR 0043).
   */
  deletable(cameraId: string, beforeMs: number, limit: number): Promise<Segment[]>;
  /** Start of the camera's oldest segment that overlaps a legal hold in force, or null: its data keys MUST be kept. */
  oldestHeldStart(cameraId: string): Promise<number | null>;
  /** Camera ids that have segments but are no longer configured. */
  orphanCameraIds(knownIds: readonly string[]): Promise<string[]>;
  /** Records a gap; idempotent (a gap already recorded under its id is kept); `fence` as for insert. */
  insertGap(gap: Gap, fence?: number | null): Promise<void>;
  /** Ends every open gap of a camera at `endMs`; `fence` as for insert. */
  closeGaps(cameraId: string, endMs: number, fence?: number | null): Promise<void>;
  gapsOverlapping(cameraId: string, fromMs: number, toMs: number): Promise<Gap[]>;
  /** Deletes gaps that ended before `beforeMs`. */
  removeGapsBefore(cameraId: string, beforeMs: number): Promise<void>;
}

/** Creates the index over a database handle. */
export function createSegmentIndex(db: Db): SegmentIndex {
  return {
    async insert(segment, fence = null) {
      const row = { ...toRow(segment), fence };
      await db.insertInto('segments').values(row).onConflict((oc) => oc.column('id').doUpdateSet(row)).execute();
    },
    async update(segment, fence = null) {
      await db.updateTable('segments').set({ ...toRow(segment), fence }).where('id', '=', segment.id).execute();
    },
    async remove(id) {
      await db.deleteFrom('segments').where('id', '=', id).execute();
    },
    async get(id) {
      const row = await db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toSegment(row);
    },
    async overlapping(cameraId, fromMs, toMs) {
      const rows = await db
        .selectFrom('segments')
        .selectAll()
        .where('camera_id', '=', cameraId)
        .where('start_ms', '<', toMs)
        .where('end_ms', '>', fromMs)
        .orderBy('start_ms')
        .execute();
      return rows.map(toSegment);
    },
    async lastSegment(cameraId) {
      const row = await db.selectFrom('segments').selectAll().where('camera_id', '=', cameraId).orderBy('end_ms', 'desc').limit(1).executeTakeFirst();
      return row && toSegment(row);
    },
    async open() {
      const rows = await db.selectFrom('segments').selectAll().where('state', '=', 'open').execute();
      return rows.map(toSegment);
    },
    async objectKeys() {
      const rows = await db.selectFrom('segments').select('object_key').execute();
      return new Set(rows.map((r) => r.object_key));
    },
    async expired(cameraId, beforeMs, limit) {
      const rows = await db
        .selectFrom('segments')
        .selectAll()
        .where('camera_id', '=', cameraId)
        .where('state', '!=', 'open')
        .where('end_ms', '<', beforeMs)
        .orderBy('start_ms')
        .limit(limit)
        .execute();
      return rows.map(toSegment);
    },
    async deletable(cameraId, beforeMs, limit) {
      const rows = await db
        .selectFrom('segments')
        .selectAll()
        .where('camera_id', '=', cameraId)
        .where('state', '!=', 'open')
        .where('end_ms', '<', beforeMs)
        .where((eb) =>
          // Legal holds in force (held bookmarks) overlapping this segment: it stays.
          eb.not(
            eb.exists(
              eb
                .selectFrom('bookmarks')
                .select('bookmarks.id')
                .where('bookmarks.camera_id', '=', recordingOf(cameraId).cameraId)
                .where('bookmarks.hold_ms', 'is not', null)
                .whereRef('bookmarks.from_ms', '<', 'segments.end_ms')
                .whereRef('bookmarks.to_ms', '>', 'segments.start_ms'),
            ),
          ),
        )
        .orderBy('start_ms')
        .limit(limit)
        .execute();
      return rows.map(toSegment);
    },
    async oldestHeldStart(cameraId) {
      const row = await db
        .selectFrom('segments')
        .select((eb) => eb.fn.min('start_ms').as('start'))
        .where('camera_id', '=', cameraId)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('bookmarks')
              .select('bookmarks.id')
              .where('bookmarks.camera_id', '=', recordingOf(cameraId).cameraId)
              .where('bookmarks.hold_ms', 'is not', null)
              .whereRef('bookmarks.from_ms', '<', 'segments.end_ms')
              .whereRef('bookmarks.to_ms', '>', 'segments.start_ms'),
          ),
        )
        .executeTakeFirst();
      return row?.start === null || row?.start === undefined ? null : Number(row.start);
    },
    async orphanCameraIds(knownIds) {
      let query = db.selectFrom('segments').select('camera_id').distinct();
      if (knownIds.length > 0) query = query.where('camera_id', 'not in', knownIds);
      return (await query.execute()).map((r) => r.camera_id);
    },
    async insertGap(gap, fence = null) {
      await db
        .insertInto('gaps')
        .values({ id: gap.id, camera_id: gap.cameraId, start_ms: gap.startMs, end_ms: gap.endMs, reason: gap.reason, fence })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    },
    async closeGaps(cameraId, endMs, fence = null) {
      await db.updateTable('gaps').set({ end_ms: endMs, fence }).where('camera_id', '=', cameraId).where('end_ms', 'is', null).execute();
    },
    async gapsOverlapping(cameraId, fromMs, toMs) {
      const rows = await db
        .selectFrom('gaps')
        .selectAll()
        .where('camera_id', '=', cameraId)
        .where('start_ms', '<', toMs)
        .where((eb) => eb.or([eb('end_ms', 'is', null), eb('end_ms', '>', fromMs)]))
        .orderBy('start_ms')
        .execute();
      return rows.map((r) => ({ id: r.id, cameraId: r.camera_id, startMs: r.start_ms, endMs: r.end_ms, reason: r.reason }));
    },
    async removeGapsBefore(cameraId, beforeMs) {
      await db.deleteFrom('gaps').where('camera_id', '=', cameraId).where('end_ms', '<', beforeMs).execute();
    },
  };
}

function toRow(s: Segment): SegmentTable {
  return {
    id: s.id,
    camera_id: s.cameraId,
    object_key: s.objectKey,
    start_ms: s.startMs,
    end_ms: s.endMs,
    bytes: s.bytes,
    init_size: s.initSize,
    codec: s.codec,
    timescale: s.timescale,
    fragments: JSON.stringify(s.fragments.map((f) => [f.offset, f.size, f.durationMs, f.keyframe ? 1 : 0])),
    state: s.state,
  };
}

function toSegment(r: SegmentTable): Segment {
  const raw = JSON.parse(r.fragments) as Array<[number, number, number, number]>;
  const fragments: FragmentEntry[] = raw.map(([offset, size, durationMs, keyframe]) => ({ offset, size, durationMs, keyframe: keyframe === 1 }));
  return {
    id: r.id,
    cameraId: r.camera_id,
    objectKey: r.object_key,
    startMs: r.start_ms,
    endMs: r.end_ms,
    bytes: r.bytes,
    initSize: r.init_size,
    codec: r.codec,
    timescale: r.timescale,
    fragments,
    state: r.state,
  };
}

/**
 * The index as seen by the holder of a camera's lease (cluster mode): every insert and update
 * carries `token`, so the database refuses them once another recorder holds the camera.
 */
export function fencedIndex(index: SegmentIndex, token: number): SegmentIndex {
  return {
    ...index,
    insert: (segment) => index.insert(segment, token),
    update: (segment) => index.update(segment, token),
    insertGap: (gap) => index.insertGap(gap, token),
    closeGaps: (cameraId, endMs) => index.closeGaps(cameraId, endMs, token),
  };
}
