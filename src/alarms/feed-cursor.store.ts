import type { Db } from '../db/database.ts';

/** The feed's position: the next leaf to read (a row of alarm_state). */
export interface FeedCursor {
  load(): Promise<number | undefined>;
  save(next: number, nowMs: number): Promise<void>;
}

/** The cursor of a feed, kept in the alarm_state table under `id`. */
export function createFeedCursor(db: Db, id: string): FeedCursor {
  return {
    async load() {
      const row = await db.selectFrom('alarm_state').select('next_seq').where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : Number(row.next_seq);
    },
    async save(next, nowMs) {
      await db
        .insertInto('alarm_state')
        .values({ id, next_seq: next, state: '{}', saved_ms: nowMs })
        .onConflict((oc) => oc.column('id').doUpdateSet({ next_seq: next, saved_ms: nowMs }))
        .execute();
    },
  };
}
