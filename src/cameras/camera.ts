/** A camera as the system holds it. Credentials never leave the server through the API. */
export interface Camera {
  readonly id: string;
  readonly name: string;
  /** rtsp:// or rtsps:// URL, never with userinfo. */
  readonly url: string;
  readonly username: string | null;
  readonly password: string | null;
  /** rtsps:// only: PEM trust anchor (a CA, or the camera's own certificate to pin it); null = system CAs. */
  readonly tlsCaPem: string | null;
  readonly enabled: boolean;
  readonly retentionHours: number;
  /**
   * Hours of footage that MUST be kept even when the disk runs short (the disk-full policy deletes
   * older footage first, never younger); 0 = any closed footage may go under disk pressure.
   */
  readonly minRetentionHours: number;
  /** How this camera is pulled; see {@link IngestChoice}. */
  readonly ingest: IngestChoice;
  /** Site the camera belongs to (scopes of grants, four-eyes rule); `default` until assigned. */
  readonly siteId: string;
  /**
   * A second, lower-resolution stream for live tiles (ADR 0037): rtsp:// or rtsps:// on the same
   * host as `url`, never with userinfo; pulled with the camera's own credentials and trust anchor.
   * Null or absent: live viewers get the main stream. Recording always uses `url`.
   */
  readonly subStreamUrl?: string | null;
  /**
   * Record the camera's audio (AAC-LC) with its video, and play it live (ADR 0037). Off unless
   * turned on (absent = off): sound is more intrusive than images and restricted in several
   * jurisdictions, so it is processed only where the controller decided to (GDPR Art. 25).
   */
  readonly recordAudio?: boolean;
  /**
   * Dual recording (ADR 0043): the sub-stream is recorded as a second stream, with its own
   * retention; live tiles then take it from that recording. Requires `subStreamUrl`. Absent = off.
   */
  readonly recordSubStream?: boolean;
  /** Retention of the recorded sub-stream in hours, at most `retentionHours`; null or absent = `retentionHours`. */
  readonly subStreamRetentionHours?: number | null;
  readonly createdMs: number;
  readonly updatedMs: number;
}

/** Fields a caller gives to add a camera. */
export interface CameraInput {
  readonly name: string;
  readonly url: string;
  readonly username?: string | null | undefined;
  readonly password?: string | null | undefined;
  readonly tlsCaPem?: string | null | undefined;
  readonly enabled?: boolean | undefined;
  readonly retentionHours?: number | undefined;
  readonly minRetentionHours?: number | undefined;
  readonly ingest?: IngestChoice | undefined;
  readonly siteId?: string | undefined;
  /** null or absent: no sub-stream; userinfo in it MUST match the camera's credentials (it is taken out). */
  readonly subStreamUrl?: string | null | undefined;
  /** Default false: video only. */
  readonly recordAudio?: boolean | undefined;
  /** Default false: the sub-stream (if any) is for live only. */
  readonly recordSubStream?: boolean | undefined;
  /** null or absent: the camera's retention. */
  readonly subStreamRetentionHours?: number | null | undefined;
}

/** Fields a caller may change; `null` credentials clear them. */
export type CameraPatch = Partial<CameraInput>;

/**
 * Which ingest pulls a camera: `native` (in-process RTSP, src/ingest/), `ffmpeg` (one ffmpeg
 * process), or `auto`: native, falling back to ffmpeg when native cannot read the camera's codec
 * or transport (the reason shows in the camera's status).
 */
export type IngestChoice = 'auto' | 'native' | 'ffmpeg';

/** The ingest choices, for validation. */
export const ingestChoices: readonly IngestChoice[] = ['auto', 'native', 'ffmpeg'];

/** Default retention of recordings: 72 hours. */
export const defaultRetentionHours = 72;

/** Default minimum retention under disk pressure: none (the oldest footage goes first). */
export const defaultMinRetentionHours = 0;

/** Hours the recorded sub-stream is kept (ADR 0043): its own retention, else the camera's. */
export function subStreamRetention(camera: Pick<Camera, 'retentionHours' | 'subStreamRetentionHours'>): number {
  return camera.subStreamRetentionHours ?? camera.retentionHours;
}

/** True when the camera's sub-stream is to be recorded: turned on and a sub-stream named. */
export function recordsSubStream(camera: Pick<Camera, 'recordSubStream' | 'subStreamUrl'>): boolean {
  return camera.recordSubStream === true && (camera.subStreamUrl ?? null) !== null;
}
