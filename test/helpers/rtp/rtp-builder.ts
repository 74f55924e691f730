/**
 * Test support: builds RTP packets (RFC 3550 §5.1) and reads RTSP interleaved frames
 * (RFC 2326 §10.12), so tests can feed the parsers real wire bytes. Not used by the library.
 */
import { parseRtpPacket, type RtpPacket } from '../../../src/ingest/native/rtp/rtp-packet.ts';

/** The header fields and payload of one RTP packet to build. */
export interface RtpPacketSpec {
  readonly sequence: number;
  readonly timestamp: number;
  readonly ssrc?: number;
  readonly marker?: boolean;
  readonly payloadType?: number;
  readonly csrcs?: readonly number[];
  /** Header extension body (a multiple of 4 bytes), with profile field 0xBEDE. */
  readonly extension?: Buffer;
  /** Number of padding bytes to append (the last one holds the count). */
  readonly padding?: number;
  readonly payload: Buffer;
}

/** Serializes one RTP packet. */
export function buildRtpPacket(spec: RtpPacketSpec): Buffer {
  const csrcs = spec.csrcs ?? [];
  const extension = spec.extension;
  const padding = spec.padding ?? 0;
  const headerLength = 12 + 4 * csrcs.length + (extension === undefined ? 0 : 4 + extension.length);
  const out = Buffer.alloc(headerLength + spec.payload.length + padding);
  out[0] = 0x80 | (padding > 0 ? 0x20 : 0) | (extension === undefined ? 0 : 0x10) | csrcs.length;
  out[1] = (spec.marker === true ? 0x80 : 0) | ((spec.payloadType ?? 96) & 0x7f);
  out.writeUInt16BE(spec.sequence & 0xffff, 2);
  out.writeUInt32BE(spec.timestamp >>> 0, 4);
  out.writeUInt32BE((spec.ssrc ?? 0x1234_5678) >>> 0, 8);
  let offset = 12;
  for (const csrc of csrcs) {
    out.writeUInt32BE(csrc >>> 0, offset);
    offset += 4;
  }
  if (extension !== undefined) {
    out.writeUInt16BE(0xbede, offset);
    out.writeUInt16BE(extension.length / 4, offset + 2);
    extension.copy(out, offset + 4);
    offset += 4 + extension.length;
  }
  spec.payload.copy(out, offset);
  if (padding > 0) out[out.length - 1] = padding;
  return out;
}

/** Builds one packet and parses it back, as a depacketizer receives it. */
export function rtpPacket(spec: RtpPacketSpec): RtpPacket {
  const result = parseRtpPacket(buildRtpPacket(spec));
  if (!result.ok) throw new Error(`test built an invalid RTP packet: ${result.error}`);
  return result.packet;
}

/** One `$`-framed packet of an RTSP interleaved byte stream. */
export interface InterleavedFrame {
  readonly channel: number;
  readonly data: Buffer;
}

/** Splits a complete RTSP interleaved byte stream into its frames (the input MUST be whole). */
export function splitInterleaved(stream: Buffer): InterleavedFrame[] {
  const frames: InterleavedFrame[] = [];
  let offset = 0;
  while (offset < stream.length) {
    if (stream[offset] !== 0x24 || offset + 4 > stream.length) throw new Error(`not an interleaved frame at ${offset}`);
    const length = stream.readUInt16BE(offset + 2);
    frames.push({ channel: stream[offset + 1] as number, data: stream.subarray(offset + 4, offset + 4 + length) });
    offset += 4 + length;
  }
  return frames;
}
