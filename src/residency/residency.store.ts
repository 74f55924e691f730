import type { Db } from '../db/database.ts';
import type { FootageHolding } from './residency-report.ts';

/** What residency reads from the database: footage per camera and the last recorded residency configuration. */
export interface ResidencyStore {
  /**
   * Segments and bytes per camera and storage zone (a stored copy each), with their time span.
   */
  footage(): Promise<FootageHolding[]>;
  /** Every configured camera's id and name (names only: the report needs no credential). */
  cameras(): Promise<{ id: string; name: string }[]>;
  /** `details.hash` of the last `residency.configured` ledger event, or null when there is none. */
  lastRecordedHash(): Promise<string | null>;
}

export function createResidencyStore(db: Db): ResidencyStore {
  return {
    async footage() {
      // Every stored copy of a segment, per camera and storage zone (src/storage/, segment_copies).
      const rows = await db
        .selectFrom('segment_copies as c')
        .innerJoin('segments as s', 's.id', 'c.segment_id')
        .where('c.state', '=', 'stored')
        .select((eb) => ['s.camera_id', 'c.zone_id', eb.fn.countAll<number>().as('segments'), eb.fn.sum<number>('s.bytes').as('bytes'), eb.fn.min<number>('s.start_ms').as('first_ms'), eb.fn.max<number>('s.end_ms').as('last_ms')])
        .groupBy(['s.camera_id', 'c.zone_id'])
        .execute();
      // A recorded sub-stream's rows carry the recording id `<camera id>.sub` (recording/recorded-stream.ts, ADR 0043).
      const sub = (id: string) => id.endsWith('.sub');
      return rows.map((r) => ({ cameraId: sub(r.camera_id) ? r.camera_id.slice(0, -4) : r.camera_id, stream: sub(r.camera_id) ? ('sub' as const) : ('main' as const), zone: r.zone_id, segments: Number(r.segments), bytes: Number(r.bytes), firstMs: r.first_ms === null ? null : Number(r.first_ms), lastMs: r.last_ms === null ? null : Number(r.last_ms) }));
    },
    async cameras() {
      return db.selectFrom('cameras').select(['id', 'name']).orderBy('name').execute();
    },
    async lastRecordedHash() {
      const row = await db.selectFrom('audit_events').select('record').where('type', '=', 'residency.configured').orderBy('seq', 'desc').limit(1).executeTakeFirst();
      if (!row) return null;
      const hash = (JSON.parse(row.record) as { details?: { hash?: unknown } }).details?.hash;
      return typeof hash === 'string' ? hash : null;
    },
  };
}
