/**
 * The unit of media that flows from an ingest to the segmenter, the segment store and live
 * viewers: the fMP4 init segment, then fragments (one `moof` + `mdat` pair each, ≤ 1 s).
 * Any ingest (ffmpeg today, native RTSP later) MUST produce exactly this.
 */
export type MediaPiece = InitPiece | FragmentPiece | LiveChunkPiece;

/** The `ftyp` + `moov` boxes that describe the stream; required before any fragment. */
export interface InitPiece {
  readonly kind: 'init';
  /** The exact bytes of `ftyp` and `moov`. */
  readonly bytes: Buffer;
  /**
   * RFC 6381 codecs for MSE and HLS: the video codec, then the audio codec when the init carries
   * an audio track (`avc1.640028` or `avc1.640028,mp4a.40.2`). The video codec is always first.
   */
  readonly codec: string;
  /** Media timescale of the video track (ticks per second). */
  readonly timescale: number;
  /** Track id of the video track. */
  readonly trackId: number;
  /** Frame width and height in pixels, when the sample description states them. */
  readonly width: number;
  readonly height: number;
  /** The recorded audio track, when there is one (a second track: AAC). */
  readonly audio?: AudioTrackInfo;
}

/** The audio track of an init segment (ADR 0037): AAC in an `mp4a` sample entry. */
export interface AudioTrackInfo {
  /** RFC 6381 codec string, e.g. `mp4a.40.2` (AAC-LC). */
  readonly codec: string;
  readonly trackId: number;
  /** Media timescale of the audio track: its sample rate (RTP clock), ticks per second. */
  readonly timescale: number;
  readonly channels: number;
}

/**
 * One `moof` + `mdat` pair (optionally preceded by `styp`/`sidx`/`prft` boxes). The timing
 * fields describe the video track; an audio track, when present, has its own `traf` in the same
 * `moof` covering about the same time (its samples follow the video samples in the `mdat`).
 */
export interface FragmentPiece {
  readonly kind: 'fragment';
  /** The exact bytes of the fragment, box headers included. */
  readonly bytes: Buffer;
  /** `tfdt` base media decode time of the video track, in timescale ticks. */
  readonly decodeTime: number;
  /** Sum of the video track's sample durations, in timescale ticks. */
  readonly duration: number;
  /** Number of video samples (frames). */
  readonly sampleCount: number;
  /** True when the first video sample is a sync sample (key frame). */
  readonly keyframe: boolean;
}

/**
 * One access unit as its own `moof` + `mdat`, for live viewers only (ADR 0038): never recorded,
 * never hashed, never part of a segment. An ingest that makes them (native) sends them besides
 * (not instead of) the recording's fragments, on the same timeline and after the same init.
 */
export interface LiveChunkPiece {
  readonly kind: 'live-chunk';
  readonly bytes: Buffer;
  /** `tfdt` of the frame, in timescale ticks (the same timeline as the fragments). */
  readonly decodeTime: number;
  /** Estimated duration (the latest frame interval), in ticks. */
  readonly duration: number;
  readonly keyframe: boolean;
}
