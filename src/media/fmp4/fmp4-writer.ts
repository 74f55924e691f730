/**
 * Fragmented-MP4 writer for one H.264 or H.265 video track and optionally one AAC audio track
 * (ADR 0037: audio rides in the video's fragments, see audio-queue.ts): turns access units with
 * 90 kHz timestamps into the MediaPieces of src/media/media.ts, shaped like ffmpeg's
 * `-c copy -f mp4 -movflags +frag_keyframe+empty_moov+default_base_moof -frag_duration 1000000`
 * so the segmenter, vault, live view and playback take them unchanged.
 *
 * Contracts:
 * - `init()` MUST be called before `addFrame()`; it returns the InitPiece (`ftyp` + `moov`).
 * - A fragment ends before every key frame (so every key frame opens a fragment, which is what
 *   lets the segmenter cut there) and never lasts more than `maxFragmentMs`, unless one frame
 *   interval alone does (a timestamp jump, a camera under 1 fps): durations stay true so that
 *   decode times remain contiguous.
 * - A fragment is emitted once its end is known: when the frame after it arrives, or the one
 *   after that when the maximum falls between two frames. So each sample duration is the exact
 *   delta to the next timestamp, and `decodeTime` of fragment n+1 = `decodeTime + duration` of
 *   fragment n. Only at `flush()` is the last frame's duration estimated.
 * - Decode times count from the first frame's timestamp (the first fragment starts at 0), as
 *   ffmpeg does with `-avoid_negative_ts make_zero`. No B-frames: decode order is presentation
 *   order (no composition offsets), so timestamps MUST strictly increase.
 * - Access unit delimiters are dropped; everything else, in-band SPS/PPS (and VPS) included, is
 *   kept as received, as `ffmpeg -c copy` does (see README.md, "Parameter sets").
 * - The writer keeps references to the NAL unit buffers until their fragment is emitted: the
 *   caller MUST NOT reuse or modify them before then.
 * - A refused frame (AppError MEDIA_MALFORMED) leaves the writer unchanged; the caller may skip
 *   it and go on.
 */
import { AppError } from '../../lib/errors.ts';
import { MAX_BOX_SIZE } from './fmp4-boxes.ts';
import type { FragmentPiece, InitPiece } from '../media.ts';
import { H264_NAL, buildAvcDecoderConfig, h264CodecString, h264NalType, parseH264Sps } from './h264-parameter-sets.ts';
import { H265_NAL, buildHevcDecoderConfig, h265CodecString, h265NalType, parseH265Sps } from './h265-parameter-sets.ts';
import { AUDIO_TRACK_ID, VIDEO_TRACK_ID, box, buildInitSegment, visualSampleEntry, type AudioTrackInit } from './init-segment.ts';
import { buildMovieFragment, type PendingSample } from './movie-fragment.ts';
import { aacChannelCount, aacCodecString, parseAacConfig } from './aac-config.ts';
import { aacSampleEntry } from './audio-sample-entry.ts';
import { AudioQueue, type AudioDrop } from './audio-queue.ts';

/** The parameter sets that describe a stream (e.g. from SDP sprop-parameter-sets, or in-band). */
export type VideoCodecConfig =
  | { readonly codec: 'h264'; readonly sps: Uint8Array; readonly pps: readonly Uint8Array[] }
  | { readonly codec: 'h265'; readonly vps: Uint8Array; readonly sps: Uint8Array; readonly pps: readonly Uint8Array[] };

/** An AAC audio track to record beside the video (ADR 0037). */
export interface AudioCodecConfig {
  readonly codec: 'aac';
  /** AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), e.g. the SDP's `config=`. */
  readonly config: Uint8Array;
  /** Clock of the audio timestamps (the RTP clock rate, normally the sample rate): the track's timescale. */
  readonly timescale: number;
  /** Channels when the config defers to a program config element (channelConfiguration 0). */
  readonly channels?: number | undefined;
  /** Samples per AAC frame (1024 for AAC-LC): the duration of the last frame when the next is unknown. */
  readonly frameSamples?: number;
}

