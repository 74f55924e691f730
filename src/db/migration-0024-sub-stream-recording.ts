import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Dual recording of a camera's sub-stream (issue 20 item 7, ADR 0043).
 *
 * - `cameras.record_sub_stream`: 1 = the sub-stream is recorded as a second stream (0, the default: live only).
 * - `cameras.sub_stream_retention_hours`: its own retention, at most the camera's; null = the camera's.
 * - The fencing trigger of migration 0020 reads the lease of the row's camera: a sub-stream row
 *   (`camera_id` = `<camera id>.sub`, recording/recorded-stream.ts) is fenced by the camera's own
 *   lease (`camera:<camera id>`), so a recorder past its lease cannot write the sub-stream either.
 */
export const subStreamRecordingMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('cameras').addColumn('record_sub_stream', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('cameras').addColumn('sub_stream_retention_hours', 'integer').execute();
    const camera = "CASE WHEN NEW.camera_id LIKE '%.sub' THEN substr(NEW.camera_id, 1, length(NEW.camera_id) - 4) ELSE NEW.camera_id END";
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`
        CREATE OR REPLACE FUNCTION custos_fence_check() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE current_token bigint;
        BEGIN
          SELECT token INTO current_token FROM cluster_leases WHERE name = 'camera:' || (${sql.raw(camera)}) FOR SHARE;
          IF current_token IS NOT NULL AND (NEW.fence IS NULL OR NEW.fence < current_token) THEN
            RAISE EXCEPTION 'CUSTOS_FENCED: camera % is leased under token %, the write carries %', NEW.camera_id, current_token, coalesce(NEW.fence::text, 'none')
              USING ERRCODE = 'CU001';
          END IF;
          RETURN NEW;
        END $$`.execute(db);
      return;
    }
    for (const table of ['segments', 'gaps']) {
      for (const op of ['INSERT', 'UPDATE']) {
        const name = `${table}_fence_${op.toLowerCase()}`;
        await sql`DROP TRIGGER IF EXISTS ${sql.raw(name)}`.execute(db);
        await sql`
          CREATE TRIGGER ${sql.raw(name)} BEFORE ${sql.raw(op)} ON ${sql.table(table)}
          WHEN EXISTS (SELECT 1 FROM cluster_leases WHERE name = 'camera:' || (${sql.raw(camera)}) AND (NEW.fence IS NULL OR NEW.fence < token))
          BEGIN SELECT RAISE(ABORT, 'CUSTOS_FENCED: the write carries an older lease token than the camera''s'); END`.execute(db);
      }
    }
  },
};
