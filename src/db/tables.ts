import type {
  CameraSbomTable,
  AuditCosignatureTable,
  AlarmInboxTable,
  NotificationDeliveryTable,
  IncidentTable,
  IncidentCandidateTable,
  IncidentReminderTable,
  GovernanceRequirementTable,
  GovernanceDocumentTable,
  GovernanceApprovalTable,
  GovernanceTrainingTable,
  GovernanceRetentionJustificationTable,
  SiemCursorTable,
  SiemDeadLetterTable,
  SiemConfigStateTable,
  SegmentCopyTable,
  StorageLayoutTable,
  CameraAssetTable,
  RiskAcceptanceTable,
  FirmwareKeyTable,
  FirmwareReleaseTable,
  AdvisoryTable,
  AdvisoryMatchTable,
  BookmarkTable,
  ClusterLeaseTable,
  ClusterNodeTable,
} from './tables-second-wave.ts';

export type * from './tables-second-wave.ts';

/**
 * Table shapes shared by SQLite and PostgreSQL. Times are integer milliseconds since the
 * epoch (UTC); booleans are 0/1 integers so both engines read the same values.
 */
export interface Tables {
  cameras: CameraTable;
  segments: SegmentTable;
  gaps: GapTable;
  exports: ExportTable;
  data_keys: DataKeyTable;
  audit_events: AuditEventTable;
  audit_nodes: AuditNodeTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointTable;
  audit_cosignatures: AuditCosignatureTable;
  alarm_state: AlarmStateTable;
  users: UserTable;
  user_totp: UserTotpTable;
  user_recovery_codes: UserRecoveryCodeTable;
  webauthn_credentials: WebauthnCredentialTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  auth_failures: AuthFailureTable;
  auth_known_addresses: AuthKnownAddressTable;
  setup_tokens: SetupTokenTable;
  sites: SiteTable;
  camera_groups: CameraGroupTable;
  camera_group_members: CameraGroupMemberTable;
  grants: GrantTable;
  approvals: ApprovalTable;
  sso_replay: SsoReplayTable;
  alarm_inbox: AlarmInboxTable;
  notification_deliveries: NotificationDeliveryTable;
  incidents: IncidentTable;
  incident_candidates: IncidentCandidateTable;
  incident_reminders: IncidentReminderTable;
  governance_requirements: GovernanceRequirementTable;
  governance_documents: GovernanceDocumentTable;
  governance_approvals: GovernanceApprovalTable;
  governance_training: GovernanceTrainingTable;
  governance_retention_justifications: GovernanceRetentionJustificationTable;
  siem_cursors: SiemCursorTable;
  siem_dead_letters: SiemDeadLetterTable;
  siem_config_state: SiemConfigStateTable;
  segment_copies: SegmentCopyTable;
  storage_layout: StorageLayoutTable;
  camera_assets: CameraAssetTable;
  risk_acceptances: RiskAcceptanceTable;
  firmware_keys: FirmwareKeyTable;
  firmware_releases: FirmwareReleaseTable;
  camera_sboms: CameraSbomTable;
  advisories: AdvisoryTable;
  advisory_matches: AdvisoryMatchTable;
  bookmarks: BookmarkTable;
  cluster_leases: ClusterLeaseTable;
  cluster_nodes: ClusterNodeTable;
}

/** A person or automation identity. `username` is stored lower-cased and unique. */
export interface UserTable {
  id: string;
  username: string;
  display_name: string;
  /** `local` (password) or `sso` (OIDC/SAML, no password). */
  kind: string;
  /** SSO provider id from the config; null for local users. */
  provider: string | null;
  /** Stable subject at the provider (`sub`, NameID); null for local users. */
  subject: string | null;
  /** argon2id PHC string; null for SSO users. */
  password_hash: string | null;
  password_changed_ms: number | null;
  /** 1 for third-party (external) accounts, which MUST expire (IAM-4). */
  external: number;
  expires_ms: number | null;
  disabled: number;
  created_by: string;
  created_ms: number;
  updated_ms: number;
  /** Set when an administrator reset the account: the one-time enrolment code and a new factor are due. */
  reset_ms: number | null;
}

