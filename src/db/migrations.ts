import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Schema migrations, in order. A migration MUST work on SQLite and PostgreSQL and MUST NOT be
 * edited once released: add a new one instead.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('cameras')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('url', 'text', (c) => c.notNull().unique())
        .addColumn('username', 'text')
        .addColumn('password', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('retention_hours', 'integer', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('segments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addColumn('object_key', 'text', (c) => c.notNull().unique())
        .addColumn('start_ms', 'bigint', (c) => c.notNull())
        .addColumn('end_ms', 'bigint', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('init_size', 'integer', (c) => c.notNull())
        .addColumn('codec', 'text', (c) => c.notNull())
        .addColumn('timescale', 'integer', (c) => c.notNull())
        .addColumn('fragments', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('segments_camera_time').on('segments').columns(['camera_id', 'start_ms']).execute();
      await db.schema.createIndex('segments_state').on('segments').column('state').execute();
      await db.schema
        .createTable('gaps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addColumn('start_ms', 'bigint', (c) => c.notNull())
        .addColumn('end_ms', 'bigint')
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('gaps_camera_time').on('gaps').columns(['camera_id', 'start_ms']).execute();
      await db.schema
        .createTable('exports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addColumn('from_ms', 'bigint', (c) => c.notNull())
        .addColumn('to_ms', 'bigint', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('bytes', 'bigint')
        .addColumn('error', 'text')
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('finished_ms', 'bigint')
        .execute();
    },
  },
  '0002_data_keys': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Data keys (DEKs), one per camera per window, stored only wrapped by the master key.
      await db.schema
        .createTable('data_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addColumn('hour_ms', 'bigint', (c) => c.notNull())
        .addColumn('kek_version', 'integer', (c) => c.notNull())
        .addColumn('wrapped', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('destroyed_ms', 'bigint')
        .addUniqueConstraint('data_keys_camera_hour', ['camera_id', 'hour_ms'])
        .execute();
      await db.schema.createIndex('data_keys_kek_version').on('data_keys').column('kek_version').execute();
    },
  },
  '0003_camera_tls_ca': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('cameras').addColumn('tls_ca_pem', 'text').execute();
    },
  },
  '0004_audit_ledger': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The audit ledger (docs/reference/audit-ledger.md): committed records, their stored tree
      // nodes, the head row every writer locks first, and the signed checkpoint history.
      await db.schema
        .createTable('audit_events')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('time_ms', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('camera_id', 'text')
        .addColumn('target_id', 'text')
        .addColumn('record', 'text', (c) => c.notNull())
        .addColumn('personal', 'text')
        .execute();
      await db.schema.createIndex('audit_events_type').on('audit_events').columns(['type', 'seq']).execute();
      await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['actor_id', 'seq']).execute();
      await db.schema.createIndex('audit_events_camera').on('audit_events').columns(['camera_id', 'seq']).execute();
      await db.schema.createIndex('audit_events_time').on('audit_events').column('time_ms').execute();
      await db.schema.createIndex('audit_events_target').on('audit_events').columns(['target_id', 'type']).execute();
      await db.schema
        .createTable('audit_nodes')
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('idx', 'bigint', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_nodes_pk', ['level', 'idx'])
        .execute();
      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('writes', 'bigint', (c) => c.notNull())
        .execute();
      await (db as Kysely<{ audit_head: { id: number; size: number; writes: number } }>).insertInto('audit_head').values({ id: 1, size: 0, writes: 0 }).execute();
      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('size', 'bigint', (c) => c.primaryKey())
        .addColumn('root', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('signed_ms', 'bigint', (c) => c.notNull())
        .execute();
      // Chain of custody of exports, and the evidence (leaves, proofs, checkpoint) made at completion.
      await db.schema.alterTable('exports').addColumn('custody', 'text').execute();
      await db.schema.alterTable('exports').addColumn('evidence', 'text').execute();
    },
  },
  '0005_camera_ingest': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Which ingest pulls each camera (issue 5); existing cameras move to auto (native first).
      await db.schema.alterTable('cameras').addColumn('ingest', 'text', (c) => c.notNull().defaultTo('auto')).execute();
    },
  },
};
