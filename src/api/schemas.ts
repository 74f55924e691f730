import { z } from 'zod';

/**
 * The API's wire schemas, in one place: the server validates with them, the OpenAPI document
 * is generated from them, and the web page and CLI read the same shapes. Times are RFC 3339 UTC.
 */

export const idParams = z.strictObject({ id: z.uuid().describe('Camera id') });

export const liveQuery = z.strictObject({
  stream: z.enum(['main', 'sub']).optional().default('main').describe('`sub`: the camera\'s sub-stream (lower resolution, for tiles) when it has one, else the main stream; the hello message says which was served.'),
});

export const cameraStatus = z
  .object({
    state: z.enum(['disabled', 'connecting', 'recording', 'retrying', 'stopped', 'storage-full', 'quarantined']).describe('Recorder state of the camera; storage-full: stopped by the disk-full policy (free space below the watermark, nothing past its minimum retention left to delete), resumes by itself when space returns (lastError says why); quarantined: held at onboarding (flagged vendor, likely relabel, unvetted identity) until a four-eyes risk acceptance, neither recorded nor live.'),
    since: z.string().describe('When the camera entered this state (RFC 3339).'),
    lastError: z.string().nullable().describe('Why the last ingest run ended, classified (connection refused, timed out, host not found or unreachable, not an RTSP server, TLS, authentication failed, the camera refused a step with its status, …); never bytes the camera or another service sent.'),
    retryInSeconds: z.number().nullable().describe('Seconds until the next reconnect attempt, when retrying.'),
    ingest: z.string().describe('The ingest pulling the camera now: native, ffmpeg, or "ffmpeg (native: <why not>)" when auto fell back.'),
    bytes: z.number().describe('Bytes recorded since the server started.'),
    fragments: z.number().describe('Fragments recorded since the server started.'),
    frames: z.number().describe('Video frames recorded since the server started.'),
    reconnects: z.number().describe('Times the ingest ended unexpectedly and was restarted since the server started.'),
    lostPackets: z.number().nullable().describe('RTP packets lost since the server started (native ingest; null under ffmpeg).'),
    droppedFrames: z.number().nullable().describe('Frames dropped after a loss until the next key frame (native ingest; null under ffmpeg).'),
    clockOffsetMs: z.number().nullable().describe('Camera clock minus the server clock from its RTCP sender reports (native ingest), in ms; null when unknown.'),
    audio: z.string().regex(/^(none|recorded \(.*\)|not recorded \(.*\))$/).nullable().describe('The camera\'s audio (native ingest): `none` offered, `recorded (AAC 48000 Hz)` (a second track in the recording, exports and playback), or `not recorded (<why>)`, e.g. `not recorded (codec PCMU)` for G.711 (only AAC-LC is recorded, nothing is transcoded); null when unknown (ffmpeg ingest, which records video only).'),
    viewers: z.number().describe('Live viewers connected now.'),
    subStream: z
      .object({
        state: z.enum(['connecting', 'recording', 'retrying', 'stopped', 'storage-full']).describe('Recorder state of the sub-stream recording, as `state` for the main stream.'),
        since: z.string().describe('When the sub-stream recording entered this state (RFC 3339).'),
        lastError: z.string().nullable().describe('Why its last ingest run ended, classified as for the main stream.'),
        retryInSeconds: z.number().nullable(),
        ingest: z.string(),
        bytes: z.number().describe('Bytes of the sub-stream recorded since the server started.'),
        fragments: z.number(),
        frames: z.number(),
        reconnects: z.number(),
      })
      .nullable()
      .describe('Dual recording (ADR 0043): the sub-stream recording of this node; null when the sub-stream is not recorded here (off, no sub-stream, disabled, quarantined, or recorded by another node of the cluster).'),
  })
  .describe('Recording status of a camera.');

