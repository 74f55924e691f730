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
