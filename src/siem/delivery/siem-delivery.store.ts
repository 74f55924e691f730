import type { Db } from '../../db/database.ts';

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
      await db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('siem_cursors').selectAll().where('destination_id', '=', destinationId).executeTakeFirst();
        const dead = step.deadLetters ?? [];
        if (dead.length > 0) {
          await trx
            .insertInto('siem_dead_letters')
            .values(dead.map((d) => ({ destination_id: destinationId, seq: d.seq, event_id: d.eventId, reason: d.reason, time_ms: d.timeMs })))
            .onConflict((oc) => oc.columns(['destination_id', 'seq']).doNothing())
            .execute();
        }
        const values = {
          next_seq: Math.max(step.nextSeq, row === undefined ? 0 : Number(row.next_seq)),
          sent: (row === undefined ? 0 : Number(row.sent)) + (step.sent ?? 0),
          failed: (row === undefined ? 0 : Number(row.failed)) + (step.failed ?? 0),
          dead: (row === undefined ? 0 : Number(row.dead)) + dead.length,
          last_success_ms: step.lastSuccessMs ?? (row === undefined ? null : row.last_success_ms),
          last_error: step.lastError === undefined ? (row?.last_error ?? null) : step.lastError,
          updated_ms: nowMs,
        };
        if (row === undefined) await trx.insertInto('siem_cursors').values({ destination_id: destinationId, ...values }).execute();
        else await trx.updateTable('siem_cursors').set(values).where('destination_id', '=', destinationId).execute();
      });
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
