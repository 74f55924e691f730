import type { Db } from '../../db/database.ts';
import type { Clock } from '../../lib/clock.ts';

/**
 * Remembers which SAML assertion ids were already used, so a captured response cannot log in
 * twice (SAML 2.0 profiles §4.1.4.5: the SP MUST ensure a bearer assertion is not re-used).
 */
export interface AssertionReplayStore {
  /**
   * Claims `id` until `expiresMs` (epoch ms). Resolves true the first time, false when the id
   * is already claimed and not yet expired. MUST be atomic: of concurrent claims of one id,
   * at most one resolves true.
   */
  claim(id: string, expiresMs: number): Promise<boolean>;
}

/**
 * The replay store over table `sso_replay` (SQLite or PostgreSQL). A claim inserts the id; a
 * conflict on the primary key means replay. Expired rows are purged on every claim, so an id
 * is remembered exactly as long as its assertion could be accepted.
 */
export function createAssertionReplayStore(db: Db, clock: Clock): AssertionReplayStore {
  return {
    async claim(id, expiresMs) {
      await db.deleteFrom('sso_replay').where('expires_ms', '<=', clock.now()).execute();
      // ON CONFLICT DO NOTHING rather than catching the unique violation: same meaning, no
      // driver-specific error codes, and no aborted transaction on PostgreSQL.
      const result = await db
        .insertInto('sso_replay')
        .values({ id, expires_ms: Math.ceil(expiresMs) })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
  };
}