/** A TOTP secret (sealed `v1:…`), usable once `confirmed_ms` is set; `last_step` stops reuse. */
export interface UserTotpTable {
  user_id: string;
  secret: string;
  confirmed_ms: number | null;
  last_step: number;
  created_ms: number;
}

/** One single-use recovery code, stored as SHA-256 hex of the normalised code. */
export interface UserRecoveryCodeTable {
  code_hash: string;
  user_id: string;
  used_ms: number | null;
  created_ms: number;
}

/** A WebAuthn credential (passkey); `id` and `public_key` are base64url. */
export interface WebauthnCredentialTable {
  id: string;
  user_id: string;
  public_key: string;
  counter: number;
  /** JSON array of transports reported at registration. */
  transports: string;
  name: string;
  created_ms: number;
  last_used_ms: number | null;
}

/** A login session; the cookie carries the token, the table only its SHA-256. */
export interface SessionTable {
  id_hash: string;
  user_id: string;
  /** CSRF token (random, per session) the page echoes in `x-csrf-token`. */
  csrf: string;
  /** How the user authenticated: password, password+totp, passkey, oidc, saml… */
  method: string;
  /** 1 when a second factor (or an IdP-asserted MFA accepted by config) was verified. */
  mfa: number;
  created_ms: number;
  last_seen_ms: number;
  ended_ms: number | null;
}

/** A scoped API token; the bearer secret is stored as SHA-256 only and shown once. */
export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  /** JSON array of permissions the token may use (a subset of its owner's). */
  permissions: string;
  created_by: string;
  created_ms: number;
  expires_ms: number;
  last_used_ms: number | null;
  revoked_ms: number | null;
}

/** A failed login for an account name (existing or not), for lockout (IAM-2). */
export interface AuthFailureTable {
  id: string;
  username: string;
  /** The client address of the attempt ('' for rows from before addresses were kept). */
  address: string;
  time_ms: number;
}

/** An address an account signed in from, spared by the account-wide lock (IAM-2). */
export interface AuthKnownAddressTable {
  username: string;
  address: string;
  last_ms: number;
}

/** A one-time setup token printed at first start to create the first administrator. */
export interface SetupTokenTable {
  token_hash: string;
  created_ms: number;
  used_ms: number | null;
}

/** A site (location); `four_eyes` = 1 makes exports and unmasking need a second approver. */
export interface SiteTable {
  id: string;
  name: string;
  four_eyes: number;
  created_ms: number;
}

export interface CameraGroupTable {
  id: string;
  name: string;
  created_ms: number;
}

export interface CameraGroupMemberTable {
  group_id: string;
  camera_id: string;
}

/** principal × role × scope (IAM-4/5). `scope_kind` global|site|group|camera. */
export interface GrantTable {
  id: string;
  user_id: string;
  role: string;
  scope_kind: string;
  scope_id: string | null;
  /** User id of the granter, or `system:…` (setup, CLI, SSO mapping). */
  granted_by: string;
  granted_ms: number;
  expires_ms: number | null;
  revoked_by: string | null;
  revoked_ms: number | null;
  /** `manual` or `sso:<provider>` (re-derived at each SSO login). */
  source: string;
}

/** A four-eyes request: `status` pending|approved|rejected|used|expired. */
export interface ApprovalTable {
  id: string;
  /** The permission the action needs: recording.export or privacy.unmask. */
  action: string;
  camera_id: string;
  /** JSON of the action's parameters (export range, reason…). */
  details: string;
  requested_by: string;
  requested_ms: number;
  status: string;
  decided_by: string | null;
  decided_ms: number | null;
  expires_ms: number;
}

/** SAML assertion ids already consumed, kept until they expire (replay guard). */
export interface SsoReplayTable {
  id: string;
  expires_ms: number;
}

/** One committed audit record; `record` is the canonical JSON leaf text, never rewritten. */
export interface AuditEventTable {
  seq: number;
  event_id: string;
  time_ms: number;
  type: string;
  actor_id: string;
  camera_id: string | null;
  target_id: string | null;
  record: string;
  /** Sealed personal fields (`v1:<keyId>:<base64>`), committed to by SHA-256 in the record. */
  personal: string | null;
}

/** A stored perfect subtree of the ledger's Merkle tree (level 0: leaf hashes), hex. */
export interface AuditNodeTable {
  level: number;
  idx: number;
  hash: string;
}

