/**
 * The `mp4a` AudioSampleEntry with its `esds` box (ISO/IEC 14496-12 §12.2.3, ISO/IEC 14496-14
 * §5.6): what an MP4 reader needs to decode AAC frames stored raw (no ADTS headers) in a track.
 * Not a hot path: built once per stream.
 */
import { box, fullBox } from './init-segment.ts';

/** What the entry describes. */
export interface AacEntryFields {
  /** The AudioSpecificConfig bytes (ISO/IEC 14496-3 §1.6.2.1), e.g. from the SDP `config=`. */
  readonly config: Uint8Array;
  readonly channels: number;
  /** Sample rate in Hz, written as 16.16 fixed point (rates ≥ 65536 Hz are written as 0, as §12.2.3 allows only 16 bits). */
  readonly sampleRate: number;
}

/** An MPEG-4 descriptor (ISO/IEC 14496-1 §8.3.3): tag, size (one byte here: all ours are < 128), body. */
function descriptor(tag: number, ...body: Uint8Array[]): Buffer {
  const payload = Buffer.concat(body);
  if (payload.length > 127) throw new RangeError('descriptor too large for a one-byte size');
  return Buffer.concat([Buffer.from([tag, payload.length]), payload]);
}

/**
 * ES_Descriptor (tag 3) holding a DecoderConfigDescriptor (tag 4: objectTypeIndication 0x40
 * MPEG-4 Audio, streamType 5 audio) with the AudioSpecificConfig as DecoderSpecificInfo (tag 5),
 * and an SLConfigDescriptor (tag 6, predefined 2 = MP4 file).
 */
function esds(config: Uint8Array): Buffer {
  const decoderConfig = descriptor(
    0x04,
    Buffer.from([0x40, (0x05 << 2) | 1]), // objectTypeIndication, streamType << 2 | upStream 0 | reserved 1
    Buffer.alloc(3 + 4 + 4), // bufferSizeDB, maxBitrate, avgBitrate: unknown (0), as for a live source
    descriptor(0x05, config),
  );
  const es = descriptor(0x03, Buffer.from([0, 0, 0]), decoderConfig, descriptor(0x06, Buffer.from([0x02]))); // ES_ID 0, flags 0
  return fullBox('esds', 0, 0, es);
}

/** Builds the `mp4a` sample entry box. */
export function aacSampleEntry(f: AacEntryFields): Buffer {
  const fields = Buffer.alloc(28);
  // SampleEntry: reserved[6], data_reference_index = 1.
  fields.writeUInt16BE(1, 6);
  // AudioSampleEntry: reserved[2] (32-bit), channelcount, samplesize 16, pre_defined, reserved, samplerate 16.16.
  fields.writeUInt16BE(Math.min(f.channels, 0xffff), 16);
  fields.writeUInt16BE(16, 18);
  fields.writeUInt32BE(f.sampleRate < 0x10000 ? f.sampleRate * 0x10000 : 0, 24);
  return box('mp4a', fields, esds(f.config));
}
