import type { AudioStatus } from '../ingest/ingest.ts';

/** Recorder state of one camera, as shown in the API and on the page. */
export interface CameraStatus {
  /** `storage-full`: stopped by the disk-full policy (no space, nothing deletable); resumes by itself. `quarantined`: held at onboarding until a risk acceptance. */
  readonly state: 'disabled' | 'connecting' | 'recording' | 'retrying' | 'stopped' | 'storage-full' | 'quarantined';
  readonly sinceMs: number;
  /** Last ingest error, classified (ingest-failure.ts): never a byte the camera or another service sent. */
  readonly lastError: string | null;
  /** When the next reconnect attempt is due, while retrying, on the monotonic clock (MonotonicClock.now()). */
  readonly retryAtMs: number | null;
  readonly ingest: string;
  readonly bytes: number;
  readonly fragments: number;
  /** Video frames recorded since the server started. */
  readonly frames: number;
  /** Times the ingest ended unexpectedly and was restarted, since the server started. */
  readonly reconnects: number;
  /** RTP packets lost and frames dropped after losses (native ingest; null for ffmpeg, which does not say). */
  readonly lostPackets: number | null;
  readonly droppedFrames: number | null;
  /** Audio of the camera (ADR 0037): `none` offered, `recorded (…)`, `not recorded (codec …)`; null when unknown (ffmpeg). */
  readonly audio: AudioStatus | null;
  /** Camera clock minus ours from RTCP sender reports (native ingest), ms; null when unknown. */
  readonly clockOffsetMs: number | null;
}