export const camera = z
  .object({
    id: z.uuid(),
    name: z.string(),
    url: z.string().describe('rtsp:// or rtsps:// URL, never with credentials.'),
    hasCredentials: z.boolean().describe('True when a username or password is stored; they are never returned.'),
    transport: z.enum(['tls', 'plaintext']).describe('plaintext for rtsp:// (a risk flag), tls for rtsps://.'),
    tlsTrust: z
      .object({ sha256: z.string().describe('SHA-256 fingerprint of the first certificate of the trust anchor.'), subject: z.string() })
      .nullable()
      .describe('rtsps://: the configured trust anchor (a CA or the pinned camera certificate); null = the system CA store.'),
    enabled: z.boolean(),
    retentionHours: z.number().int(),
    minRetentionHours: z.number().int().describe('Hours of footage the disk-full policy never deletes (0: the oldest footage may go when the disk runs short).'),
    ingest: z.enum(['auto', 'native', 'ffmpeg']).describe('Ingest chosen for the camera: auto = native, falling back to ffmpeg for what native does not read.'),
    siteId: z.string().describe('Site the camera belongs to (grant scopes, four-eyes rule).'),
    subStreamUrl: z.string().nullable().describe('Second, lower-resolution stream for live tiles (`?stream=sub` on the live socket), never with credentials; null = none. Recording uses `url`.'),
    recordAudio: z.boolean().describe('The camera\'s audio (AAC-LC) is recorded with its video and played live; false (the default): video only. status.audio says what happens to it.'),
    recordSubStream: z.boolean().describe('Dual recording (ADR 0043): the sub-stream is recorded as a second stream with its own retention (playback with `?stream=sub`), and live tiles take it from that recording; false (the default): the sub-stream is for live only.'),
    subStreamRetentionHours: z.number().int().nullable().describe('Hours the recorded sub-stream is kept, at most retentionHours; null: as long as the main stream (retentionHours).'),
    createdAt: z.string(),
    updatedAt: z.string(),
    status: cameraStatus,
  })
  .describe('A camera.');

export const cameraCreate = z
  .strictObject({
    name: z.string().min(1).max(100).describe('1 to 100 characters, no control characters (C0, DEL, C1), line separators or bidirectional overrides.'),
    url: z.string().max(2048).describe('rtsp:// or rtsps:// URL; credentials in it are moved to the credential fields.'),
    username: z.string().max(256).nullable().optional(),
    password: z.string().max(256).nullable().optional().describe('Write-only.'),
    tlsCaPem: z.string().max(65536).nullable().optional().describe('rtsps:// only: PEM of the CA to verify the camera against, or of the camera\'s own certificate to pin it.'),
    enabled: z.boolean().optional().default(true),
    retentionHours: z.number().int().min(1).max(24 * 365 * 10).optional().default(72),
    minRetentionHours: z.number().int().min(0).max(24 * 365 * 10).optional().describe('Hours kept even when the disk runs short; at most retentionHours (default 0).'),
    ingest: z.enum(['auto', 'native', 'ffmpeg']).optional().default('auto').describe('auto (default), native, or ffmpeg.'),
    siteId: z.string().min(1).max(64).optional().describe('Site id (default `default`); the site must exist.'),
    subStreamUrl: z.string().max(2048).nullable().optional().describe('rtsp:// or rtsps:// URL of a second, lower-resolution stream for live tiles, on the same host (and rtsps:// when `url` is); pulled with the camera\'s credentials, so credentials in it must repeat them (they are taken out).'),
    recordAudio: z.boolean().optional().describe('Record (and play live) the camera\'s audio when it is AAC-LC; default false. Sound is more intrusive than images and restricted in several jurisdictions: turn it on where a legal basis covers it.'),
    recordSubStream: z.boolean().optional().describe('Record the sub-stream too, as a second stream with its own retention (ADR 0043); needs subStreamUrl. Default false.'),
    subStreamRetentionHours: z.number().int().min(1).max(24 * 365 * 10).nullable().optional().describe('Hours the recorded sub-stream is kept, from 1 to retentionHours; null or absent: retentionHours.'),
  })
  .describe('A camera to add.');

