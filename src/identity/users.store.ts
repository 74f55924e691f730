import type { Db } from '../db/database.ts';
import type { UserTable } from '../db/tables.ts';
import type { User } from './user.ts';
import type { UserStore } from './user-store.ts';


const toUser = (r: UserTable): User => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  kind: r.kind === 'sso' ? 'sso' : 'local',
  provider: r.provider,
  subject: r.subject,
  passwordHash: r.password_hash,
  passwordChangedMs: r.password_changed_ms === null ? null : Number(r.password_changed_ms),
  external: r.external === 1,
  expiresMs: r.expires_ms === null ? null : Number(r.expires_ms),
  disabled: r.disabled === 1,
  createdBy: r.created_by,
  createdMs: Number(r.created_ms),
  updatedMs: Number(r.updated_ms),
  resetMs: r.reset_ms === null || r.reset_ms === undefined ? null : Number(r.reset_ms),
});

const toRow = (u: User): UserTable => ({
  id: u.id,
  username: u.username,
  display_name: u.displayName,
  kind: u.kind,
  provider: u.provider,
  subject: u.subject,
  password_hash: u.passwordHash,
  password_changed_ms: u.passwordChangedMs,
  external: u.external ? 1 : 0,
  expires_ms: u.expiresMs,
  disabled: u.disabled ? 1 : 0,
  created_by: u.createdBy,
  created_ms: u.createdMs,
  updated_ms: u.updatedMs,
  reset_ms: u.resetMs,
});

/** The Kysely adapter of {@link UserStore} (SQLite and PostgreSQL). */
export function createUserStore(db: Db): UserStore {
  return {
    async get(id) {
      const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toUser(r);
    },
    async findByUsername(username) {
      const r = await db.selectFrom('users').selectAll().where('username', '=', username.toLowerCase()).executeTakeFirst();
      return r && toUser(r);
    },
    async findBySubject(provider, subject) {
      const r = await db.selectFrom('users').selectAll().where('provider', '=', provider).where('subject', '=', subject).executeTakeFirst();
      return r && toUser(r);
    },
    async list() {
      return (await db.selectFrom('users').selectAll().orderBy('username').execute()).map(toUser);
    },
    async count() {
      const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async insert(user) {
      await db.insertInto('users').values(toRow(user)).execute();
    },
    async update(user) {
      await db.updateTable('users').set(toRow(user)).where('id', '=', user.id).execute();
    },
  };
}
