/**
 * RTCP compound packet parsing (RFC 3550 §6.1, validity checks of §A.2) and the sender
 * report (§6.4.1), the only RTCP packet whose content the ingest uses: it ties an RTP timestamp
 * to the sender's wall clock.
 *
 * Contract: input is untrusted. parseRtcpCompound MUST NOT throw for any input; a compound
 * packet that fails any check is rejected whole, with a stable error code. Pure.
 */

/** Why bytes are not a valid RTCP compound packet; each code is described here. */
export const rtcpErrors = {
  RTCP_TOO_SHORT: 'Fewer than the 4 bytes of an RTCP header, or bytes left over after the last packet.',
  RTCP_BAD_VERSION: 'A packet version field is not 2.',
  RTCP_LENGTH_OVERFLOW: 'A packet length field reaches past the end of the compound packet.',
  RTCP_FIRST_NOT_REPORT: 'The first packet is neither a sender report (200) nor a receiver report (201).',
  RTCP_BAD_PADDING: 'Padding on a packet other than the last, or a padding count that does not fit.',
  RTCP_SR_TRUNCATED: 'A sender report is shorter than its sender info and report blocks.',
} as const;

/** A stable reason for rejecting an RTCP compound packet. */
export type RtcpError = keyof typeof rtcpErrors;

/** RTCP packet types (RFC 3550 §12.1). */
export const rtcpPacketType = { sr: 200, rr: 201, sdes: 202, bye: 203, app: 204 } as const;

/** The sender info of one sender report (§6.4.1). */
export interface SenderReport {
  /** SSRC of the sender: the RTP stream this report describes. */
  readonly ssrc: number;
  /** NTP timestamp, seconds since 1900 (the most significant word). */
  readonly ntpSeconds: number;
  /** NTP timestamp, fraction of a second in units of 2^-32 s. */
  readonly ntpFraction: number;
  /** The NTP timestamp as milliseconds since the Unix epoch (may have a fractional part). */
  readonly unixMs: number;
  /** The RTP timestamp that corresponds to the same instant, 32-bit unsigned. */
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
}

/** The sender reports found in a valid compound packet, and the type of every packet in it. */
export type RtcpParseResult =
  | { readonly ok: true; readonly senderReports: readonly SenderReport[]; readonly packetTypes: readonly number[] }
  | { readonly ok: false; readonly error: RtcpError };

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01). */
export const ntpUnixOffsetSeconds = 2_208_988_800;

/**
 * Converts a 64-bit NTP timestamp to Unix milliseconds. Seconds with the top bit clear are read
 * as NTP era 1 (from 2036-02-07, RFC 5905 §6), so the result is right from 1968 to 2104.
 */
export function ntpToUnixMs(seconds: number, fraction: number): number {
  const s = seconds >>> 0;
  const era1 = s < 0x8000_0000 ? 0x1_0000_0000 : 0;
  return (s + era1 - ntpUnixOffsetSeconds) * 1000 + ((fraction >>> 0) * 1000) / 0x1_0000_0000;
}

const headerBytes = 4;
const senderInfoBytes = 24; // SSRC of sender + 20 bytes of sender info
const reportBlockBytes = 24;

/** Parses an RTCP compound packet (one RTSP interleaved frame on the RTCP channel). */
export function parseRtcpCompound(bytes: Buffer): RtcpParseResult {
  const senderReports: SenderReport[] = [];
  const packetTypes: number[] = [];
  let offset = 0;
  if (bytes.length < headerBytes) return { ok: false, error: 'RTCP_TOO_SHORT' };
  while (offset < bytes.length) {
    if (offset + headerBytes > bytes.length) return { ok: false, error: 'RTCP_TOO_SHORT' };
    const b0 = bytes[offset] as number;
    const type = bytes[offset + 1] as number;
    if (b0 >> 6 !== 2) return { ok: false, error: 'RTCP_BAD_VERSION' };
    if (offset === 0 && type !== rtcpPacketType.sr && type !== rtcpPacketType.rr) return { ok: false, error: 'RTCP_FIRST_NOT_REPORT' };
    // Length is in 32-bit words minus one, header and padding included.
    const length = (bytes.readUInt16BE(offset + 2) + 1) * 4;
    const end = offset + length;
    if (end > bytes.length) return { ok: false, error: 'RTCP_LENGTH_OVERFLOW' };
    let contentEnd = end;
    if ((b0 & 0x20) !== 0) {
      const padding = bytes[end - 1] as number;
      if (end !== bytes.length || padding === 0 || padding > length - headerBytes) return { ok: false, error: 'RTCP_BAD_PADDING' };
      contentEnd -= padding;
    }
    packetTypes.push(type);
    if (type === rtcpPacketType.sr) {
      const reportCount = b0 & 0x1f;
      const body = offset + headerBytes;
      if (body + senderInfoBytes + reportCount * reportBlockBytes > contentEnd) return { ok: false, error: 'RTCP_SR_TRUNCATED' };
      const ntpSeconds = bytes.readUInt32BE(body + 4);
      const ntpFraction = bytes.readUInt32BE(body + 8);
      senderReports.push({
        ssrc: bytes.readUInt32BE(body),
        ntpSeconds,
        ntpFraction,
        unixMs: ntpToUnixMs(ntpSeconds, ntpFraction),
        rtpTimestamp: bytes.readUInt32BE(body + 12),
        packetCount: bytes.readUInt32BE(body + 16),
        octetCount: bytes.readUInt32BE(body + 20),
      });
    }
    offset = end;
  }
  return { ok: true, senderReports, packetTypes };
}
