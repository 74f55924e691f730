import type { Db } from '../db/database.ts';
import type { SystemFacts } from './system-facts.ts';

/** The Kysely adapter of {@link SystemFacts}. */
export function createSystemFacts(db: Db): SystemFacts {
  return {
    async users(nowMs) {
      const [users, grants, totp, passkeys] = await Promise.all([
        db.selectFrom('users').select(['id', 'username', 'kind']).where('disabled', '=', 0).where((eb) => eb.or([eb('expires_ms', 'is', null), eb('expires_ms', '>', nowMs)])).orderBy('username').execute(),
        db.selectFrom('grants').select(['user_id', 'role']).where('revoked_ms', 'is', null).where((eb) => eb.or([eb('expires_ms', 'is', null), eb('expires_ms', '>', nowMs)])).execute(),
        db.selectFrom('user_totp').select('user_id').where('confirmed_ms', 'is not', null).execute(),
        db.selectFrom('webauthn_credentials').select('user_id').execute(),
      ]);
      const withTotp = new Set(totp.map((t) => t.user_id));
      return users.map((u) => ({
        id: u.id,
        username: u.username,
        kind: u.kind,
        roles: [...new Set(grants.filter((g) => g.user_id === u.id).map((g) => g.role))].sort(),
        totp: withTotp.has(u.id),
        passkeys: passkeys.filter((p) => p.user_id === u.id).length,
      }));
    },
    async cameras() {
      const rows = await db.selectFrom('cameras').select(['id', 'name', 'url', 'retention_hours', 'enabled', 'username', 'password']).orderBy('name').execute();
      return rows.map((r) => {
        const stored = [r.username, r.password].filter((v): v is string => v !== null);
        return {
          id: r.id,
          name: r.name,
          scheme: r.url.slice(0, Math.max(0, r.url.indexOf(':'))).toLowerCase(),
          retentionHours: Number(r.retention_hours),
          enabled: r.enabled === 1,
          credentials: stored.length,
          sealedCredentials: stored.filter((v) => v.startsWith('v1:')).length,
        };
      });
    },
    async liveDataKeysByKek() {
      const rows = await db.selectFrom('data_keys').select(['kek_version']).select((eb) => eb.fn.countAll<string | number>().as('n')).where('destroyed_ms', 'is', null).groupBy('kek_version').execute();
      return new Map(rows.map((r) => [Number(r.kek_version), Number(r.n)]));
    },
    async segmentCount() {
      const row = await db.selectFrom('segments').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async latestEvent(type, outcome) {
      if (outcome === undefined) {
        const row = await db.selectFrom('audit_events').select(['seq', 'time_ms', 'record']).where('type', '=', type).orderBy('seq', 'desc').limit(1).executeTakeFirst();
        return row && { seq: Number(row.seq), timeMs: Number(row.time_ms), record: row.record };
      }
      // The outcome lives in the leaf text only: a LIKE on its canonical spelling narrows the rows
      // (through the (type, seq) index), the parsed record decides.
      const rows = await db
        .selectFrom('audit_events')
        .select(['seq', 'time_ms', 'record'])
        .where('type', '=', type)
        .where('record', 'like', `%"outcome":"${outcome}"%`)
        .orderBy('seq', 'desc')
        .limit(20)
        .execute();
      const row = rows.find((r) => (JSON.parse(r.record) as { outcome?: unknown }).outcome === outcome);
      return row && { seq: Number(row.seq), timeMs: Number(row.time_ms), record: row.record };
    },
    async firstEvent() {
      const row = await db.selectFrom('audit_events').select(['seq', 'time_ms', 'record']).orderBy('seq').limit(1).executeTakeFirst();
      return row && { seq: Number(row.seq), timeMs: Number(row.time_ms), record: row.record };
    },
  };
}
