/**
 * H.264 over RTP, RFC 6184 packetization-mode 0 and 1 (non-interleaved): single NAL unit
 * packets (§5.6, types 1–23), STAP-A (§5.7.1, type 24) and FU-A (§5.8, type 28).
 * STAP-B, MTAP16/24 and FU-B (types 25, 26, 27, 29) belong to the interleaved mode and are
 * counted as unsupported; types 0, 30 and 31 are reserved and ignored (§5.4). Pure.
 */
import { AccessUnitAssembler, type DepacketizerOptions, type NalRole, type PayloadContent, type PayloadFormat } from './access-unit-assembler.ts';

/** H.264 NAL unit types this module names (ITU-T H.264 Table 7-1, RFC 6184 Table 3). */
export const h264NalType = { idr: 5, sps: 7, pps: 8, stapA: 24, stapB: 25, mtap16: 26, mtap24: 27, fuA: 28, fuB: 29 } as const;

const ignored: PayloadContent = Object.freeze({ kind: 'ignored' });
const unsupported: PayloadContent = Object.freeze({ kind: 'unsupported' });
const malformed: PayloadContent = Object.freeze({ kind: 'malformed' });

/** Reads one RTP payload of an H.264 stream. Never throws; buffers are views into `payload`. */
export function parseH264Payload(payload: Buffer): PayloadContent {
  if (payload.length === 0) return ignored;
  const type = (payload[0] as number) & 0x1f;
  if (type >= 1 && type <= 23) return { kind: 'nals', nals: [payload] };
  switch (type) {
    case h264NalType.stapA:
      return parseStapA(payload);
    case h264NalType.fuA:
      return parseFuA(payload);
    case h264NalType.stapB:
    case h264NalType.mtap16:
    case h264NalType.mtap24:
    case h264NalType.fuB:
      return unsupported;
    default:
      return ignored; // 0, 30, 31: reserved
  }
}

/** §5.7.1: a one-byte STAP-A header, then (16-bit size, NAL unit) pairs filling the payload. */
function parseStapA(payload: Buffer): PayloadContent {
  const nals: Buffer[] = [];
  let offset = 1;
  while (offset < payload.length) {
    if (offset + 2 > payload.length) return malformed;
    const size = payload.readUInt16BE(offset);
    offset += 2;
    if (size === 0 || offset + size > payload.length) return malformed;
    nals.push(payload.subarray(offset, offset + size));
    offset += size;
  }
  return nals.length === 0 ? malformed : { kind: 'nals', nals };
}

/**
 * §5.8: FU indicator (F, NRI, type 28), FU header (S, E, R, original type), fragment bytes.
 * The NAL unit header is rebuilt from the indicator's F and NRI and the header's type.
 */
function parseFuA(payload: Buffer): PayloadContent {
  if (payload.length < 2) return malformed;
  const indicator = payload[0] as number;
  const fuHeader = payload[1] as number;
  const type = fuHeader & 0x1f;
  if (type === 0 || type >= 24) return malformed; // a fragment of an aggregate or a reserved type
  return {
    kind: 'fragment',
    start: (fuHeader & 0x80) !== 0,
    end: (fuHeader & 0x40) !== 0,
    header: (indicator & 0xe0) | type,
    headerLength: 1,
    data: payload.subarray(2),
  };
}

/** Classifies an H.264 NAL unit: IDR slices are key frames. */
export function classifyH264Nal(nal: Buffer): NalRole {
  switch ((nal[0] ?? 0) & 0x1f) {
    case h264NalType.idr:
      return 'keyframe';
    case h264NalType.sps:
      return 'sps';
    case h264NalType.pps:
      return 'pps';
    default:
      return 'other';
  }
}

/** The H.264 payload format for AccessUnitAssembler. */
export const h264PayloadFormat: PayloadFormat = { parse: parseH264Payload, classify: classifyH264Nal };

/** A depacketizer for one H.264 RTP stream (90 kHz clock). */
export function createH264Depacketizer(options: DepacketizerOptions = {}): AccessUnitAssembler {
  return new AccessUnitAssembler(h264PayloadFormat, options);
}
