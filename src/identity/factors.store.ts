import type { Db } from '../db/database.ts';
import type { FactorStore, StoredPasskey } from './factors.ts';

/** The Kysely adapter of {@link FactorStore}. */
export function createFactorStore(db: Db): FactorStore {
  const toPasskey = (r: { id: string; user_id: string; public_key: string; counter: number; transports: string; name: string; created_ms: number; last_used_ms: number | null }): StoredPasskey => ({
    id: r.id,
    userId: r.user_id,
    publicKey: r.public_key,
    counter: Number(r.counter),
    transports: JSON.parse(r.transports) as string[],
    name: r.name,
    createdMs: Number(r.created_ms),
    lastUsedMs: r.last_used_ms === null ? null : Number(r.last_used_ms),
  });
  return {
    async totp(userId) {
      const r = await db.selectFrom('user_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return r && { userId: r.user_id, sealedSecret: r.secret, confirmedMs: r.confirmed_ms === null ? null : Number(r.confirmed_ms), lastStep: Number(r.last_step) };
    },
    async putTotp(t, createdMs) {
      await db.deleteFrom('user_totp').where('user_id', '=', t.userId).where('confirmed_ms', 'is', null).execute();
      await db.insertInto('user_totp').values({ user_id: t.userId, secret: t.sealedSecret, confirmed_ms: t.confirmedMs, last_step: t.lastStep, created_ms: createdMs }).execute();
    },
    async confirmTotp(userId, step, atMs) {
      await db.updateTable('user_totp').set({ confirmed_ms: atMs, last_step: step }).where('user_id', '=', userId).execute();
    },
    async useTotpStep(userId, step) {
      const r = await db.updateTable('user_totp').set({ last_step: step }).where('user_id', '=', userId).where('last_step', '<', step).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async replaceRecoveryCodes(userId, hashes, atMs) {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
        if (hashes.length > 0) await tx.insertInto('user_recovery_codes').values(hashes.map((h) => ({ code_hash: h, user_id: userId, used_ms: null, created_ms: atMs }))).execute();
      });
    },
    async useRecoveryCode(userId, hash, atMs) {
      const r = await db
        .updateTable('user_recovery_codes')
        .set({ used_ms: atMs })
        .where('code_hash', '=', hash)
        .where('user_id', '=', userId)
        .where('used_ms', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async unusedRecoveryCodes(userId) {
      const r = await db
        .selectFrom('user_recovery_codes')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('user_id', '=', userId)
        .where('used_ms', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async hasRecoveryCode(userId, hash) {
      const r = await db.selectFrom('user_recovery_codes').select('code_hash').where('code_hash', '=', hash).where('user_id', '=', userId).where('used_ms', 'is', null).executeTakeFirst();
      return r !== undefined;
    },
    async removeAll(userId) {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('user_totp').where('user_id', '=', userId).execute();
        await tx.deleteFrom('webauthn_credentials').where('user_id', '=', userId).execute();
        await tx.deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
      });
    },
    async passkeys(userId) {
      return (await db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).orderBy('created_ms').execute()).map(toPasskey);
    },
    async passkey(id) {
      const r = await db.selectFrom('webauthn_credentials').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toPasskey(r);
    },
    async addPasskey(p) {
      await db
        .insertInto('webauthn_credentials')
        .values({ id: p.id, user_id: p.userId, public_key: p.publicKey, counter: p.counter, transports: JSON.stringify(p.transports), name: p.name, created_ms: p.createdMs, last_used_ms: null })
        .execute();
    },
    async usePasskey(id, counter, atMs) {
      await db.updateTable('webauthn_credentials').set({ counter, last_used_ms: atMs }).where('id', '=', id).execute();
    },
  };
}
