
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
