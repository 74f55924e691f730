import type { Db } from '../db/database.ts';
import type { ApiTokenTable } from '../db/tables.ts';
import type { StoredToken, TokenStore } from './api-token.ts';



const toToken = (r: ApiTokenTable): StoredToken => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  tokenHash: r.token_hash,
  permissions: JSON.parse(r.permissions) as string[],
  createdBy: r.created_by,
  createdMs: Number(r.created_ms),
  expiresMs: Number(r.expires_ms),
  lastUsedMs: r.last_used_ms === null ? null : Number(r.last_used_ms),
  revokedMs: r.revoked_ms === null ? null : Number(r.revoked_ms),
});

/** The Kysely adapter of {@link TokenStore}. */
export function createTokenStore(db: Db): TokenStore {
  return {
    async byHash(hash) {
      const r = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
      return r && toToken(r);
    },
    async get(id) {
      const r = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toToken(r);
    },
    async ofUser(userId) {
      return (await db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_ms').execute()).map(toToken);
    },
    async insert(t) {
      await db
        .insertInto('api_tokens')
        .values({
          id: t.id,
          user_id: t.userId,
          name: t.name,
          token_hash: t.tokenHash,
          permissions: JSON.stringify(t.permissions),
          created_by: t.createdBy,
          created_ms: t.createdMs,
          expires_ms: t.expiresMs,
          last_used_ms: null,
          revoked_ms: null,
        })
        .execute();
    },
    async used(id, atMs) {
      await db.updateTable('api_tokens').set({ last_used_ms: atMs }).where('id', '=', id).execute();
    },
    async revoke(id, atMs) {
      const r = await db.updateTable('api_tokens').set({ revoked_ms: atMs }).where('id', '=', id).where('revoked_ms', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async revokeAll(userId, atMs) {
      const r = await db.updateTable('api_tokens').set({ revoked_ms: atMs }).where('user_id', '=', userId).where('revoked_ms', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
