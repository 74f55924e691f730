import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { LoginFailureStore } from './login-throttle.ts';

/** The Kysely adapter of {@link LoginFailureStore}: `auth_failures` and `auth_known_addresses`. */
export function createLoginFailureStore(db: Db): LoginFailureStore {
  return {
    async add(ticket, timeMs) {
      await db.insertInto('auth_failures').values({ id: ticket.id, username: ticket.username, address: ticket.address, time_ms: timeMs }).execute();
    },
    async remove(id) {
      await db.deleteFrom('auth_failures').where('id', '=', id).execute();
    },
    async prune(beforeMs) {
      await db.deleteFrom('auth_failures').where('time_ms', '<', beforeMs).execute();
    },
    async counts(username, address, sinceMs) {
      const r = await db
        .selectFrom('auth_failures')
        .select([sql<string | number>`sum(case when address = ${address} then 1 else 0 end)`.as('pair'), (eb) => eb.fn.countAll<string | number>().as('account')])
        .where('username', '=', username)
        .where('time_ms', '>', sinceMs)
        .executeTakeFirstOrThrow();
      return { pair: Number(r.pair ?? 0), account: Number(r.account) };
    },
    async clearPair(username, address) {
      await db.deleteFrom('auth_failures').where('username', '=', username).where('address', '=', address).execute();
    },
    async markKnown(username, address, timeMs) {
      await db
        .insertInto('auth_known_addresses')
        .values({ username, address, last_ms: timeMs })
        .onConflict((oc) => oc.columns(['username', 'address']).doUpdateSet({ last_ms: timeMs }))
        .execute();
    },
    async lastKnown(username, address) {
      const r = await db.selectFrom('auth_known_addresses').select('last_ms').where('username', '=', username).where('address', '=', address).executeTakeFirst();
      return r === undefined ? undefined : Number(r.last_ms);
    },
  };
}
