import type { Db } from '../db/database.ts';

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
