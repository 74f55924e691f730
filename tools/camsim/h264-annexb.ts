/**
 * H.264 Annex B byte-stream parsing (ITU-T H.264 Annex B, NAL unit header §7.3.1).
 * Pure: every function returns views (subarray) into the input and never copies NAL bytes.
 */

/** NAL unit types used by the simulator (H.264 Table 7-1). */
export const nalType = { nonIdr: 1, idr: 5, sei: 6, sps: 7, pps: 8, aud: 9 } as const;

/** The nal_unit_type of a NAL unit (low 5 bits of its first byte). */
export function nalUnitType(nal: Uint8Array): number {
  return (nal[0] ?? 0) & 0x1f;
}

/**
 * Splits an Annex B byte stream into NAL units without their start codes.
 * Accepts 3- and 4-byte start codes; trailing zero bytes before a start code
 * (trailing_zero_8bits, Annex B §B.1) are stripped. Bytes before the first start code are ignored.
 */
export function splitNalUnits(stream: Uint8Array): Uint8Array[] {
  const nals: Uint8Array[] = [];
  let start = -1; // index of the first byte of the current NAL, -1 before the first start code
  let i = 0;
  const n = stream.length;
  while (i + 2 < n) {
    // Fast skip: a start code needs stream[i+2] === 1 with two zeros before it.
    const b2 = stream[i + 2];
    if (b2 !== undefined && b2 > 1) {
      i += 3;
      continue;
    }
    if (stream[i] === 0 && stream[i + 1] === 0 && b2 === 1) {
      if (start >= 0) pushTrimmed(nals, stream, start, i);
      start = i + 3;
      i += 3;
    } else {
      i += 1;
    }
  }
  if (start >= 0) pushTrimmed(nals, stream, start, n);
  return nals;
}

function pushTrimmed(out: Uint8Array[], stream: Uint8Array, from: number, to: number): void {
  let end = to;
  while (end > from && stream[end - 1] === 0) end -= 1;
  if (end > from) out.push(stream.subarray(from, end));
}

/** One access unit (one coded picture and its parameter sets / SEI), in decoding order. */
export interface AccessUnit {
  /** The NAL units of the access unit, without start codes, AUD included if present. */
  nals: Uint8Array[];
  /** True when the access unit holds an IDR slice (a key frame a decoder can start from). */
  key: boolean;
}

/**
 * Groups NAL units into access units. The stream MUST carry access unit delimiters (type 9,
 * x264 `aud=1`): each AUD starts a new access unit (H.264 §7.4.1.2.3), which makes grouping
 * exact without parsing slice headers.
 */
export function groupAccessUnits(nals: Uint8Array[]): AccessUnit[] {
  const units: AccessUnit[] = [];
  let current: AccessUnit | undefined;
  for (const nal of nals) {
    const type = nalUnitType(nal);
    if (type === nalType.aud || current === undefined) {
      current = { nals: [], key: false };
      units.push(current);
    }
    current.nals.push(nal);
    if (type === nalType.idr) current.key = true;
  }
  return units;
}

/** The first SPS and PPS of a stream, needed for SDP sprop-parameter-sets (RFC 6184 §8.1). */
export interface ParameterSets {
  sps: Uint8Array;
  pps: Uint8Array;
}

/** Finds the first SPS and PPS among NAL units, or undefined when either is missing. */
export function findParameterSets(nals: Iterable<Uint8Array>): ParameterSets | undefined {
  let sps: Uint8Array | undefined;
  let pps: Uint8Array | undefined;
  for (const nal of nals) {
    const type = nalUnitType(nal);
    if (type === nalType.sps && sps === undefined) sps = nal;
    else if (type === nalType.pps && pps === undefined) pps = nal;
    if (sps !== undefined && pps !== undefined) return { sps, pps };
  }
  return undefined;
}

/**
 * The RFC 6184 §8.1 profile-level-id: profile_idc, constraint flags and level_idc, i.e. SPS
 * bytes 1..3, as six lowercase hex digits.
 */
export function profileLevelId(sps: Uint8Array): string {
  if (sps.length < 4) throw new RangeError('SPS too short for profile-level-id');
  return Buffer.from(sps.subarray(1, 4)).toString('hex');
}
