/**
 * H.265 over RTP, RFC 7798 without decoding order numbers: single NAL unit packets (§4.4.1,
 * types 0–47), aggregation packets (§4.4.2, AP, type 48) and fragmentation units (§4.4.3, FU,
 * type 49). DONL/DOND fields are present only when sprop-max-don-diff > 0 (§4.5, §7.1); this
 * receiver supports the default (absent) and MUST NOT be used when the SDP announces them.
 * PACI (type 50, §4.4.4) is counted as unsupported; types 51–63 are unspecified and ignored. Pure.
 */
import { AccessUnitAssembler, type DepacketizerOptions, type NalRole, type PayloadContent, type PayloadFormat } from './access-unit-assembler.ts';

/** H.265 NAL unit types this module names (ITU-T H.265 Table 7-1, RFC 7798 §4.4). */
export const h265NalType = { irapFirst: 16, irapLast: 23, vps: 32, sps: 33, pps: 34, ap: 48, fu: 49, paci: 50 } as const;

const ignored: PayloadContent = Object.freeze({ kind: 'ignored' });
const unsupported: PayloadContent = Object.freeze({ kind: 'unsupported' });
const malformed: PayloadContent = Object.freeze({ kind: 'malformed' });

/** The nal_unit_type of a two-byte H.265 NAL unit header (F, Type, LayerId, TID). */
export function h265NalUnitType(nal: Uint8Array): number {
  return ((nal[0] ?? 0) >> 1) & 0x3f;
}

/** Reads one RTP payload of an H.265 stream. Never throws; buffers are views into `payload`. */
export function parseH265Payload(payload: Buffer): PayloadContent {
  if (payload.length === 0) return ignored;
  if (payload.length < 2) return malformed; // the payload header is two bytes
  const type = h265NalUnitType(payload);
  if (type <= 47) return { kind: 'nals', nals: [payload] };
  switch (type) {
    case h265NalType.ap:
      return parseAp(payload);
    case h265NalType.fu:
      return parseFu(payload);
    case h265NalType.paci:
      return unsupported;
    default:
      return ignored;
  }
}

/** §4.4.2 without DONL: a two-byte payload header, then (16-bit size, NAL unit) pairs. */
function parseAp(payload: Buffer): PayloadContent {
  const nals: Buffer[] = [];
  let offset = 2;
  while (offset < payload.length) {
    if (offset + 2 > payload.length) return malformed;
    const size = payload.readUInt16BE(offset);
    offset += 2;
    if (size < 2 || offset + size > payload.length) return malformed;
    nals.push(payload.subarray(offset, offset + size));
    offset += size;
  }
  // An AP MUST carry at least two aggregation units; one is tolerated, none is not.
  return nals.length === 0 ? malformed : { kind: 'nals', nals };
}

/**
 * §4.4.3 without DONL: payload header (type 49), FU header (S, E, FuType), fragment bytes.
 * The NAL unit header is the payload header with its type replaced by FuType.
 */
function parseFu(payload: Buffer): PayloadContent {
  if (payload.length < 3) return malformed;
  const fuHeader = payload[2] as number;
  const fuType = fuHeader & 0x3f;
  if (fuType >= h265NalType.ap) return malformed; // fragments of AP, FU, PACI or unspecified types
  return {
    kind: 'fragment',
    start: (fuHeader & 0x80) !== 0,
    end: (fuHeader & 0x40) !== 0,
    header: ((((payload[0] as number) & 0x81) | (fuType << 1)) << 8) | (payload[1] as number),
    headerLength: 2,
    data: payload.subarray(3),
  };
}

/** Classifies an H.265 NAL unit: IRAP pictures (types 16–23) are key frames. */
export function classifyH265Nal(nal: Buffer): NalRole {
  const type = h265NalUnitType(nal);
  if (type >= h265NalType.irapFirst && type <= h265NalType.irapLast) return 'keyframe';
  switch (type) {
    case h265NalType.vps:
      return 'vps';
    case h265NalType.sps:
      return 'sps';
    case h265NalType.pps:
      return 'pps';
    default:
      return 'other';
  }
}

/** The H.265 payload format for AccessUnitAssembler. */
export const h265PayloadFormat: PayloadFormat = { parse: parseH265Payload, classify: classifyH265Nal };

/** A depacketizer for one H.265 RTP stream (90 kHz clock, no DONL). */
export function createH265Depacketizer(options: DepacketizerOptions = {}): AccessUnitAssembler {
  return new AccessUnitAssembler(h265PayloadFormat, options);
}
