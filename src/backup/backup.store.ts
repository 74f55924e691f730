import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { SnapshotFacts } from '../db/sqlite-snapshot.ts';

/** The facts a backup manifest states, read over an open database (either engine). */
export async function databaseFacts(db: Db): Promise<SnapshotFacts> {
  const head = await db.selectFrom('audit_head').select('size').where('id', '=', 1).executeTakeFirst();
  const cp = await db.selectFrom('audit_checkpoints').select(sql<number | null>`max(size)`.as('n')).executeTakeFirst();
  const seg = await db.selectFrom('segments').select(sql<number>`count(*)`.as('n')).executeTakeFirst();
  const keks = await db.selectFrom('data_keys').select('kek_version').distinct().where('wrapped', '<>', '').orderBy('kek_version').execute();
  return {
    ledgerSize: Number(head?.size ?? 0),
    checkpointSize: Number(cp?.n ?? 0),
    segments: Number(seg?.n ?? 0),
    kekVersions: keks.map((k) => Number(k.kek_version)),
  };
}

/** Ids of every camera (their data keys ahead are created before a backup). */
export async function cameraIds(db: Db): Promise<string[]> {
  return (await db.selectFrom('cameras').select('id').execute()).map((c) => c.id);
}
