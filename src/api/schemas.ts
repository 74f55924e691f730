import { z } from 'zod';

/**
 * The API's wire schemas, in one place: the server validates with them, the OpenAPI document
 * is generated from them, and the web page and CLI read the same shapes. Times are RFC 3339 UTC.
 */

export const idParams = z.strictObject({ id: z.uuid().describe('Camera id') });

export const cameraStatus = z
  .object({
    state: z.enum(['disabled', 'connecting', 'recording', 'retrying', 'stopped']).describe('Recorder state of the camera.'),
    since: z.string().describe('When the camera entered this state (RFC 3339).'),
    lastError: z.string().nullable().describe('Last ingest error, credentials scrubbed.'),
    retryInSeconds: z.number().nullable().describe('Seconds until the next reconnect attempt, when retrying.'),
    ingest: z.string().describe('Ingest implementation (ffmpeg).'),
    bytes: z.number().describe('Bytes recorded since the server started.'),
    fragments: z.number().describe('Fragments recorded since the server started.'),
    viewers: z.number().describe('Live viewers connected now.'),
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
    createdAt: z.string(),
    updatedAt: z.string(),
    status: cameraStatus,
  })
  .describe('A camera.');

export const cameraCreate = z
  .strictObject({
    name: z.string().min(1).max(100),
    url: z.string().max(2048).describe('rtsp:// or rtsps:// URL; credentials in it are moved to the credential fields.'),
    username: z.string().max(256).nullable().optional(),
    password: z.string().max(256).nullable().optional().describe('Write-only.'),
    tlsCaPem: z.string().max(65536).nullable().optional().describe('rtsps:// only: PEM of the CA to verify the camera against, or of the camera\'s own certificate to pin it.'),
    enabled: z.boolean().optional().default(true),
    retentionHours: z.number().int().min(1).max(24 * 365 * 10).optional().default(72),
  })
  .describe('A camera to add.');

export const cameraUpdate = z
  .strictObject({
    name: z.string().min(1).max(100).optional(),
    url: z.string().max(2048).optional(),
    username: z.string().max(256).nullable().optional().describe('null clears it.'),
    password: z.string().max(256).nullable().optional().describe('Write-only; null clears it.'),
    tlsCaPem: z.string().max(65536).nullable().optional().describe('null clears it (system CA store).'),
    enabled: z.boolean().optional(),
    retentionHours: z.number().int().min(1).max(24 * 365 * 10).optional(),
  })
  .describe('Camera fields to change; omitted fields keep their value.');

const isoTime = z.iso.datetime({ offset: true }).describe('RFC 3339 time.');

export const timeRangeQuery = z.strictObject({
  from: isoTime.describe('Start of the range (RFC 3339).'),
  to: isoTime.describe('End of the range (RFC 3339).'),
});

export const timeline = z
  .object({
    cameraId: z.uuid(),
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
  })
  .describe('A time range of one camera to export as MP4.');

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
  })
  .describe('An export job.');

export const health = z.object({ status: z.literal('ok'), version: z.string() });

export type CameraDto = z.infer<typeof camera>;
export type CameraStatusDto = z.infer<typeof cameraStatus>;
export type TimelineDto = z.infer<typeof timeline>;
export type ExportJobDto = z.infer<typeof exportJob>;
