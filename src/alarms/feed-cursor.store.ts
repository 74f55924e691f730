import type { Db } from '../db/database.ts';
import type { LeaseFence } from '../db/lease-fence.ts';

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

/**
 * The same cursor whose saves run under the jobs lease's fence (cluster mode, ADR 0039): a node
 * paused past its lease cannot move the cursor back under its successor. Null: unfenced.
 */
export function fencedFeedCursor(db: Db, id: string, fence: LeaseFence | null): FeedCursor {
  const plain = createFeedCursor(db, id);
  if (fence === null) return plain;
  return { load: () => plain.load(), save: (next, nowMs) => fence.run((trx) => createFeedCursor(trx, id).save(next, nowMs)) };
}