/** One access unit (one coded picture). */
export interface VideoFrame {
  /** NAL units without start codes or length prefixes, in decoding order. */
  readonly nalus: readonly Uint8Array[];
  /** Decode (= presentation) time in timescale ticks (90 kHz RTP time, unwrapped); strictly increasing. */
  readonly timestamp: number;
  /** True for a random access point (H.264 IDR, H.265 IRAP). */
  readonly keyframe: boolean;
}

/** Tuning of the writer. */
export interface Fmp4WriterOptions {
  /** Longest fragment in ms (default 1000, as ffmpeg's `-frag_duration 1000000`). */
  readonly maxFragmentMs?: number;
  /** Media timescale, ticks per second (default 90000, the RTP video clock). */
  readonly timescale?: number;
  /** Duration in ticks given to the last frame at flush() when no interval was seen (default 1/25 s). */
  readonly nominalFrameDuration?: number;
}

/** Why a frame was refused: stable values of `detail.reason` on MEDIA_MALFORMED. */
export type FrameFault = 'timestamp-invalid' | 'timestamp-order' | 'timestamp-gap' | 'empty-frame' | 'frame-too-large';

/** Largest mdat payload: the fMP4 reader refuses boxes above MAX_BOX_SIZE. */
const MAX_MDAT_PAYLOAD = MAX_BOX_SIZE - 8;
/** Most samples in one fragment, well under the reader's guard (a 1 ms clock would otherwise pile up frames). */
const MAX_FRAGMENT_SAMPLES = 10_000;
/** Largest sample duration a trun row holds (32 bits). */
const MAX_SAMPLE_DURATION = 0xffffffff;

/** What addFrame returns when it completes no fragment (shared: no allocation per frame). */
const NO_FRAGMENTS: readonly FragmentPiece[] = Object.freeze([]);

function frameError(reason: FrameFault, message: string): never {
  throw new AppError('MEDIA_MALFORMED', message, { reason });
}

/** Writes one video track as fMP4 pieces; see the module comment for the contracts. */
export class Fmp4Writer {
  readonly #timescale: number;
  readonly #maxTicks: number;
  readonly #nominalDuration: number;
  #audType = -1;
  #nalType: (nal: Uint8Array) => number = h264NalType;
  #pending: PendingSample[] = [];
  #pendingBytes = 0;
  #fragmentStart = 0;
  #firstTimestamp: number | null = null;
  #lastTimestamp = 0;
  #lastInterval: number | null = null;
  #sequence = 0;
  #audio: AudioQueue | undefined;

  constructor(options: Fmp4WriterOptions = {}) {
    const { maxFragmentMs = 1000, timescale = 90_000, nominalFrameDuration = timescale / 25 } = options;
    if (!(Number.isSafeInteger(timescale) && timescale > 0 && timescale <= 0xffffffff)) {
      throw new AppError('VALIDATION_FAILED', 'timescale must be a positive 32-bit integer');
    }
    if (!(maxFragmentMs > 0 && maxFragmentMs <= 10_000)) throw new AppError('VALIDATION_FAILED', 'maxFragmentMs must be in (0, 10000]');
    if (!(Number.isSafeInteger(nominalFrameDuration) && nominalFrameDuration > 0)) {
      throw new AppError('VALIDATION_FAILED', 'nominalFrameDuration must be a positive integer');
    }
    this.#timescale = timescale;
    this.#maxTicks = Math.floor((maxFragmentMs * timescale) / 1000);
    this.#nominalDuration = nominalFrameDuration;
  }

