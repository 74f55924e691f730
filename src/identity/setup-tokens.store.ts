import type { Db } from '../db/database.ts';
import type { SetupTokenStore } from './setup-token.ts';

/** The Kysely adapter of {@link SetupTokenStore}: `setup_tokens`. */
export function createSetupTokenStore(db: Db): SetupTokenStore {
  return {
    async replaceUnused(tokenHash, createdMs) {
      await db.deleteFrom('setup_tokens').where('used_ms', 'is', null).execute();
      await db.insertInto('setup_tokens').values({ token_hash: tokenHash, created_ms: createdMs, used_ms: null }).execute();
    },
    async markUsed(tokenHash, usedMs) {
      const r = await db.updateTable('setup_tokens').set({ used_ms: usedMs }).where('token_hash', '=', tokenHash).where('used_ms', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
