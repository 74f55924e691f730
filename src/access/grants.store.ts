import type { Db } from '../db/database.ts';
import type { GrantTable } from '../db/tables.ts';
import { parseScope, scopeText } from './scope.ts';
import type { Grant, GrantStore } from './grant.ts';



const toGrant = (r: GrantTable): Grant => ({
  id: r.id,
  userId: r.user_id,
  role: r.role,
  scope: parseScope(r.scope_kind === 'global' ? 'global' : `${r.scope_kind}:${r.scope_id ?? ''}`),
  grantedBy: r.granted_by,
  grantedMs: Number(r.granted_ms),
  expiresMs: r.expires_ms === null ? null : Number(r.expires_ms),
  revokedBy: r.revoked_by,
  revokedMs: r.revoked_ms === null ? null : Number(r.revoked_ms),
  source: r.source,
});

/** The Kysely adapter of {@link GrantStore}. */
export function createGrantStore(db: Db): GrantStore {
  return {
    async get(id) {
      const r = await db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toGrant(r);
    },
    async ofUser(userId) {
      return (await db.selectFrom('grants').selectAll().where('user_id', '=', userId).where('revoked_ms', 'is', null).execute()).map(toGrant);
    },
    async all() {
      return (await db.selectFrom('grants').selectAll().where('revoked_ms', 'is', null).orderBy('granted_ms').execute()).map(toGrant);
    },
    async insert(g) {
      const text = scopeText(g.scope);
      await db
        .insertInto('grants')
        .values({
          id: g.id,
          user_id: g.userId,
          role: g.role,
          scope_kind: g.scope.kind,
          scope_id: g.scope.kind === 'global' ? null : text.slice(text.indexOf(':') + 1),
          granted_by: g.grantedBy,
          granted_ms: g.grantedMs,
          expires_ms: g.expiresMs,
          revoked_by: null,
          revoked_ms: null,
          source: g.source,
        })
        .execute();
    },
    async revoke(id, by, atMs) {
      const r = await db.updateTable('grants').set({ revoked_by: by, revoked_ms: atMs }).where('id', '=', id).where('revoked_ms', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async scopeExists(scope) {
      switch (scope.kind) {
        case 'global':
          return true;
        case 'site':
          return (await db.selectFrom('sites').select('id').where('id', '=', scope.id).executeTakeFirst()) !== undefined;
        case 'group':
          return (await db.selectFrom('camera_groups').select('id').where('id', '=', scope.id).executeTakeFirst()) !== undefined;
        case 'camera':
          return (await db.selectFrom('cameras').select('id').where('id', '=', scope.id).executeTakeFirst()) !== undefined;
      }
    },
  };
}
