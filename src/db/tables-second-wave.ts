/**
 * Row types of the second wave's tables (migrations-second-wave.ts): witness co-signatures, the
 * alarm inbox and notifications, incidents, governance, SIEM delivery, storage zones and the
 * camera inventory. tables.ts composes them into `Tables` and re-exports them.
 */

/** A witness's cosignature of the checkpoint of `size` (verified before it was stored). */
export interface AuditCosignatureTable {
  size: number;
  witness: string;
  line: string;
  time_s: number;
  received_ms: number;
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

/** A vendor's SBOM attached to a camera's inventory entry (migration 0019). */
export interface CameraSbomTable {
  camera_id: string;
  /** `CycloneDX` or `SPDX`. */
  format: string;
  spec_version: string;
  sha256: string;
  bytes: number;
  components: number;
  /** The JSON document as attached. */
  document: string;
  /** The actor id that attached it. */
  attached_by: string;
  attached_ms: number;
}

/** An imported security advisory (AST-4); `body` is the parsed Advisory as JSON. */
export interface AdvisoryTable {
  id: string;
  format: string;
  document_id: string;
  title: string;
  severity: string;
  sha256: string;
  body: string;
  imported_ms: number;
}

/** A camera an advisory affects at `firmware`; `product` is the matching product entry as JSON. */
export interface AdvisoryMatchTable {
  advisory_id: string;
  camera_id: string;
  firmware: string;
  product: string;
  matched_ms: number;
}

/** A bookmark: a note on a camera's time range; `hold_ms` set puts the range on legal hold (0021). */
export interface BookmarkTable {
  id: string;
  camera_id: string;
  from_ms: number;
  to_ms: number;
  note: string;
  /** Audit actor id of who made it (`user:<id>`, `token:<id>`, `cli:…`). */
  created_by: string;
  created_ms: number;
  /** When the hold was placed; null when the range is not held. */
  hold_ms: number | null;
  hold_by: string | null;
  hold_reason: string | null;
}
