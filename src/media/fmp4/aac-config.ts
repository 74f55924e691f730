/**
 * The AAC AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1) read to the depth the MP4 audio sample
 * entry needs (object type, sampling rate, channels), and the RFC 6381 codec string
 * (`mp4a.40.<audioObjectType>`, RFC 6381 §3.3). Pure; malformed input throws
 * AppError('MEDIA_MALFORMED') with `detail.reason` `truncated` or `out-of-range`.
 */
import { AppError } from '../../lib/errors.ts';

/** What the sample entry needs from an AudioSpecificConfig. */
export interface AacConfig {
  /** audioObjectType: 2 = AAC-LC, 5 = SBR (HE-AAC), 29 = PS, 23 = AAC-LD … */
  readonly audioObjectType: number;
  /** Sampling frequency in Hz (of the core coder). */
  readonly sampleRate: number;
  /** channelConfiguration (0 = stated in a program config element; 1–7 per Table 1.19). */
  readonly channelConfiguration: number;
}

/** samplingFrequencyIndex → Hz (Table 1.18); 0xf escapes to an explicit 24-bit value. */
const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** Channels of each channelConfiguration (Table 1.19; 7 is 7.1, i.e. 8 channels). */
const CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8];

function fault(reason: 'truncated' | 'out-of-range', message: string): never {
  throw new AppError('MEDIA_MALFORMED', message, { reason });
}

/** A bit reader bounded by the input's length. */
class Bits {
  readonly #bytes: Uint8Array;
  #at = 0;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }
  read(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.#bytes[this.#at >> 3];
      if (byte === undefined) fault('truncated', 'AudioSpecificConfig is truncated');
      v = v * 2 + ((byte >> (7 - (this.#at & 7))) & 1);
      this.#at++;
    }
    return v;
  }
}

/** Parses the first fields of an AudioSpecificConfig (GetAudioObjectType, frequency, channels). */
export function parseAacConfig(config: Uint8Array): AacConfig {
  const bits = new Bits(config);
  let audioObjectType = bits.read(5);
  if (audioObjectType === 31) audioObjectType = 32 + bits.read(6);
  if (audioObjectType === 0) fault('out-of-range', 'AudioSpecificConfig has audio object type 0');
  const index = bits.read(4);
  const sampleRate = index === 0xf ? bits.read(24) : SAMPLE_RATES[index];
  if (sampleRate === undefined || sampleRate === 0) fault('out-of-range', `AudioSpecificConfig has sampling frequency index ${index}`);
  const channelConfiguration = bits.read(4);
  return { audioObjectType, sampleRate, channelConfiguration };
}

/** Number of channels of a configuration, or `fallback` when the config defers to a PCE (0) or is reserved. */
export function aacChannelCount(config: AacConfig, fallback: number): number {
  const n = CHANNELS[config.channelConfiguration];
  return n === undefined || n === 0 ? fallback : n;
}

/** RFC 6381 codec string: `mp4a.40.<audioObjectType>` (0x40 = MPEG-4 Audio, ISO/IEC 14496-1 Table 5). */
export function aacCodecString(config: AacConfig): string {
  return `mp4a.40.${config.audioObjectType}`;
}
