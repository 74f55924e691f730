import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Several recorders on one database (issue 15): leases with fencing tokens, the nodes of the
 * cluster, and the token every index write of a camera carries.
 *
 * - `cluster_leases`: one row per lease (`camera:<id>`, `checkpoint-signer`). `token` only ever
 *   grows: each new holder gets the previous token + 1. `holder` is null once released cleanly;
 *   `prev_holder` and `prev_end_ms` say how the current holder got it (failover or handover).
 * - `cluster_nodes`: each `custos serve` process's id, roles, URL and last heartbeat.
 * - `segments.fence`, `gaps.fence`: the lease token of the writer. A trigger refuses (SQLSTATE
 *   CU001 on PostgreSQL, `CUSTOS_FENCED` on SQLite) an insert or update of a camera's row whose
 *   token is missing or older than the camera's lease, in the same statement: a recorder paused
 *   past its lease cannot write after its successor started. On PostgreSQL the lease row is read
 *   `FOR SHARE`, so the check and a takeover are serialised. Deletes are not fenced (retention).
 * - Rows of cameras that never had a lease (SQLite, one process) are not checked.
 */
export const clusterMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('cluster_leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text')
      .addColumn('token', 'bigint', (c) => c.notNull())
      .addColumn('expires_ms', 'bigint', (c) => c.notNull())
      .addColumn('acquired_ms', 'bigint', (c) => c.notNull())
      .addColumn('prev_holder', 'text')
      .addColumn('prev_end_ms', 'bigint')
      .execute();
    await db.schema
      .createTable('cluster_nodes')
      .addColumn('node_id', 'text', (c) => c.primaryKey())
      .addColumn('instance', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('url', 'text')
      .addColumn('started_ms', 'bigint', (c) => c.notNull())
      .addColumn('seen_ms', 'bigint', (c) => c.notNull())
      .addColumn('stopped_ms', 'bigint')
      .execute();
    await db.schema.alterTable('segments').addColumn('fence', 'bigint').execute();
    await db.schema.alterTable('gaps').addColumn('fence', 'bigint').execute();
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`
        CREATE FUNCTION custos_fence_check() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE current_token bigint;
        BEGIN
          SELECT token INTO current_token FROM cluster_leases WHERE name = 'camera:' || NEW.camera_id FOR SHARE;
          IF current_token IS NOT NULL AND (NEW.fence IS NULL OR NEW.fence < current_token) THEN
            RAISE EXCEPTION 'CUSTOS_FENCED: camera % is leased under token %, the write carries %', NEW.camera_id, current_token, coalesce(NEW.fence::text, 'none')
              USING ERRCODE = 'CU001';
          END IF;
          RETURN NEW;
        END $$`.execute(db);
      for (const table of ['segments', 'gaps']) {
        await sql`CREATE TRIGGER ${sql.raw(`${table}_fence`)} BEFORE INSERT OR UPDATE ON ${sql.table(table)} FOR EACH ROW EXECUTE FUNCTION custos_fence_check()`.execute(db);
      }
    } else {
      for (const table of ['segments', 'gaps']) {
        for (const op of ['INSERT', 'UPDATE']) {
          await sql`
            CREATE TRIGGER ${sql.raw(`${table}_fence_${op.toLowerCase()}`)} BEFORE ${sql.raw(op)} ON ${sql.table(table)}
            WHEN EXISTS (SELECT 1 FROM cluster_leases WHERE name = 'camera:' || NEW.camera_id AND (NEW.fence IS NULL OR NEW.fence < token))
            BEGIN SELECT RAISE(ABORT, 'CUSTOS_FENCED: the write carries an older lease token than the camera''s'); END`.execute(db);
        }
      }
    }
  },
};
