
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
  /** `auto`, `native` or `ffmpeg` (IngestChoice). */
  ingest: string;
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
}

export interface DataKeyTable {
  id: string;
  camera_id: string;
  /** Start of the key's window (a multiple of keys.dataKeyHours hours since the epoch). */
  hour_ms: number;
  /** Master key (KEK) version that wrapped it. */
  kek_version: number;
  /** base64 of the wrapped key; '' once destroyed (crypto-shredded). */
  wrapped: string;
  created_ms: number;
  /** Set when the key was destroyed; the row stays so the id keeps answering KEY_UNAVAILABLE. */
  destroyed_ms: number | null;
}
