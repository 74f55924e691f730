import type { Db } from '../db/database.ts';
import type { SessionTable } from '../db/tables.ts';
import type { SessionStore, StoredSession } from './session.ts';



const toSession = (r: SessionTable): StoredSession => ({
  idHash: r.id_hash,
  userId: r.user_id,
  csrf: r.csrf,
  method: r.method,
  mfa: r.mfa === 1,
  createdMs: Number(r.created_ms),
  lastSeenMs: Number(r.last_seen_ms),
  endedMs: r.ended_ms === null ? null : Number(r.ended_ms),
});

/** The Kysely adapter of {@link SessionStore}. */
export function createSessionStore(db: Db): SessionStore {
  return {
    async get(idHash) {
      const r = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      return r && toSession(r);
    },
    async insert(s) {
      await db
        .insertInto('sessions')
        .values({ id_hash: s.idHash, user_id: s.userId, csrf: s.csrf, method: s.method, mfa: s.mfa ? 1 : 0, created_ms: s.createdMs, last_seen_ms: s.lastSeenMs, ended_ms: s.endedMs })
        .execute();
    },
    async touch(idHash, lastSeenMs) {
      await db.updateTable('sessions').set({ last_seen_ms: lastSeenMs }).where('id_hash', '=', idHash).execute();
    },
    async end(idHash, endedMs) {
      await db.updateTable('sessions').set({ ended_ms: endedMs }).where('id_hash', '=', idHash).where('ended_ms', 'is', null).execute();
    },
    async endAll(userId, endedMs) {
      const r = await db.updateTable('sessions').set({ ended_ms: endedMs }).where('user_id', '=', userId).where('ended_ms', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
