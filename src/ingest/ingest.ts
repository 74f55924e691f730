import type { MediaPiece } from '../media/media.ts';

/** What an ingest needs to pull one camera. Credentials are held apart from the URL. */
export interface IngestTarget {
  readonly cameraId: string;
  /** rtsp:// or rtsps:// URL without userinfo. */
  readonly url: string;
  readonly username: string | null;
  readonly password: string | null;
  /**
   * rtsps:// only: PEM trust anchors for the camera's certificate, replacing the system CA store.
   * Either a CA (chain and host name/IP are checked) or the camera's own certificate, pinned
   * (an exact match is accepted whatever names it holds). Absent or null: the system CA store,
   * with the host name checked. Verification is never disabled. Public data, not a secret.
   */
  readonly tlsCaPem?: string | null;
  /** Which ingest pulls the camera (the camera's choice); `auto` when absent. */
  readonly ingest?: 'auto' | 'native' | 'ffmpeg';
  /** Record the camera's audio when the ingest can (native: AAC-LC); video only when false or absent (ADR 0037). */
  readonly recordAudio?: boolean;
}

/**
 * What happens to a camera's audio (ADR 0037): `none` offered, `recorded (AAC 48000 Hz)`, or
 * `not recorded (codec PCMU)` and the like. The text in brackets is for people, not parsing.
 */
export type AudioStatus = 'none' | `recorded (${string})` | `not recorded (${string})`;

/** What an ingest that counts them reports per camera (native ingest). */
export interface IngestLosses {
  readonly lostPackets: number;
  readonly droppedFrames: number;
  readonly audio: AudioStatus;
  /** Camera clock minus ours from RTCP sender reports, ms; null before one arrived. */
  readonly clockOffsetMs: number | null;
}

/**
 * Receives media pieces in order. Returning a promise applies back-pressure: the ingest MUST
 * NOT deliver the next piece before the promise settles.
 * A recorded fragment's bytes MAY be a view of shared memory (the worker ingest's ring, ADR
 * 0044): unchanged until the sink's promise settled and, for a key-frame cache, until a later
 * key fragment's did (or, after the run ended, for a few seconds). A consumer that keeps bytes
 * longer MUST copy them; one that hands them to a socket copies them first (live-hub.ts).
 */
export type PieceSink = (piece: MediaPiece) => void | Promise<void>;

/** What an ingest tells its caller besides pieces, and what it asks of it. */
export interface IngestEvents {
  /** The camera accepted PLAY (or, for ffmpeg, its first output arrived): the connection works. */
  playing?(): void;
  /**
   * Whether anyone watches the camera live (ADR 0044): an ingest that makes per-frame live chunks
   * (ADR 0038) makes them only while wanted, starting at a key frame. Absent: always wanted.
   */
  readonly live?: LiveDemand;
}

/** Whether a camera's live viewers want per-frame chunks now, and changes of it (LiveHub.demand). */
export interface LiveDemand {
  wanted(): boolean;
  /** Calls `listener` on every change; returns the function that stops it. */
  onChange(listener: (wanted: boolean) => void): () => void;
}

/**
 * Pulls one camera's stream and turns it into fMP4 pieces. `run` resolves when the stream ends
 * normally or `signal` aborts, and rejects with an AppError (`CAMERA_UNREACHABLE`,
 * `MEDIA_MALFORMED`) when it fails; the recorder supervises and reconnects.
 * Implementations: ffmpeg (ffmpeg-ingest.ts), native (src/ingest/native/native-ingest.ts), and the
 * per-camera choice between them (src/ingest/chosen-ingest.ts).
 */
export interface Ingest {
  readonly name: string;
  /** Which ingest pulls this camera now (for status), when the implementation chooses per camera. */
  describe?(cameraId: string): string;
  /** Loss counters of a camera since the server started, when the implementation counts them. */
  losses?(cameraId: string): IngestLosses | undefined;
  run(target: IngestTarget, sink: PieceSink, signal: AbortSignal, events?: IngestEvents): Promise<void>;
}
