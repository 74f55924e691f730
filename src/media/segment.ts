/** One fragment's place inside a segment object. */
export interface FragmentEntry {
  readonly offset: number;
  readonly size: number;
  readonly durationMs: number;
  readonly keyframe: boolean;
}

/** A segment as indexed: one stored object holding init + fragments of one camera. */
export interface Segment {
  readonly id: string;
  readonly cameraId: string;
  readonly objectKey: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly bytes: number;
  readonly initSize: number;
  readonly codec: string;
  readonly timescale: number;
  readonly fragments: readonly FragmentEntry[];
  /** open: being written; closed: sealed with its final chunk; recovered: ends at its last whole fragment without one (cut back after a crash, or a write that failed, e.g. ENOSPC). */
  readonly state: 'open' | 'closed' | 'recovered';
}

/** A recorded hole: the camera was down or failing between start and end. */
export interface Gap {
  readonly id: string;
  readonly cameraId: string;
  readonly startMs: number;
  readonly endMs: number | null;
  readonly reason: string;
}