  /**
   * Describes the stream and returns its init segment. MAY be called again, after flush(), when
   * the parameter sets change; decode times continue. Malformed parameter sets throw
   * MEDIA_MALFORMED (see rbsp-reader.ts for `detail.reason`).
   */
  init(config: VideoCodecConfig, audioConfig?: AudioCodecConfig): InitPiece {
    if (this.#pending.length > 0) throw new AppError('INTERNAL', 'Fmp4Writer.init() with frames pending: flush() first');
    let entry: Buffer;
    let codec: string;
    let width: number;
    let height: number;
    if (config.codec === 'h264') {
      const sps = parseH264Sps(config.sps);
      ({ width, height } = sps);
      codec = h264CodecString(sps);
      entry = visualSampleEntry('avc1', width, height, box('avcC', buildAvcDecoderConfig(config.sps, sps, config.pps)));
      this.#audType = H264_NAL.aud;
      this.#nalType = h264NalType;
    } else {
      const sps = parseH265Sps(config.sps);
      ({ width, height } = sps);
      codec = h265CodecString(sps);
      entry = visualSampleEntry('hvc1', width, height, box('hvcC', buildHevcDecoderConfig(config, sps)));
      this.#audType = H265_NAL.aud;
      this.#nalType = h265NalType;
    }
    let audio: AudioTrackInit | undefined;
    let audioInfo: InitPiece['audio'];
    this.#audio = undefined;
    if (audioConfig !== undefined) {
      const aac = parseAacConfig(audioConfig.config);
      const channels = aacChannelCount(aac, audioConfig.channels ?? 2);
      if (!(Number.isSafeInteger(audioConfig.timescale) && audioConfig.timescale > 0 && audioConfig.timescale <= 0xffffffff)) {
        throw new AppError('VALIDATION_FAILED', 'audio timescale must be a positive 32-bit integer');
      }
      audio = { sampleEntry: aacSampleEntry({ config: audioConfig.config, channels, sampleRate: aac.sampleRate }), timescale: audioConfig.timescale };
      audioInfo = { codec: aacCodecString(aac), trackId: AUDIO_TRACK_ID, timescale: audioConfig.timescale, channels };
      this.#audio = new AudioQueue({ trackId: AUDIO_TRACK_ID, timescale: audioConfig.timescale, videoTimescale: this.#timescale, frameSamples: audioConfig.frameSamples ?? 1024 });
      if (this.#firstTimestamp !== null) this.#audio.start(this.#firstTimestamp);
    }
    const bytes = buildInitSegment({ sampleEntry: entry, width, height, timescale: this.#timescale, ...(audio === undefined ? {} : { audio }) });
    const base = { kind: 'init', bytes, timescale: this.#timescale, trackId: VIDEO_TRACK_ID, width, height } as const;
    return audioInfo === undefined ? { ...base, codec } : { ...base, codec: `${codec},${audioInfo.codec}`, audio: audioInfo };
  }

  /**
   * Adds one AAC frame of the audio track given to init(). `timestamp` is in the audio timescale
   * on the video's time origin (see audio-queue.ts). Returns why the frame was dropped (before the
   * first video frame, or too many waiting), else undefined; the frame goes out with the video
   * fragment whose time it falls in. MEDIA_MALFORMED (`timestamp-order`) for a timestamp that does
   * not increase; INTERNAL without an audio track.
   */
  addAudio(data: Uint8Array, timestamp: number): AudioDrop | undefined {
    if (this.#audio === undefined) throw new AppError('INTERNAL', 'Fmp4Writer.addAudio() without an audio track in init()');
    return this.#audio.add(data, timestamp);
  }

  /**
   * Adds the next access unit and returns the fragments it completed, in order: usually none or
   * one, two when the maximum falls between the last two frames and this one is a key frame.
   * MEDIA_MALFORMED (`detail.reason`: FrameFault) for a timestamp that does not increase, a frame
   * with no NAL unit besides delimiters, or one too large for an mdat.
   */
  addFrame(frame: VideoFrame): readonly FragmentPiece[] {
    if (this.#audType < 0) throw new AppError('INTERNAL', 'Fmp4Writer.addFrame() before init()');
    const { timestamp } = frame;
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) frameError('timestamp-invalid', `frame timestamp ${timestamp} is not a non-negative integer`);
    const first = this.#firstTimestamp;
    const interval = first === null ? null : timestamp - this.#lastTimestamp;
    if (interval !== null && interval <= 0) {
      frameError('timestamp-order', `frame timestamp ${timestamp} does not increase (previous ${this.#lastTimestamp})`);
    }
    if (interval !== null && interval > MAX_SAMPLE_DURATION) frameError('timestamp-gap', `frame interval ${interval} ticks exceeds 32 bits`);

    let nalus = frame.nalus;
    let size = 0;
    let dropped = false;
    for (const nal of nalus) {
      if (nal.length === 0 || this.#nalType(nal) === this.#audType) dropped = true;
      else size += 4 + nal.length;
    }
    if (dropped) nalus = nalus.filter((nal) => nal.length > 0 && this.#nalType(nal) !== this.#audType);
    if (nalus.length === 0) frameError('empty-frame', `frame at ${timestamp} has no NAL unit besides delimiters`);
    if (size > MAX_MDAT_PAYLOAD) frameError('frame-too-large', `frame at ${timestamp} has ${size} bytes`);

    // Validated: from here on the writer changes state.
    let closed: FragmentPiece[] | undefined;
    const last = this.#pending[this.#pending.length - 1];
    if (last !== undefined && interval !== null) {
      last.duration = interval;
      // Closed now, the fragment would end at `timestamp`. Past the maximum, its last frame
      // cannot stay in it: the frames before go out, and that frame opens the next fragment.
      if (timestamp - this.#fragmentStart > this.#maxTicks && this.#pending.length > 1) closed = [this.#emit(this.#pending.length - 1)];
      const full = this.#pendingBytes + size + (this.#audio?.bytes ?? 0) > MAX_MDAT_PAYLOAD || this.#pending.length >= MAX_FRAGMENT_SAMPLES;
      if (frame.keyframe || timestamp - this.#fragmentStart >= this.#maxTicks || full) (closed ??= []).push(this.#emit(this.#pending.length));
    }
    if (first === null) {
      this.#firstTimestamp = timestamp;
      this.#audio?.start(timestamp);
    }
    if (this.#pending.length === 0) this.#fragmentStart = timestamp;
    this.#pending.push({ nalus, size, keyframe: frame.keyframe, duration: 0 });
    this.#pendingBytes += size;
    if (interval !== null) this.#lastInterval = interval;
    this.#lastTimestamp = timestamp;
    return closed ?? NO_FRAGMENTS;
  }

  /**
   * Ends the stream: emits the open fragment, if any. Its last frame's duration is estimated:
   * the latest interval (`nominalFrameDuration` after a single frame), shortened if needed so
   * the fragment stays within the maximum.
   */
  flush(): FragmentPiece | undefined {
    const last = this.#pending[this.#pending.length - 1];
    if (last === undefined) return undefined;
    const room = this.#maxTicks - (this.#lastTimestamp - this.#fragmentStart);
    last.duration = Math.max(1, Math.min(this.#lastInterval ?? this.#nominalDuration, room));
    return this.#emit(this.#pending.length, true);
  }

  /** Emits the first `count` pending frames (every duration set) as one fragment. */
  #emit(count: number, last = false): FragmentPiece {
    const all = this.#pending;
    const samples = count === all.length ? all : all.slice(0, count);
    let size = 0;
    let duration = 0;
    for (const s of samples) {
      size += s.size;
      duration += s.duration;
    }
    const decodeTime = this.#fragmentStart - (this.#firstTimestamp ?? 0);
    // The audio of the same stretch of time (all of it at the end of the stream).
    const audio = this.#audio?.take(last ? undefined : decodeTime + duration);
    const bytes = buildMovieFragment(++this.#sequence, VIDEO_TRACK_ID, decodeTime, samples, size, audio);
    this.#pending = count === all.length ? [] : all.slice(count);
    this.#pendingBytes -= size;
    this.#fragmentStart += duration;
    return { kind: 'fragment', bytes, decodeTime, duration, sampleCount: samples.length, keyframe: samples[0]?.keyframe ?? false };
  }
}