/** The single row every ledger writer locks first: the committed tree size. */
export interface AuditHeadTable {
  id: number;
  size: number;
  writes: number;
}

/**
 * Where the alarm rules stand over the committed ledger: the next leaf index to evaluate and the
 * rules' windows (JSON), saved together so a restart neither empties the windows nor re-raises.
 */
export interface AlarmStateTable {
  id: string;
  next_seq: number;
  state: string;
  saved_ms: number;
}

/** A signed checkpoint (C2SP signed note) of the ledger at `size`. */
export interface AuditCheckpointTable {
  size: number;
  root: string;
  note: string;
  signed_ms: number;
}

export interface CameraTable {
  id: string;
  name: string;
  /** rtsp:// or rtsps:// URL without userinfo. */
  url: string;
  /** Credentials held apart from the URL, sealed under the master key (`v1:…`). */
  username: string | null;
  password: string | null;
  /** rtsps:// only: PEM of the CA (or the camera's own certificate, pinned) to verify it against. */
  tls_ca_pem: string | null;
  enabled: number;
  retention_hours: number;
  /** Hours the disk-full policy never deletes (migration 0011_min_retention_residency). */
  min_retention_hours: number;
  /** `auto`, `native` or `ffmpeg` (IngestChoice). */
  ingest: string;
  /** Site the camera belongs to (`default` until assigned). */
  site_id: string;
  /** Second, lower-resolution stream for live tiles, without userinfo (migration 0022); null = none. */
  sub_stream_url: string | null;
  /** 1 = record (and play live) the camera's audio, 0 = video only (migration 0022). */
  record_audio: number;
  /** 1 = the sub-stream is recorded too (dual recording, migration 0024), 0 = live only. */
  record_sub_stream: number;
  /** Retention of the recorded sub-stream, at most retention_hours; null = retention_hours (migration 0024). */
  sub_stream_retention_hours: number | null;
  created_ms: number;
  updated_ms: number;
}

export interface SegmentTable {
  id: string;
  camera_id: string;
  /** Key of the object in the SegmentStore. */
  object_key: string;
  start_ms: number;
  end_ms: number;
  bytes: number;
  init_size: number;
  codec: string;
  timescale: number;
  /** JSON array of [offset, size, durationMs, keyframe 0|1], one entry per fragment. */
  fragments: string;
  /** open while being written; closed cleanly; recovered after a crash. */
  state: 'open' | 'closed' | 'recovered';
  /** Lease token of the recorder that wrote the row (null without leases: SQLite); migration 0020. */
  fence?: number | null;
}

export interface GapTable {
  id: string;
  camera_id: string;
  start_ms: number;
  /** Null while the camera is still down. */
  end_ms: number | null;
  reason: string;
  /** Lease token of the recorder that wrote the row (migration 0020). */
  fence?: number | null;
}

export interface ExportTable {
  id: string;
  camera_id: string;
  from_ms: number;
  to_ms: number;
  state: 'pending' | 'running' | 'done' | 'failed';
  bytes: number | null;
  error: string | null;
  created_ms: number;
  finished_ms: number | null;
  /** Chain-of-custody record (canonical JSON), null for exports made before the ledger. */
  custody: string | null;
  /** Evidence made at completion (ledger leaves, proofs, checkpoint), JSON. */
  evidence: string | null;
  /** `user:<id>` of the requester; null for exports made before owners were kept. */
  requested_by: string | null;
  /** `user:<id>` of the four-eyes approver, or null. */
  approved_by: string | null;
}

export interface DataKeyTable {
  id: string;
  camera_id: string;
  /** Start of the key's window (a multiple of keys.dataKeyHours hours since the epoch). */
  hour_ms: number;
  /** 0 for the window's first key; the next number for a fresh key taken after the window's key was destroyed. */
  generation: number;
  /** Master key (KEK) version that wrapped it. */
  kek_version: number;
  /** base64 of the wrapped key; '' once destroyed (crypto-shredded). */
  wrapped: string;
  created_ms: number;
  /** Set when the key was destroyed; the row stays so the id keeps answering KEY_UNAVAILABLE. */
  destroyed_ms: number | null;
}
