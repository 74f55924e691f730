import { sql } from 'kysely';
import { AppError } from '../lib/errors.ts';
import type { Db } from './database.ts';

/**
 * Runs a write only while a named lease (cluster_leases, migration 0020) is still held by this
 * node under the token it was claimed with: the backstop for a job runner that was paused
 * (SIGSTOP, a VM freeze) past its lease while a successor took over (ADR 0039).
 *
 * Contract: the check and the write are one transaction, and the check takes a share lock on the
 * lease row; a successor's claim updates that row, so it waits for a write already checked, and
 * every write checked after the claim sees the new token and is refused with `LEASE_LOST`. A
 * `token()` of null (the lease is not held here) refuses too. PostgreSQL only (a cluster is).
 */
export interface LeaseFence {
  run<T>(write: (db: Db) => Promise<T>): Promise<T>;
}

export function leaseFence(db: Db, opts: { name: string; holder: string; token: () => number | null }): LeaseFence {
  return {
    async run(write) {
      return db.transaction().execute(async (trx) => {
        const token = opts.token();
        const refused = new AppError('LEASE_LOST', `this node no longer holds the ${opts.name} lease: the write was refused`);
        if (token === null) throw refused;
        const held = await sql<{ one: number }>`
          SELECT 1 AS one FROM cluster_leases
          WHERE name = ${opts.name} AND holder = ${opts.holder} AND token = ${token}
            AND expires_ms >= (extract(epoch from clock_timestamp()) * 1000)::bigint
          FOR SHARE`.execute(trx);
        if (held.rows.length === 0) throw refused;
        return write(trx);
      });
    },
  };
}
