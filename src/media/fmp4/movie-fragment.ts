/**
 * One movie fragment, `moof` + `mdat` (ISO/IEC 14496-12 §8.8.4–§8.8.8, §8.8.12), written into a
 * single buffer: the hot path of the writer, so the NAL unit (and AAC frame) bytes are copied
 * exactly once and nothing else is allocated per sample.
 *
 * Layout: moof { mfhd, traf { tfhd (default-base-is-moof), tfdt (version 1, 64-bit),
 * trun (data offset; per-sample duration, size, flags) } [, audio traf { tfhd, tfdt,
 * trun (data offset; per-sample duration, size) }] }, then mdat with each video sample as
 * 4-byte-length-prefixed NAL units (ISO/IEC 14496-15 §4.3, lengthSizeMinusOne = 3), followed by
 * the raw AAC frames of the audio track (ADR 0037). Audio samples are all sync samples (the
 * trex default flags, 0).
 */
import { AppError } from '../../lib/errors.ts';

/** A frame waiting in the open fragment. */
export interface PendingSample {
  /** NAL units without start codes; each is written as a 4-byte length then its bytes. */
  readonly nalus: readonly Uint8Array[];
  /** Sample size in bytes: the sum of (4 + NAL length). */
  readonly size: number;
  readonly keyframe: boolean;
  /** Ticks until the next sample's decode time; set when that sample (or flush) is known. */
  duration: number;
}

/** An audio frame waiting in the open fragment. */
export interface PendingAudioSample {
  /** One raw AAC access unit (no ADTS header). */
  readonly data: Uint8Array;
  /** Decode time in the audio timescale, from the start of the stream. */
  readonly decodeTime: number;
  /** Ticks until the next audio sample; set when the fragment is written. */
  duration: number;
}

/** The audio track's part of a fragment. */
export interface AudioRun {
  readonly trackId: number;
  /** At least one sample, every duration set, decode times increasing. */
  readonly samples: readonly PendingAudioSample[];
  /** Sum of the samples' sizes. */
  readonly payloadBytes: number;
}

/** Sample flags (§8.8.3.1) of a sync sample: sample_depends_on = 2 (does not depend on others). */
export const SYNC_SAMPLE_FLAGS = 0x02000000;
/** Sample flags of any other sample: sample_depends_on = 1, sample_is_non_sync_sample = 1. */
export const NON_SYNC_SAMPLE_FLAGS = 0x01010000;

/** tfhd flags: default-base-is-moof (§8.8.7.1), so the trun data offset counts from the moof. */
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
/** trun flags: data-offset-present | sample-duration | sample-size | sample-flags (§8.8.8.1). */
const TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400;

/** trun flags of the audio track: data-offset-present | sample-duration | sample-size. */
const AUDIO_TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200;

/** Bytes of a traf with tfhd, tfdt and the trun header: everything but the per-sample rows. */
const TRAF_FIXED = 8 + 16 + 20 + 20;
/** Bytes of moof, mfhd and the video traf's fixed part. */
const MOOF_FIXED = 8 + 16 + TRAF_FIXED;
const TRUN_ROW = 12;
const AUDIO_TRUN_ROW = 8;
const MDAT_HEADER = 8;

/** Box types as big-endian 32-bit words. */
const TYPE = {
  moof: fourcc('moof'),
  mfhd: fourcc('mfhd'),
  traf: fourcc('traf'),
  tfhd: fourcc('tfhd'),
  tfdt: fourcc('tfdt'),
  trun: fourcc('trun'),
  mdat: fourcc('mdat'),
} as const;

function fourcc(type: string): number {
  return Buffer.from(type, 'latin1').readUInt32BE(0);
}

/** Size of the `moof` box for `sampleCount` video samples and `audioCount` audio samples (0: no audio traf). */
export function moofSize(sampleCount: number, audioCount = 0): number {
  return MOOF_FIXED + TRUN_ROW * sampleCount + (audioCount > 0 ? TRAF_FIXED + AUDIO_TRUN_ROW * audioCount : 0);
}

/**
 * Writes `moof` + `mdat` for `samples` (at least one, every duration set). `decodeTime` is the
 * tfdt base media decode time in timescale ticks (MUST be a safe integer ≥ 0); `sequence` is the
 * mfhd sequence_number (MUST start at 1 and increase by 1 per fragment, §8.8.5).
 */
export function buildMovieFragment(sequence: number, trackId: number, decodeTime: number, samples: readonly PendingSample[], payloadBytes: number, audio?: AudioRun): Buffer {
  const audioCount = audio?.samples.length ?? 0;
  const audioBytes = audioCount > 0 ? (audio as AudioRun).payloadBytes : 0;
  const moof = moofSize(samples.length, audioCount);
  const total = moof + MDAT_HEADER + payloadBytes + audioBytes;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  const word = (v: number): void => {
    out.writeUInt32BE(v >>> 0, at);
    at += 4;
  };
  const header = (size: number, type: number): void => {
    word(size);
    word(type);
  };
  header(moof, TYPE.moof);
  header(16, TYPE.mfhd);
  word(0); // version 0, flags 0
  word(sequence);
  header(TRAF_FIXED + TRUN_ROW * samples.length, TYPE.traf);
  header(16, TYPE.tfhd);
  word(TFHD_DEFAULT_BASE_IS_MOOF);
  word(trackId);
  header(20, TYPE.tfdt);
  word(0x01000000); // version 1: 64-bit baseMediaDecodeTime
  word(Math.floor(decodeTime / 2 ** 32));
  word(decodeTime % 2 ** 32);
  header(20 + TRUN_ROW * samples.length, TYPE.trun);
  word(TRUN_FLAGS); // version 0
  word(samples.length);
  word(moof + MDAT_HEADER); // data_offset: first sample byte, counted from the moof
  for (const s of samples) {
    word(s.duration);
    word(s.size);
    word(s.keyframe ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS);
  }
  if (audio !== undefined && audioCount > 0) {
    const first = audio.samples[0] as PendingAudioSample;
    header(TRAF_FIXED + AUDIO_TRUN_ROW * audioCount, TYPE.traf);
    header(16, TYPE.tfhd);
    word(TFHD_DEFAULT_BASE_IS_MOOF);
    word(audio.trackId);
    header(20, TYPE.tfdt);
    word(0x01000000);
    word(Math.floor(first.decodeTime / 2 ** 32));
    word(first.decodeTime % 2 ** 32);
    header(20 + AUDIO_TRUN_ROW * audioCount, TYPE.trun);
    word(AUDIO_TRUN_FLAGS);
    word(audioCount);
    word(moof + MDAT_HEADER + payloadBytes); // the audio samples follow the video samples in the mdat
    for (const a of audio.samples) {
      word(a.duration);
      word(a.data.length);
    }
  }
  header(MDAT_HEADER + payloadBytes + audioBytes, TYPE.mdat);
  for (const s of samples) {
    for (const nal of s.nalus) {
      word(nal.length);
      out.set(nal, at);
      at += nal.length;
    }
  }
  if (audioCount > 0) {
    for (const a of (audio as AudioRun).samples) {
      out.set(a.data, at);
      at += a.data.length;
    }
  }
  // allocUnsafe: a miscount would leak stale memory into a recording, so it MUST be exact.
  if (at !== total) throw new AppError('INTERNAL', `movie fragment layout wrote ${at} of ${total} bytes`);
  return out;
}
