import type { Db } from '../db/database.ts';
import type { DataKeyTable } from '../db/tables.ts';
import type { DataKeyRecord, DataKeyStore } from './data-keys.ts';

/** Wrapped data keys in the metadata database (SQLite or PostgreSQL). */
export function createDataKeyStore(db: Db): DataKeyStore {
  const byWindow = (cameraId: string, windowStartMs: number, generation?: number) => {
    let q = db.selectFrom('data_keys').selectAll().where('camera_id', '=', cameraId).where('hour_ms', '=', windowStartMs);
    if (generation !== undefined) q = q.where('generation', '=', generation);
    return q.orderBy('generation', 'desc').limit(1).executeTakeFirst();
  };
  return {
    async findByWindow(cameraId, windowStartMs) {
      const row = await byWindow(cameraId, windowStartMs);
      return row && toRecord(row);
    },
    async get(id) {
      const row = await db.selectFrom('data_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async insertIfAbsent(record) {
      await db
        .insertInto('data_keys')
        .values({
          id: record.id,
          camera_id: record.cameraId,
          hour_ms: record.windowStartMs,
          generation: record.generation,
          kek_version: record.kekVersion,
          wrapped: record.wrapped?.toString('base64') ?? '',
          created_ms: record.createdMs,
          destroyed_ms: record.destroyedMs,
        })
        .onConflict((oc) => oc.columns(['camera_id', 'hour_ms', 'generation']).doNothing())
        .execute();
      const row = await byWindow(record.cameraId, record.windowStartMs, record.generation);
      if (row === undefined) throw new Error(`data key for ${record.cameraId}@${record.windowStartMs} vanished after insert`);
      return toRecord(row);
    },
    async destroyStartingAtOrBefore(cameraId, lastStartMs, nowMs) {
      return db.transaction().execute(async (tx) => {
        const rows = await tx
          .selectFrom('data_keys')
          .select('id')
          .where('camera_id', '=', cameraId)
          .where('hour_ms', '<=', lastStartMs)
          .where('destroyed_ms', 'is', null)
          .execute();
        if (rows.length === 0) return [];
        const ids = rows.map((r) => r.id);
        await tx.updateTable('data_keys').set({ destroyed_ms: nowMs, wrapped: '' }).where('id', 'in', ids).where('destroyed_ms', 'is', null).execute();
        return ids;
      });
    },
    async listLiveBelowVersion(version, afterId, limit) {
      const rows = await db
        .selectFrom('data_keys')
        .selectAll()
        .where('kek_version', '<', version)
        .where('destroyed_ms', 'is', null)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },
    async countLiveBelowVersion(version) {
      const row = await db
        .selectFrom('data_keys')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('kek_version', '<', version)
        .where('destroyed_ms', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async counts() {
      const rows = await db
        .selectFrom('data_keys')
        .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.case().when('destroyed_ms', 'is', null).then(0).else(1).end().as('destroyed')])
        .groupBy('destroyed')
        .execute();
      const n = (destroyed: number) => Number(rows.find((r) => Number(r.destroyed) === destroyed)?.n ?? 0);
      return { live: n(0), destroyed: n(1) };
    },
    async rewrap(id, fromVersion, toVersion, wrapped) {
      const result = await db
        .updateTable('data_keys')
        .set({ kek_version: toVersion, wrapped: wrapped.toString('base64') })
        .where('id', '=', id)
        .where('kek_version', '=', fromVersion)
        .where('destroyed_ms', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

function toRecord(row: DataKeyTable): DataKeyRecord {
  return {
    id: row.id,
    cameraId: row.camera_id,
    windowStartMs: Number(row.hour_ms),
    generation: Number(row.generation),
    kekVersion: Number(row.kek_version),
    wrapped: row.destroyed_ms === null && row.wrapped !== '' ? Buffer.from(row.wrapped, 'base64') : null,
    createdMs: Number(row.created_ms),
    destroyedMs: row.destroyed_ms === null ? null : Number(row.destroyed_ms),
  };
}