export const cameraUpdate = z
  .strictObject({
    name: z.string().min(1).max(100).optional(),
    url: z.string().max(2048).optional().describe('A URL naming another host drops the stored credentials unless they are given in the same change.'),
    username: z.string().max(256).nullable().optional().describe('null clears it.'),
    password: z.string().max(256).nullable().optional().describe('Write-only; null clears it.'),
    tlsCaPem: z.string().max(65536).nullable().optional().describe('null clears it (system CA store).'),
    enabled: z.boolean().optional(),
    retentionHours: z.number().int().min(1).max(24 * 365 * 10).optional(),
    minRetentionHours: z.number().int().min(0).max(24 * 365 * 10).optional().describe('Hours kept even when the disk runs short; at most retentionHours.'),
    ingest: z.enum(['auto', 'native', 'ffmpeg']).optional(),
    siteId: z.string().min(1).max(64).optional().describe('Moves the camera to another (existing) site.'),
    subStreamUrl: z.string().max(2048).nullable().optional().describe('null removes it. A `url` naming another host drops it unless it is given in the same change.'),
    recordAudio: z.boolean().optional().describe('Turns audio recording on or off; takes effect at once (the camera\'s ingest restarts).'),
    recordSubStream: z.boolean().optional().describe('Turns dual recording of the sub-stream on or off; takes effect at once (the main stream\'s recording is not interrupted). Footage already recorded stays until its retention.'),
    subStreamRetentionHours: z.number().int().min(1).max(24 * 365 * 10).nullable().optional().describe('1 to retentionHours; null: follow retentionHours. Lowering it at a four-eyes site waits for a second person (APPROVAL_REQUIRED).'),
  })
  .describe('Camera fields to change; omitted fields keep their value.');

const isoTime = z.iso.datetime({ offset: true }).describe('RFC 3339 time.');

export const timeRangeQuery = z.strictObject({
  from: isoTime.describe('Start of the range (RFC 3339).'),
  to: isoTime.describe('End of the range (RFC 3339).'),
});

/** Which recorded stream playback reads (ADR 0043). */
export const recordedStream = z.enum(['main', 'sub']).optional().default('main').describe('`sub`: the recorded sub-stream (dual recording, ADR 0043); `main` (the default): the main stream.');

export const playbackQuery = timeRangeQuery.extend({ stream: recordedStream });

export const timeline = z
  .object({
    cameraId: z.uuid(),
    stream: z.enum(['main', 'sub']).describe('The recorded stream the spans and gaps are of.'),
    from: z.string(),
    to: z.string(),
    spans: z.array(z.object({ start: z.string(), end: z.string() })).describe('Recorded spans, merged where contiguous.'),
    gaps: z
      .array(z.object({ start: z.string(), end: z.string(), reason: z.string().describe('Why nothing was recorded, when known.') }))
      .describe('Holes between spans inside the range.'),
  })
  .describe('What is recorded for a camera in a time range.');

export const exportCreate = z
  .strictObject({
    cameraId: z.uuid(),
    from: isoTime,
    to: isoTime,
    reason: z.string().trim().min(3).max(500).describe('Why the footage is exported (chain of custody), e.g. an incident or case number.'),
    requestedFor: z.string().trim().min(2).max(200).describe('For whom: the recipient (authority, person or case) the export is handed to. Personal data: sealed in the ledger.'),
    stream: z.enum(['main', 'sub']).optional().describe('Only `main` (the default) is exported: an export of the recorded sub-stream is refused (VALIDATION_FAILED, field stream); evidence is the main stream (ADR 0043).'),
  })
  .describe('A time range of one camera to export as MP4, with its chain-of-custody record.');

export const exportJob = z
  .object({
    id: z.uuid(),
    cameraId: z.uuid(),
    from: z.string(),
    to: z.string(),
    state: z.enum(['pending', 'running', 'done', 'failed']),
    bytes: z.number().nullable(),
    error: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    download: z.string().nullable().describe('Path of the MP4 once done.'),
    evidence: z.string().nullable().describe('Path of the evidence package (zip: MP4, manifest, custody record, ledger proofs, checkpoint) once done.'),
    phase: z
      .enum(['queued', 'waiting-for-footage', 'rendering', 'proving', 'done', 'failed'])
      .describe('queued: behind other jobs; waiting-for-footage: the open segment is being sealed (about one key-frame interval) and its ledger leaf written; rendering: footage is read and remuxed; proving: hash, completion event and proofs; done or failed.'),
    progress: z
      .object({
        percent: z.number().nullable().describe('0-100; null when this server does not run the job (another node).'),
        bytes: z.number().nullable().describe('Footage bytes read so far while rendering.'),
        totalBytes: z.number().nullable().describe('Footage bytes the render reads in all, once known.'),
      })
      .describe('How far the job is; poll GET /api/v1/exports/{id}.'),
    requestedBy: z.string().nullable().describe('user:<id> of the requester (null for exports made by the CLI or before owners were kept).'),
    approvedBy: z.string().nullable().describe('user:<id> of the second person of a four-eyes export.'),
    mp4Sha256: z.string().nullable().describe('SHA-256 of the exported MP4 once done (as committed to the audit ledger): what `custos export verify` checks.'),
  })
  .describe('An export job.');

