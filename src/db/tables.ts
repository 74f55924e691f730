
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
/** A witness's cosignature of the checkpoint of `size` (verified before it was stored). */
export interface AuditCosignatureTable {
  size: number;
  witness: string;
  line: string;
  time_s: number;
  received_ms: number;
}

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
}

export interface GapTable {
  id: string;
  camera_id: string;
  start_ms: number;
  /** Null while the camera is still down. */
  end_ms: number | null;
  reason: string;
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

/** One alarm of the ledger as people handle it (issue 18 item 1); `seq` is its ledger leaf. */
export interface AlarmInboxTable {
  seq: number;
  event_id: string;
  rule: string;
  title: string;
  severity: string;
  site_id: string | null;
  camera_id: string | null;
  raised_ms: number;
  /** open, acknowledged, snoozed or closed. */
  status: string;
  assignee: string | null;
  snoozed_until_ms: number | null;
  note: string | null;
  updated_ms: number;
  updated_by: string | null;
}

/** One delivery of a notification to one target (the delivery log). */
export interface NotificationDeliveryTable {
  id: string;
  notice_id: string;
  kind: string;
  type: string;
  route: string;
  channel: string;
  target: string;
  /** pending, sent or failed. */
  status: string;
  attempts: number;
  last_error: string | null;
  created_ms: number;
  updated_ms: number;
}

/** One incident of the register (INC-1); `data` is the JSON of every field. */
export interface IncidentTable {
  id: string;
  title: string;
  /** open or closed. */
  status: string;
  aware_ms: number;
  data: string;
  version: number;
  created_ms: number;
  updated_ms: number;
}

/** A candidate incident raised from alarms (INC-7), de-duplicated on `dedup_key` while open. */
export interface IncidentCandidateTable {
  id: string;
  dedup_key: string;
  kind: string;
  title: string;
  /** open, qualified or dismissed. */
  status: string;
  /** Ledger leaves of the alarms it stands for (JSON array). */
  alarm_seqs: string;
  first_ms: number;
  last_ms: number;
  reason: string | null;
  incident_id: string | null;
  decided_by: string | null;
  decided_ms: number | null;
}

/** A reminder of an incident clock already sent (`key` is clock:level). */
export interface IncidentReminderTable {
  incident_id: string;
  key: string;
  sent_ms: number;
}

/** One requirement of the governance catalogue (GOV-1): NIS2 Art. 21(2), Reg. 2024/2690 annex, ISO/IEC 27001:2022 Annex A. */
export interface GovernanceRequirementTable {
  /** Stable id, e.g. `nis2-21.2.a`, `ir2690-9`, `iso27001-A.8.24`. */
  id: string;
  framework: string;
  /** The reference as the source writes it (`Art. 21(2)(a)`, `Annex 9`, `A.8.24`). */
  ref: string;
  title: string;
  /** Order within the catalogue (the seed's order). */
  position: number;
  /** not-assessed, planned, partial, implemented or not-applicable. */
  status: string;
  owner: string | null;
  /** JSON array of evidence links (`live:<metric>`, `document:<id>`, `ledger:<seq>`, https URLs). */
  evidence: string;
  /** Why the measure is not applied; required when status is not-applicable. */
  reason: string | null;
  /** Actor id of the last change (`system:seed` for the seed). */
  updated_by: string;
  updated_ms: number;
}

/** A document on file (policy, risk acceptance, certificate…): its bytes (base64) and SHA-256. */
export interface GovernanceDocumentTable {
  id: string;
  kind: string;
  title: string;
  media_type: string;
  /** SHA-256 (lowercase hex) of the decoded bytes. */
  sha256: string;
  /** base64 of the bytes. */
  content: string;
  bytes: number;
  registered_by: string;
  registered_ms: number;
}

/** A management body member's approval of a document (GOV-3), bound to the SHA-256 they approved. */
export interface GovernanceApprovalTable {
  id: string;
  document_id: string;
  document_sha256: string;
  /** policy-approval or risk-acceptance. */
  kind: string;
  /** `user:<id>` of the approver. */
  approver_id: string;
  approver_name: string;
  /** The approver's function in the management body, as they stated it (`CEO`, `Board member`). */
  approver_function: string;
  note: string | null;
  approved_ms: number;
  /** Leaf index of the governance.approval.recorded event. */
  ledger_seq: number;
}

/** A training attestation (NIS2 Art. 20(2)) by the person trained. */
export interface GovernanceTrainingTable {
  id: string;
  user_id: string;
  user_name: string;
  course: string;
  /** ISO date (YYYY-MM-DD) the training was completed. */
  completed_on: string;
  /** SHA-256 of the certificate document on file, when one was given. */
  certificate_sha256: string | null;
  attested_ms: number;
  ledger_seq: number;
}

/** Why a camera keeps footage longer than 72 hours (retention compliance, GOV-2). */
export interface GovernanceRetentionJustificationTable {
  camera_id: string;
  justification: string;
  set_by: string;
  set_ms: number;
}

/** Delivery progress of one SIEM destination (issue 16): `next_seq` is the next leaf index to ship. */
export interface SiemCursorTable {
  destination_id: string;
  next_seq: number;
  sent: number;
  failed: number;
  dead: number;
  last_success_ms: number | null;
  last_error: string | null;
  updated_ms: number;
}

/** An event a SIEM destination refused for good (non-retryable); kept, never retried by itself. */
export interface SiemDeadLetterTable {
  destination_id: string;
  seq: number;
  event_id: string;
  reason: string;
  time_ms: number;
}

/** The hash of the last secret-free destinations config seen at start-up (`id` = 'destinations'). */
export interface SiemConfigStateTable {
  id: string;
  hash: string;
  saved_ms: number;
}

/** One copy of a sealed segment object in a storage zone (src/storage/). */
export interface SegmentCopyTable {
  segment_id: string;
  zone_id: string;
  /** Key of the copy in its zone (the vault key in the recording zone; no camera name elsewhere). */
  object_key: string;
  /** Ciphertext SHA-256 of the copy as stored; null while pending. */
  sha256: string | null;
  /** Bytes of the copy as stored; null until known. */
  size: number | null;
  /** pending: waiting in the spool; stored: durable in the zone; missing/damaged: found so by the scrub, awaiting repair. */
  state: 'pending' | 'stored' | 'missing' | 'damaged';
  /** Copies the segment's placement acknowledges after (W). */
  ack: number;
  /** When the segment was sealed: the spool is backfilled oldest first and lag is measured from it. */
  sealed_ms: number;
  updated_ms: number;
}

/** The storage zones and placement last started with (JSON), to audit changes. */
export interface StorageLayoutTable {
  id: string;
  layout: string;
  saved_ms: number;
}

/** A camera's inventory entry (AST-1): identity from ONVIF, the operator's fields, the vetting. */
export interface CameraAssetTable {
  camera_id: string;
  onvif_xaddr: string | null;
  vendor: string;
  model: string;
  serial: string;
  mac: string | null;
  firmware: string;
  hardware_id: string;
  location: string;
  owner: string;
  /** ISO dates (YYYY-MM-DD) or null. */
  install_date: string | null;
  end_of_support: string | null;
  /** `clear`, `flagged` or `unvetted`. */
  vetting: string;
  /** JSON: the ONVIF answers (IdentityEvidence) and the OUI. */
  evidence: string;
  /** JSON: the VendorVerdict. */
  verdict: string;
  identified_ms: number;
  updated_ms: number;
}

/** A four-eyes risk acceptance of a flagged or unvetted camera, valid until `until_ms`. */
export interface RiskAcceptanceTable {
  id: string;
  camera_id: string;
  reason: string;
  /** `user:<id>` of who asked and who approved. */
  requested_by: string;
  approved_by: string;
  approval_id: string;
  until_ms: number;
  created_ms: number;
  /** Hash of vendor, model, serial and MAC at acceptance. */
  identity_key: string;
  expiry_recorded_ms: number | null;
}

/** A vendor firmware signing key the operator trusts (AST-3). */
export interface FirmwareKeyTable {
  key_id: string;
  vendor: string;
  public_key_pem: string;
  added_ms: number;
}

/** A firmware release whose signed manifest verified against a trusted key. */
export interface FirmwareReleaseTable {
  id: string;
  vendor: string;
  model_pattern: string;
  version: string;
  sha256: string;
  key_id: string;
  /** JSON of the SignedManifest as imported. */
  signed: string;
  imported_ms: number;
}
