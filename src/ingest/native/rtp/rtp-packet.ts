/**
 * RTP fixed header parsing (RFC 3550 §5.1, header extension §5.3.1, padding §5.1 "P").
 *
 * Contract: input is untrusted. parseRtpPacket MUST NOT throw for any input; it returns either
 * the packet or a stable error code. The returned payload is a view (subarray) into the input,
 * so the caller MUST NOT mutate the input while the packet is in use. Pure.
 */

/** Why bytes are not an RTP packet; each code is described in `rtpPacketErrors`. */
export const rtpPacketErrors = {
  RTP_TOO_SHORT: 'Fewer than the 12 bytes of the fixed RTP header.',
  RTP_BAD_VERSION: 'The version field is not 2.',
  RTP_CSRC_TRUNCATED: 'The CSRC count names more identifiers than the packet holds.',
  RTP_EXTENSION_TRUNCATED: 'The header extension is longer than the packet.',
  RTP_BAD_PADDING: 'The padding count is zero or larger than the space after the header.',
} as const;

/** A stable reason for rejecting an RTP packet. */
export type RtpPacketError = keyof typeof rtpPacketErrors;

/** One parsed RTP data packet. */
export interface RtpPacket {
  readonly marker: boolean;
  /** 7-bit payload type. */
  readonly payloadType: number;
  /** 16-bit sequence number. */
  readonly sequence: number;
  /** 32-bit RTP timestamp, unsigned. */
  readonly timestamp: number;
  /** 32-bit synchronization source, unsigned. */
  readonly ssrc: number;
  /** Contributing sources (usually none from a camera). */
  readonly csrcs: readonly number[];
  /** The payload without header, extension or padding: a view into the input. */
  readonly payload: Buffer;
}

/** A parsed packet, or the reason the bytes are not one. */
export type RtpParseResult = { readonly ok: true; readonly packet: RtpPacket } | { readonly ok: false; readonly error: RtpPacketError };

const fixedHeaderBytes = 12;
const noCsrcs: readonly number[] = Object.freeze([]);

/**
 * Parses one RTP packet (the bytes of one datagram, or one RTSP interleaved frame). Header
 * extensions are skipped, not interpreted; padding is removed from the payload.
 */
export function parseRtpPacket(bytes: Buffer): RtpParseResult {
  const length = bytes.length;
  if (length < fixedHeaderBytes) return { ok: false, error: 'RTP_TOO_SHORT' };
  const b0 = bytes[0] as number;
  const b1 = bytes[1] as number;
  if (b0 >> 6 !== 2) return { ok: false, error: 'RTP_BAD_VERSION' };
  const hasPadding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;

  let offset = fixedHeaderBytes + 4 * csrcCount;
  if (offset > length) return { ok: false, error: 'RTP_CSRC_TRUNCATED' };
  let csrcs = noCsrcs;
  if (csrcCount > 0) {
    const list: number[] = [];
    for (let i = 0; i < csrcCount; i += 1) list.push(bytes.readUInt32BE(fixedHeaderBytes + 4 * i));
    csrcs = list;
  }

  if (hasExtension) {
    // §5.3.1: 16-bit profile-defined field, 16-bit length in 32-bit words (excluding these 4 bytes).
    if (offset + 4 > length) return { ok: false, error: 'RTP_EXTENSION_TRUNCATED' };
    const words = bytes.readUInt16BE(offset + 2);
    offset += 4 + 4 * words;
    if (offset > length) return { ok: false, error: 'RTP_EXTENSION_TRUNCATED' };
  }

  let end = length;
  if (hasPadding) {
    // The last octet counts the padding octets, itself included, so it MUST be at least 1.
    const padding = bytes[length - 1] as number;
    if (padding === 0 || padding > length - offset) return { ok: false, error: 'RTP_BAD_PADDING' };
    end -= padding;
  }

  return {
    ok: true,
    packet: {
      marker: (b1 & 0x80) !== 0,
      payloadType: b1 & 0x7f,
      sequence: bytes.readUInt16BE(2),
      timestamp: bytes.readUInt32BE(4),
      ssrc: bytes.readUInt32BE(8),
      csrcs,
      payload: bytes.subarray(offset, end),
    },
  };
}
