import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { secondWaveMigrations } from './migrations-second-wave.ts';

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
  '0006_identity_access': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Identity and access (issue 4). Times are ms since the epoch; secrets are stored hashed
      // (passwords: argon2id; tokens, sessions, recovery codes: SHA-256) or sealed (`v1:`).
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('provider', 'text')
        .addColumn('subject', 'text')
        .addColumn('password_hash', 'text')
        .addColumn('password_changed_ms', 'bigint')
        .addColumn('external', 'integer', (c) => c.notNull())
        .addColumn('expires_ms', 'bigint')
        .addColumn('disabled', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('users_provider_subject').on('users').columns(['provider', 'subject']).unique().execute();
      await db.schema
        .createTable('user_totp')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('confirmed_ms', 'bigint')
        .addColumn('last_step', 'bigint', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('user_recovery_codes')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('used_ms', 'bigint')
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('user_recovery_codes_user').on('user_recovery_codes').column('user_id').execute();
      await db.schema
        .createTable('webauthn_credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('counter', 'bigint', (c) => c.notNull())
        .addColumn('transports', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('last_used_ms', 'bigint')
        .execute();
      await db.schema.createIndex('webauthn_credentials_user').on('webauthn_credentials').column('user_id').execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('csrf', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('mfa', 'integer', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_ms', 'bigint', (c) => c.notNull())
        .addColumn('ended_ms', 'bigint')
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('permissions', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('expires_ms', 'bigint', (c) => c.notNull())
        .addColumn('last_used_ms', 'bigint')
        .addColumn('revoked_ms', 'bigint')
        .execute();
      await db.schema
        .createTable('auth_failures')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('time_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('auth_failures_user_time').on('auth_failures').columns(['username', 'time_ms']).execute();
      await db.schema
        .createTable('setup_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('used_ms', 'bigint')
        .execute();
      await db.schema
        .createTable('sites')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('four_eyes', 'integer', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('camera_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('camera_group_members')
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('camera_group_members_pk', ['group_id', 'camera_id'])
        .execute();
      // Every camera starts in the default site; four-eyes is off until an administrator sets it.
      await sql`INSERT INTO sites (id, name, four_eyes, created_ms) VALUES ('default', 'Default site', 0, 0)`.execute(db);
      await db.schema.alterTable('cameras').addColumn('site_id', 'text', (c) => c.notNull().defaultTo('default')).execute();
      await db.schema
        .createTable('grants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('scope_kind', 'text', (c) => c.notNull())
        .addColumn('scope_id', 'text')
        .addColumn('granted_by', 'text', (c) => c.notNull())
        .addColumn('granted_ms', 'bigint', (c) => c.notNull())
        .addColumn('expires_ms', 'bigint')
        .addColumn('revoked_by', 'text')
        .addColumn('revoked_ms', 'bigint')
        .addColumn('source', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('grants_user').on('grants').column('user_id').execute();
      await db.schema
        .createTable('approvals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_ms', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_ms', 'bigint')
        .addColumn('expires_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sso_replay')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('expires_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0007_export_owner': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Who may read and download an export: its requester and, for a four-eyes export, its
      // approver (`user:<id>`). Null on exports made before: those stay with the camera's scope.
      await db.schema.alterTable('exports').addColumn('requested_by', 'text').execute();
      await db.schema.alterTable('exports').addColumn('approved_by', 'text').execute();
      await db.schema.createIndex('exports_requested_by').on('exports').column('requested_by').execute();
    },
  },
  '0008_account_reset_and_lockout': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Account resets (issue 11 item 1): a reset account must enter its one-time enrolment code
      // and enrol a second factor before anything else; set while that is pending.
      await db.schema.alterTable('users').addColumn('reset_ms', 'bigint').execute();
      // Lockout per (account name, client address) (issue 11 item 18); old rows had no address.
      await db.schema.alterTable('auth_failures').addColumn('address', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.createIndex('auth_failures_user_address').on('auth_failures').columns(['username', 'address', 'time_ms']).execute();
      // Addresses an account signed in from: spared by the account-wide lock.
      await db.schema
        .createTable('auth_known_addresses')
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('last_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('auth_known_addresses_pk', ['username', 'address'])
        .execute();
    },
  },
  '0009_data_key_generations': {
    async up(db: Kysely<unknown>): Promise<void> {
      // A window may hold several keys: when its key was destroyed (retention, then the wall clock
      // stepped back into that window) recording takes a fresh one of the next generation. The
      // unique constraint is part of the table in SQLite, so the table is rebuilt (ids kept).
      await db.schema
        .createTable('data_keys_v2')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addColumn('hour_ms', 'bigint', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('kek_version', 'integer', (c) => c.notNull())
        .addColumn('wrapped', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('destroyed_ms', 'bigint')
        .addUniqueConstraint('data_keys_camera_window_generation', ['camera_id', 'hour_ms', 'generation'])
        .execute();
      await sql`INSERT INTO data_keys_v2 (id, camera_id, hour_ms, generation, kek_version, wrapped, created_ms, destroyed_ms)
        SELECT id, camera_id, hour_ms, 0, kek_version, wrapped, created_ms, destroyed_ms FROM data_keys`.execute(db);
      await db.schema.dropTable('data_keys').execute();
      await db.schema.alterTable('data_keys_v2').renameTo('data_keys').execute();
      await db.schema.createIndex('data_keys_kek_version').on('data_keys').column('kek_version').execute();
    },
  },
  '0010_core_alarm_state': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The alarm rules evaluate the committed ledger (every process's events, issue 13): how far
      // they got and their windows, so a restart resumes where it stopped.
      await db.schema
        .createTable('alarm_state')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('next_seq', 'bigint', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('saved_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  ...secondWaveMigrations,
};
