import type { Db } from '../db/database.ts';
import type { LeaseFence } from '../db/lease-fence.ts';

/** Where the alarm rules stand: the next leaf index to evaluate and their windows (opaque JSON). */
export interface SavedAlarmState {
  readonly nextSeq: number;
  readonly state: string;
}

/**
 * Persistence of the alarm rules' position and windows (one row). Contract: `save` replaces
 * both together, so the position and the windows it was reached with never disagree.
 */
export interface AlarmStateStore {
  load(): Promise<SavedAlarmState | undefined>;
  save(saved: SavedAlarmState, nowMs: number): Promise<void>;
}

/** The single row's id. */
const rowId = 'default-rules';

export function createAlarmStateStore(db: Db): AlarmStateStore {
  return {
    async load() {
      const row = await db.selectFrom('alarm_state').select(['next_seq', 'state']).where('id', '=', rowId).executeTakeFirst();
      return row === undefined ? undefined : { nextSeq: Number(row.next_seq), state: row.state };
    },
    async save(saved, nowMs) {
      await db
        .insertInto('alarm_state')
        .values({ id: rowId, next_seq: saved.nextSeq, state: saved.state, saved_ms: nowMs })
        .onConflict((oc) => oc.column('id').doUpdateSet({ next_seq: saved.nextSeq, state: saved.state, saved_ms: nowMs }))
        .execute();
    },
  };
}

/** The same store whose saves run under the jobs lease's fence (cluster mode, ADR 0039); null: unfenced. */
export function fencedAlarmStateStore(db: Db, fence: LeaseFence | null): AlarmStateStore {
  const plain = createAlarmStateStore(db);
  if (fence === null) return plain;
  return { load: () => plain.load(), save: (saved, nowMs) => fence.run((trx) => createAlarmStateStore(trx).save(saved, nowMs)) };
}
