import type { AudioStatus } from '../ingest.ts';

/** Counters of one camera's native ingest since the server started; they only grow. */
export interface CameraIngestCounters {
  /** RTP packets of the video track received. */
  packets: number;
  /** RTP payload bytes of the video track received. */
  bytes: number;
  /** Frames (access units) written to fMP4. */
  frames: number;
  /** RTP packets lost (sequence gaps), of the current session (each reconnect starts over). */
  lostPackets: number;
  /** Frames dropped after a loss until the next key frame, current session. */
  droppedFrames: number;
  malformedPackets: number;
  /** Frames the fMP4 writer refused (timestamp going back). */
  refusedFrames: number;
  /** RTSP sessions opened (1 + reconnects). */
  sessions: number;
  /** Whether the camera offers audio and what happens to it. */
  audio: AudioStatus;
  /** AAC frames written to fMP4. */
  audioFrames: number;
  /** AAC frames not written: before the first video frame, refused (timestamp), or waiting too long for video. */
  droppedAudioFrames: number;
  /** Camera clock minus ours, from its last RTCP sender report (ms); null before one arrived. */
  clockOffsetMs: number | null;
}

/**
 * Per-camera counters of the native ingest, shared by the ingest (writes), the camera status
 * and the /metrics endpoint (reads). Plain numbers: no locking, one process.
 */
export class IngestCounters {
  readonly #cameras = new Map<string, CameraIngestCounters>();
  /** Totals of sessions that ended, so lost packets survive reconnects. */
  readonly #ended = new Map<string, { lostPackets: number; droppedFrames: number }>();

  /** The live counters of a camera (created at first use; a new session resets the per-session ones). */
  camera(cameraId: string): CameraIngestCounters {
    let c = this.#cameras.get(cameraId);
    if (c === undefined) {
      c = { packets: 0, bytes: 0, frames: 0, lostPackets: 0, droppedFrames: 0, malformedPackets: 0, refusedFrames: 0, sessions: 0, audio: 'none', audioFrames: 0, droppedAudioFrames: 0, clockOffsetMs: null };
      this.#cameras.set(cameraId, c);
    }
    return c;
  }

  /** Folds an ended session into the totals. */
  session(cameraId: string): void {
    const c = this.camera(cameraId);
    const ended = this.#ended.get(cameraId) ?? { lostPackets: 0, droppedFrames: 0 };
    this.#ended.set(cameraId, { lostPackets: ended.lostPackets + c.lostPackets, droppedFrames: ended.droppedFrames + c.droppedFrames });
    c.lostPackets = 0;
    c.droppedFrames = 0;
    c.sessions++;
  }

  /** Totals for a camera including ended sessions. */
  totals(cameraId: string): CameraIngestCounters | undefined {
    const c = this.#cameras.get(cameraId);
    if (c === undefined) return undefined;
    const ended = this.#ended.get(cameraId) ?? { lostPackets: 0, droppedFrames: 0 };
    return { ...c, lostPackets: c.lostPackets + ended.lostPackets, droppedFrames: c.droppedFrames + ended.droppedFrames };
  }

  cameraIds(): string[] {
    return [...this.#cameras.keys()];
  }
}