export const exportHistoryQuery = z.strictObject({
  camera: z.uuid().optional().describe('Only exports of this camera.'),
  from: isoTime.optional().describe('Only exports requested at or after this time.'),
  to: isoTime.optional().describe('Only exports requested before this time.'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Entries per answer, newest first.'),
});

export const exportHistoryEntry = z
  .object({
    id: z.uuid(),
    cameraId: z.uuid(),
    from: z.string(),
    to: z.string(),
    state: z.enum(['pending', 'running', 'done', 'failed']),
    reason: z.string().nullable().describe('Why it was exported (the custody record\'s reason; whom for is personal and stays in the evidence).'),
    requestedBy: z.string().nullable(),
    approvedBy: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    bytes: z.number().nullable(),
    error: z.string().nullable(),
    mp4Sha256: z.string().nullable().describe('SHA-256 of the MP4 as committed to the audit ledger.'),
  })
  .describe('One export in the history: who, when, which range of which camera, how it ended and its verification hash. No download link.');

export const health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    problems: z.array(z.string()).optional().describe('What does not work (degraded only, with status 503): one line each.'),
    parts: z
      .array(z.object({ name: z.string().describe('`database`, `recording` (the index), `audit` (the ledger), `keys` (the master key provider) or `disk`.'), ok: z.boolean() }))
      .describe('Each part checked, and whether it works now.'),
  })
  .describe('Health of the server.');

export type CameraDto = z.infer<typeof camera>;
export type CameraStatusDto = z.infer<typeof cameraStatus>;
export type TimelineDto = z.infer<typeof timeline>;
export type ExportJobDto = z.infer<typeof exportJob>;

export const auditEventsQuery = z
  .strictObject({
    actor: z.string().max(200).optional().describe('Only events of this actor id.'),
    type: z.string().max(100).optional().describe('Only events of this type (see docs/reference/audit-events.md).'),
    camera: z.uuid().optional().describe('Only events concerning this camera.'),
    from: isoTime.optional().describe('Only events at or after this time.'),
    to: isoTime.optional().describe('Only events before this time.'),
    after: z.coerce.number().int().min(-1).optional().describe('Only events with a leaf index above this (paging: pass the previous page\'s `next`).'),
    limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Events per page.'),
  })
  .describe('Audit ledger query; results ascend by leaf index.');

export const auditEvent = z
  .object({
    seq: z.number().describe('Leaf index in the ledger.'),
    record: z.record(z.string(), z.unknown()).describe('The committed record (its canonical JSON is the Merkle leaf).'),
    personal: z
      .union([z.record(z.string(), z.string()), z.literal('erased')])
      .nullable()
      .describe('The sealed personal fields, opened; "erased" after crypto-shredding; null when the event has none.'),
  })
  .describe('One audit event.');

export const auditEventPage = z
  .object({
    events: z.array(auditEvent),
    next: z.number().nullable().describe('Pass as `after` for the next page; null on the last page.'),
  })
  .describe('A page of audit events.');

export const auditCheckpoint = z
  .object({
    size: z.number(),
    root: z.string().describe('Base64 RFC 6962 root hash.'),
    signedAt: z.string(),
    note: z.string().describe('The C2SP signed note (tlog-checkpoint).'),
  })
  .describe('A signed checkpoint of the ledger.');

export const auditCheckpointsQuery = z
  .strictObject({
    before: z.coerce.number().int().min(1).optional().describe('Only checkpoints of a smaller tree size (paging).'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .describe('Checkpoint history query, newest first.');

export const inclusionQuery = z
  .strictObject({
    seq: z.coerce.number().int().min(0).describe('Leaf index.'),
    size: z.coerce.number().int().min(1).describe('Tree size of the checkpoint to prove against.'),
  })
  .describe('Inclusion proof request.');

export const consistencyQuery = z
  .strictObject({
    from: z.coerce.number().int().min(1).describe('Older tree size.'),
    to: z.coerce.number().int().min(1).describe('Newer tree size.'),
  })
  .describe('Consistency proof request.');

export const auditProof = z
  .object({
    hashes: z.array(z.string()).describe('Proof hashes, base64, in RFC 9162 order.'),
  })
  .describe('An RFC 9162 inclusion or consistency proof.');

export const seqParams = z.strictObject({ seq: z.coerce.number().int().min(0).describe('Leaf index') });
