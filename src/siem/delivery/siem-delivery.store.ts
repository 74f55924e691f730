import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { LeaseFence } from '../../db/lease-fence.ts';
import type { Tables } from '../../db/tables.ts';

/** Delivery progress of one destination. */
export interface SiemCursor {
  readonly destinationId: string;
  /** The next leaf index to ship (everything below was delivered, filtered out or dead-lettered). */
  readonly nextSeq: number;
  readonly sent: number;
  readonly failed: number;
  readonly dead: number;
  readonly lastSuccessMs: number | null;
  readonly lastError: string | null;
}

/** One event a destination refused for good. */
export interface SiemDeadLetter {
  readonly seq: number;
  readonly eventId: string;
  readonly reason: string;
  readonly timeMs: number;
}

/** What one step of the loop changes (applied in one transaction). */
export interface CursorStep {
  readonly nextSeq: number;
  readonly sent?: number;
  readonly failed?: number;
  readonly lastSuccessMs?: number;
  readonly lastError?: string | null;
  readonly deadLetters?: readonly SiemDeadLetter[];
}

/**
 * Persistence of SIEM delivery (SQLite or PostgreSQL).
 *
 * Contract: `advance` writes the new cursor, the counters and the dead letters of one step in
 * one transaction, so after a crash the cursor never points past an event that was neither
 * delivered nor dead-lettered. Counters add; `nextSeq` never moves backwards.
 */
export interface SiemDeliveryStore {
  cursor(destinationId: string): Promise<SiemCursor>;
  advance(destinationId: string, step: CursorStep, nowMs: number): Promise<void>;
  deadLetters(destinationId: string, limit: number): Promise<SiemDeadLetter[]>;
  configHash(): Promise<string | undefined>;
  saveConfigHash(hash: string, nowMs: number): Promise<void>;
}

const fresh = (destinationId: string): SiemCursor => ({ destinationId, nextSeq: 0, sent: 0, failed: 0, dead: 0, lastSuccessMs: null, lastError: null });

export function createSiemDeliveryStore(db: Db): SiemDeliveryStore {
  return {
    async cursor(destinationId) {
      const row = await db.selectFrom('siem_cursors').selectAll().where('destination_id', '=', destinationId).executeTakeFirst();
      if (row === undefined) return fresh(destinationId);
      return {
        destinationId,
        nextSeq: Number(row.next_seq),
        sent: Number(row.sent),
        failed: Number(row.failed),
        dead: Number(row.dead),
        lastSuccessMs: row.last_success_ms === null ? null : Number(row.last_success_ms),
        lastError: row.last_error,
      };
    },
    async advance(destinationId, step, nowMs) {
      const dead = step.deadLetters ?? [];
      // One UPDATE in the common case (the shipping hot path); the row is made on the first step.
      const write = async (q: Kysely<Tables>) => {
        if (dead.length > 0) {
          await q
            .insertInto('siem_dead_letters')
            .values(dead.map((d) => ({ destination_id: destinationId, seq: d.seq, event_id: d.eventId, reason: d.reason, time_ms: d.timeMs })))
            .onConflict((oc) => oc.columns(['destination_id', 'seq']).doNothing())
            .execute();
        }
        const updated = await q
          .updateTable('siem_cursors')
          .set({
            next_seq: sql<number>`CASE WHEN next_seq > ${step.nextSeq} THEN next_seq ELSE ${step.nextSeq} END`,
            sent: sql<number>`sent + ${step.sent ?? 0}`,
            failed: sql<number>`failed + ${step.failed ?? 0}`,
            dead: sql<number>`dead + ${dead.length}`,
            ...(step.lastSuccessMs === undefined ? {} : { last_success_ms: step.lastSuccessMs }),
            ...(step.lastError === undefined ? {} : { last_error: step.lastError }),
            updated_ms: nowMs,
          })
          .where('destination_id', '=', destinationId)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) > 0) return;
        await q
          .insertInto('siem_cursors')
          .values({
            destination_id: destinationId,
            next_seq: step.nextSeq,
            sent: step.sent ?? 0,
            failed: step.failed ?? 0,
            dead: dead.length,
            last_success_ms: step.lastSuccessMs ?? null,
            last_error: step.lastError ?? null,
            updated_ms: nowMs,
          })
          .execute();
      };
      // Already inside a transaction (the jobs lease's fence): the step is atomic there.
      if (dead.length === 0 || db.isTransaction) await write(db);
      else await db.transaction().execute(write);
    },
    async deadLetters(destinationId, limit) {
      const rows = await db.selectFrom('siem_dead_letters').selectAll().where('destination_id', '=', destinationId).orderBy('seq', 'asc').limit(limit).execute();
      return rows.map((r) => ({ seq: Number(r.seq), eventId: r.event_id, reason: r.reason, timeMs: Number(r.time_ms) }));
    },
    async configHash() {
      const row = await db.selectFrom('siem_config_state').select('hash').where('id', '=', 'destinations').executeTakeFirst();
      return row?.hash;
    },
    async saveConfigHash(hash, nowMs) {
      await db
        .insertInto('siem_config_state')
        .values({ id: 'destinations', hash, saved_ms: nowMs })
        .onConflict((oc) => oc.column('id').doUpdateSet({ hash, saved_ms: nowMs }))
        .execute();
    },
  };
}

/**
 * The same store whose cursor steps run under the jobs lease's fence (cluster mode, ADR 0039): a
 * node paused past its lease cannot move a cursor under its successor. Null: unfenced.
 */
export function fencedSiemDeliveryStore(db: Db, fence: LeaseFence | null): SiemDeliveryStore {
  const plain = createSiemDeliveryStore(db);
  if (fence === null) return plain;
  return { ...plain, advance: (id, step, nowMs) => fence.run((trx) => createSiemDeliveryStore(trx).advance(id, step, nowMs)) };
}
