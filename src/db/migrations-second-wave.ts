import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { clusterMigration } from './migration-0020-cluster.ts';
import { subStreamRecordingMigration } from './migration-0024-sub-stream-recording.ts';

/**
 * Schema migrations of the second wave of features (0011 onwards): governance, witness
 * co-signatures, SIEM delivery, minimum retention, incidents and the alarm inbox, storage zones,
 * the camera inventory, bookmarks and legal holds. Same rules as migrations.ts (which lists these after its own): each MUST
 * work on SQLite and PostgreSQL and MUST NOT be edited once released. Kysely applies migrations
 * in name order.
 */
export const secondWaveMigrations: Record<string, Migration> = {
  '0011_governance': {
    async up(db: Kysely<unknown>): Promise<void> {
      // NIS2 governance (issue 18 items 7-10): the requirement catalogue and Statement of
      // Applicability (GOV-1), documents on file with their SHA-256, management approvals and
      // training attestations (GOV-3), and the justification of retention above 72 h (GOV-2).
      await db.schema
        .createTable('governance_requirements')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('framework', 'text', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('owner', 'text')
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('governance_documents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('registered_by', 'text', (c) => c.notNull())
        .addColumn('registered_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('governance_approvals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('document_id', 'text', (c) => c.notNull())
        .addColumn('document_sha256', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('approver_id', 'text', (c) => c.notNull())
        .addColumn('approver_name', 'text', (c) => c.notNull())
        .addColumn('approver_function', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('approved_ms', 'bigint', (c) => c.notNull())
        .addColumn('ledger_seq', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('governance_approvals_document').on('governance_approvals').column('document_id').execute();
      await db.schema
        .createTable('governance_training')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('course', 'text', (c) => c.notNull())
        .addColumn('completed_on', 'text', (c) => c.notNull())
        .addColumn('certificate_sha256', 'text')
        .addColumn('attested_ms', 'bigint', (c) => c.notNull())
        .addColumn('ledger_seq', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('governance_retention_justifications')
        .addColumn('camera_id', 'text', (c) => c.primaryKey())
        .addColumn('justification', 'text', (c) => c.notNull())
        .addColumn('set_by', 'text', (c) => c.notNull())
        .addColumn('set_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0012_witness_cosignatures': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Cosignatures of audit checkpoints by C2SP tlog-witnesses (issue 16 item 5): the verified
      // signature line, beside the checkpoint of that size; one per witness and checkpoint.
      await db.schema
        .createTable('audit_cosignatures')
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('witness', 'text', (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('time_s', 'bigint', (c) => c.notNull())
        .addColumn('received_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_cosignatures_pk', ['size', 'witness'])
        .execute();
      await db.schema.createIndex('audit_cosignatures_witness').on('audit_cosignatures').columns(['witness', 'size']).execute();
    },
  },
  '0013_siem_delivery': {
    async up(db: Kysely<unknown>): Promise<void> {
      // SIEM delivery (issue 16): one cursor per destination (the next leaf index to ship) with its
      // counters, the dead letters it could not ship, and the hash of the last destinations config.
      await db.schema
        .createTable('siem_cursors')
        .addColumn('destination_id', 'text', (c) => c.primaryKey())
        .addColumn('next_seq', 'bigint', (c) => c.notNull())
        .addColumn('sent', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('failed', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('dead', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('last_success_ms', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('siem_dead_letters')
        .addColumn('destination_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('time_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('siem_dead_letters_pk', ['destination_id', 'seq'])
        .execute();
      await db.schema
        .createTable('siem_config_state')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('saved_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0014_min_retention_residency': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Disk-full policy (issue 14 item 6): footage younger than a camera's minimum retention is
      // never deleted for space; 0 (every camera so far) lets the oldest footage go first.
      await db.schema.alterTable('cameras').addColumn('min_retention_hours', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  },
  '0015_incidents_alarm_inbox': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Issue 18: alarms people acknowledge, assign, snooze and close; where notifications went;
      // the NIS2 incident register, its candidates and the reminders its clocks sent.
      await db.schema
        .createTable('alarm_inbox')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('site_id', 'text')
        .addColumn('camera_id', 'text')
        .addColumn('raised_ms', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('assignee', 'text')
        .addColumn('snoozed_until_ms', 'bigint')
        .addColumn('note', 'text')
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_by', 'text')
        .execute();
      await db.schema.createIndex('alarm_inbox_status').on('alarm_inbox').columns(['status', 'raised_ms']).execute();
      await db.schema
        .createTable('notification_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('notice_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('notification_deliveries_created').on('notification_deliveries').column('created_ms').execute();
      await db.schema
        .createTable('incidents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('aware_ms', 'bigint', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('incident_candidates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dedup_key', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('alarm_seqs', 'text', (c) => c.notNull())
        .addColumn('first_ms', 'bigint', (c) => c.notNull())
        .addColumn('last_ms', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('incident_id', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decided_ms', 'bigint')
        .execute();
      await db.schema.createIndex('incident_candidates_key').on('incident_candidates').columns(['dedup_key', 'status']).execute();
      await db.schema
        .createTable('incident_reminders')
        .addColumn('incident_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('sent_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('incident_reminders_pk', ['incident_id', 'key'])
        .execute();
    },
  },
  '0016_storage_zones': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Storage zones (issue 14): one row per copy of a sealed segment object in a zone. The
      // recording zone's rows for footage recorded before zones existed are added at start-up
      // (the zone's id comes from the configuration, not known here).
      await db.schema
        .createTable('segment_copies')
        .addColumn('segment_id', 'text', (c) => c.notNull())
        .addColumn('zone_id', 'text', (c) => c.notNull())
        .addColumn('object_key', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text')
        .addColumn('size', 'bigint')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('ack', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('sealed_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('segment_copies_pk', ['segment_id', 'zone_id'])
        .execute();
      await db.schema.createIndex('segment_copies_zone_state').on('segment_copies').columns(['zone_id', 'state', 'sealed_ms']).execute();
      await db.schema.createIndex('segment_copies_state').on('segment_copies').column('state').execute();
      // The zones and placement last started with: a change is an audit event.
      await db.schema
        .createTable('storage_layout')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('layout', 'text', (c) => c.notNull())
        .addColumn('saved_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0017_onvif_inventory': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The asset inventory (AST-1, issue 17): one row per camera that went through ONVIF
      // identification, with the evidence it answered and the vendor verdict (AST-2).
      await db.schema
        .createTable('camera_assets')
        .addColumn('camera_id', 'text', (c) => c.primaryKey())
        .addColumn('onvif_xaddr', 'text')
        .addColumn('vendor', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('mac', 'text')
        .addColumn('firmware', 'text', (c) => c.notNull())
        .addColumn('hardware_id', 'text', (c) => c.notNull())
        .addColumn('location', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('owner', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('install_date', 'text')
        .addColumn('end_of_support', 'text')
        .addColumn('vetting', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('verdict', 'text', (c) => c.notNull())
        .addColumn('identified_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
      // Risk acceptances of flagged or unvetted cameras, approved under four-eyes; they expire.
      await db.schema
        .createTable('risk_acceptances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('approved_by', 'text', (c) => c.notNull())
        .addColumn('approval_id', 'text', (c) => c.notNull())
        .addColumn('until_ms', 'bigint', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        // The identity accepted (vendor, model, serial, MAC): a swapped device is not covered.
        .addColumn('identity_key', 'text', (c) => c.notNull())
        // When the expiry's quarantine event was recorded (once per acceptance).
        .addColumn('expiry_recorded_ms', 'bigint')
        .execute();
      await db.schema.createIndex('risk_acceptances_camera').on('risk_acceptances').columns(['camera_id', 'until_ms']).execute();
      // Firmware vetting (AST-3): vendor signing keys trusted by the operator, and the releases
      // whose signed manifests verified against them (the manifest and signature are kept).
      await db.schema
        .createTable('firmware_keys')
        .addColumn('key_id', 'text', (c) => c.primaryKey())
        .addColumn('vendor', 'text', (c) => c.notNull())
        .addColumn('public_key_pem', 'text', (c) => c.notNull())
        .addColumn('added_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('firmware_releases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('vendor', 'text', (c) => c.notNull())
        .addColumn('model_pattern', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('signed', 'text', (c) => c.notNull())
        .addColumn('imported_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0018_advisories': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Security advisories imported offline (AST-4, issue 17 item 7): one row per document
      // (CSAF tracking id or OSV id; a re-import replaces it), the parsed advisory as JSON.
      await db.schema
        .createTable('advisories')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('document_id', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('imported_ms', 'bigint', (c) => c.notNull())
        .execute();
      // Each camera an advisory affects at its current firmware: the camera's open risk until its
      // firmware leaves the range, the advisory is withdrawn, or the camera leaves the inventory.
      await db.schema
        .createTable('advisory_matches')
        .addColumn('advisory_id', 'text', (c) => c.notNull())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addColumn('firmware', 'text', (c) => c.notNull())
        .addColumn('product', 'text', (c) => c.notNull())
        .addColumn('matched_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('advisory_matches_pk', ['advisory_id', 'camera_id', 'firmware'])
        .execute();
      await db.schema.createIndex('advisory_matches_camera').on('advisory_matches').column('camera_id').execute();
    },
  },
  '0019_camera_sboms': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Vendors' SBOMs attached to inventory entries (AST-5, issue 17 item 9): the latest per
      // camera, kept as the JSON document given (size-bounded by the API), with its digest.
      await db.schema
        .createTable('camera_sboms')
        .addColumn('camera_id', 'text', (c) => c.primaryKey())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('spec_version', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('components', 'integer', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('attached_by', 'text', (c) => c.notNull())
        .addColumn('attached_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0020_cluster_leases': clusterMigration,
  '0021_bookmarks_and_holds': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Bookmarks (issue 19 item 4): an audited note on a time range of a camera. A bookmark on
      // hold (hold_ms set) is a legal hold: retention and the disk-full policy MUST NOT delete
      // a segment overlapping it, nor destroy its data key, until the hold is released.
      await db.schema
        .createTable('bookmarks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addColumn('from_ms', 'bigint', (c) => c.notNull())
        .addColumn('to_ms', 'bigint', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('hold_ms', 'bigint')
        .addColumn('hold_by', 'text')
        .addColumn('hold_reason', 'text')
        .execute();
      await db.schema.createIndex('bookmarks_camera_time').on('bookmarks').columns(['camera_id', 'from_ms']).execute();
      await db.schema.createIndex('bookmarks_hold').on('bookmarks').columns(['hold_ms', 'camera_id']).execute();
    },
  },
  '0022_camera_sub_stream_and_audio': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Sub-streams (issue 20 item 7, ADR 0037): a camera's second, lower-resolution stream for
      // live tiles, on the camera's own host and credentials; null = none (live uses the main).
      await db.schema.alterTable('cameras').addColumn('sub_stream_url', 'text').execute();
      // Audio (issue 20 item 6, ADR 0037): recorded only where it is turned on (0 = off, the default).
      await db.schema.alterTable('cameras').addColumn('record_audio', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  },
  '0023_segment_copies_unhashed': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Acknowledgement (ADR 0040) counts only copies with a known hash: the few copies without
      // one (adopted footage, a torn segment) are found by this partial index, not by a scan of
      // every stored copy on each lag check.
      await db.schema.createIndex('segment_copies_unhashed').on('segment_copies').columns(['zone_id', 'segment_id']).where(sql.ref('sha256'), 'is', null).execute();
    },
  },
  '0024_sub_stream_recording': subStreamRecordingMigration,
};
