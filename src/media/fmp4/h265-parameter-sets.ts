/**
 * H.265 parameter set parsing (ITU-T H.265 §7.3.2.1 VPS, §7.3.2.2 SPS, §7.3.3 profile_tier_level)
 * to the depth the MP4 sample entry needs, the HEVCDecoderConfigurationRecord
 * (ISO/IEC 14496-15 §8.3.3.1) and the codec string of ISO/IEC 14496-15 Annex E (RFC 6381).
 * Pure; malformed input throws AppError('MEDIA_MALFORMED') with `detail.reason`.
 */
import { lengthPrefixed16 } from './h264-parameter-sets.ts';
import { MAX_PARAMETER_SET_SIZE, RbspReader, parameterSetError, toRbsp } from './rbsp-reader.ts';

/** H.265 nal_unit_type values used here (Table 7-1); IRAP pictures are types 16 to 23. */
export const H265_NAL = { irapFirst: 16, irapLast: 23, vps: 32, sps: 33, pps: 34, aud: 35 } as const;

/** The fields of an SPS that the file format needs. */
export interface H265Sps {
  /** The 12 bytes of general_profile_space … general_level_idc, verbatim (they are hvcC bytes 1–12). */
  readonly generalProfileTierLevel: Uint8Array;
  readonly profileSpace: number;
  readonly tierHigh: boolean;
  /** general_profile_idc: 1 Main, 2 Main 10, 3 Main Still Picture, 4 range extensions, … */
  readonly profileIdc: number;
  readonly compatibilityFlags: number;
  readonly levelIdc: number;
  readonly maxSubLayersMinus1: number;
  readonly temporalIdNesting: boolean;
  readonly chromaFormatIdc: number;
  readonly bitDepthLumaMinus8: number;
  readonly bitDepthChromaMinus8: number;
  /** Picture size in luma samples after the conformance window (§7.4.3.2.1, equations 7-23/7-24 ff.). */
  readonly width: number;
  readonly height: number;
}

/** The nal_unit_type of an H.265 NAL unit (bits 1–6 of its 2-byte header). */
export function h265NalType(nal: Uint8Array): number {
  return ((nal[0] ?? 0) >>> 1) & 0x3f;
}

/** Checks a parameter-set NAL unit's size and type; MEDIA_MALFORMED when it cannot be one. */
export function checkH265ParameterSet(nal: Uint8Array, type: number, name: string, minBytes: number): void {
  if (nal.length < minBytes) parameterSetError('truncated', `H.265 ${name} has ${nal.length} bytes, fewer than ${minBytes}`);
  if (nal.length > MAX_PARAMETER_SET_SIZE) parameterSetError('too-large', `H.265 ${name} has ${nal.length} bytes, more than ${MAX_PARAMETER_SET_SIZE}`);
  if (((nal[0] as number) & 0x80) !== 0 || h265NalType(nal) !== type) {
    parameterSetError('wrong-nal-type', `H.265 ${name} expected (nal_unit_type ${type}), got header 0x${(nal[0] as number).toString(16)}`);
  }
}

/** vps_max_sub_layers_minus1 of a VPS NAL unit (§7.3.2.1); the rest of the VPS is not needed. */
export function parseH265VpsMaxSubLayersMinus1(nal: Uint8Array): number {
  checkH265ParameterSet(nal, H265_NAL.vps, 'VPS', 4);
  const r = new RbspReader(toRbsp(nal, 2), 'H.265 VPS');
  r.skip(4 + 1 + 1 + 6); // vps_video_parameter_set_id, base_layer_internal, base_layer_available, max_layers_minus1
  const v = r.bits(3);
  if (v > 6) parameterSetError('out-of-range', `H.265 VPS vps_max_sub_layers_minus1 = ${v} exceeds 6`);
  return v;
}

/** Parses an SPS NAL unit (with its 2-byte header, without a start code). */
export function parseH265Sps(nal: Uint8Array): H265Sps {
  checkH265ParameterSet(nal, H265_NAL.sps, 'SPS', 16);
  if ((((nal[0] as number) & 1) << 5 | ((nal[1] as number) >>> 3)) !== 0) {
    parameterSetError('unsupported', 'H.265 SPS with nuh_layer_id > 0 (multi-layer) is not supported');
  }
  const r = new RbspReader(toRbsp(nal, 2), 'H.265 SPS');
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.bits(3);
  if (maxSubLayersMinus1 > 6) parameterSetError('out-of-range', `H.265 SPS sps_max_sub_layers_minus1 = ${maxSubLayersMinus1} exceeds 6`);
  const temporalIdNesting = r.flag();

  // profile_tier_level(1, sps_max_sub_layers_minus1), §7.3.3: the general part is 12 whole bytes.
  const ptl = new Uint8Array(12);
  for (let i = 0; i < 12; i++) ptl[i] = r.bits(8);
  const subProfile: boolean[] = [];
  const subLevel: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subProfile.push(r.flag());
    subLevel.push(r.flag());
  }
  if (maxSubLayersMinus1 > 0) r.skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subProfile[i] === true) r.skip(88);
    if (subLevel[i] === true) r.skip(8);
  }

  r.ueMax('sps_seq_parameter_set_id', 15);
  const chromaFormatIdc = r.ueMax('chroma_format_idc', 3);
  const separateColourPlane = chromaFormatIdc === 3 ? r.flag() : false;
  const codedWidth = r.ueMax('pic_width_in_luma_samples', 0xffff);
  const codedHeight = r.ueMax('pic_height_in_luma_samples', 0xffff);
  let window = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.flag()) {
    window = {
      left: r.ueMax('conf_win_left_offset', 0xffff),
      right: r.ueMax('conf_win_right_offset', 0xffff),
      top: r.ueMax('conf_win_top_offset', 0xffff),
      bottom: r.ueMax('conf_win_bottom_offset', 0xffff),
    };
  }
  // The spec allows up to 8 (16-bit samples); hvcC holds 3 bits, so 7 is the most we can describe.
  const bitDepthLumaMinus8 = r.ueMax('bit_depth_luma_minus8', 7);
  const bitDepthChromaMinus8 = r.ueMax('bit_depth_chroma_minus8', 7);

  // SubWidthC/SubHeightC (Table 6-1); 1 for monochrome and separate colour planes.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const width = codedWidth - subWidthC * (window.left + window.right);
  const height = codedHeight - subHeightC * (window.top + window.bottom);
  if (width < 1 || height < 1) parameterSetError('out-of-range', `H.265 SPS gives an impossible picture size ${width}x${height}`);

  const b0 = ptl[0] as number;
  return {
    generalProfileTierLevel: ptl,
    profileSpace: b0 >>> 6,
    tierHigh: (b0 & 0x20) !== 0,
    profileIdc: b0 & 0x1f,
    compatibilityFlags: ((ptl[1] as number) * 2 ** 24) + (((ptl[2] as number) << 16) | ((ptl[3] as number) << 8) | (ptl[4] as number)),
    levelIdc: ptl[11] as number,
    maxSubLayersMinus1,
    temporalIdNesting,
    chromaFormatIdc,
    bitDepthLumaMinus8,
    bitDepthChromaMinus8,
    width,
    height,
  };
}

/**
 * Codec string per ISO/IEC 14496-15 Annex E: `hvc1.[A-C]?profile.compat.{L|H}level[.constraint]*`
 * with the compatibility flags bit-reversed and trailing zero constraint bytes left out, in the
 * upper-case form the fMP4 reader derives (e.g. `hvc1.1.6.L93.B0`).
 */
export function h265CodecString(sps: H265Sps): string {
  let compat = sps.compatibilityFlags;
  let reversed = 0;
  for (let i = 0; i < 32; i++) {
    reversed = reversed * 2 + (compat % 2);
    compat = Math.floor(compat / 2);
  }
  const constraints = [...sps.generalProfileTierLevel.subarray(5, 11)];
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const space = ['', 'A', 'B', 'C'][sps.profileSpace] ?? '';
  const parts = [`${space}${sps.profileIdc}`, reversed.toString(16).toUpperCase(), `${sps.tierHigh ? 'H' : 'L'}${sps.levelIdc}`];
  parts.push(...constraints.map((v) => v.toString(16).toUpperCase()));
  return `hvc1.${parts.join('.')}`;
}

/** What the HEVCDecoderConfigurationRecord is built from. */
export interface H265ParameterSets {
  readonly vps: Uint8Array;
  readonly sps: Uint8Array;
  readonly pps: readonly Uint8Array[];
}

/**
 * The HEVCDecoderConfigurationRecord (the `hvcC` box payload) for 4-byte NAL lengths, arrays in
 * VPS, SPS, PPS order marked complete as `hvc1` requires. Like ffmpeg: min_spatial_segmentation_idc
 * and parallelismType 0 (unknown), avgFrameRate and constantFrameRate 0 (unspecified),
 * numTemporalLayers from the larger of the VPS's and SPS's sub-layer counts.
 */
export function buildHevcDecoderConfig(sets: H265ParameterSets, sps: H265Sps): Buffer {
  const vpsSubLayersMinus1 = parseH265VpsMaxSubLayersMinus1(sets.vps);
  if (sets.pps.length < 1 || sets.pps.length > 0xffff) parameterSetError('out-of-range', `H.265 needs at least one PPS, got ${sets.pps.length}`);
  for (const pps of sets.pps) checkH265ParameterSet(pps, H265_NAL.pps, 'PPS', 3);
  const temporalLayers = Math.max(vpsSubLayersMinus1, sps.maxSubLayersMinus1) + 1;
  const header = Buffer.alloc(23);
  header[0] = 1; // configurationVersion
  header.set(sps.generalProfileTierLevel, 1);
  header.writeUInt16BE(0xf000, 13); // reserved '1111' + min_spatial_segmentation_idc 0
  header[15] = 0xfc; // reserved '111111' + parallelismType 0
  header[16] = 0xfc | sps.chromaFormatIdc;
  header[17] = 0xf8 | sps.bitDepthLumaMinus8;
  header[18] = 0xf8 | sps.bitDepthChromaMinus8;
  header.writeUInt16BE(0, 19); // avgFrameRate
  header[21] = (temporalLayers << 3) | (sps.temporalIdNesting ? 4 : 0) | 3; // constantFrameRate 0, lengthSizeMinusOne 3
  header[22] = 3; // numOfArrays
  const array = (type: number, nals: readonly Uint8Array[]): Uint8Array[] => [
    Uint8Array.of(0x80 | type, nals.length >>> 8, nals.length & 0xff),
    ...nals.map(lengthPrefixed16),
  ];
  return Buffer.concat([header, ...array(H265_NAL.vps, [sets.vps]), ...array(H265_NAL.sps, [sets.sps]), ...array(H265_NAL.pps, sets.pps)]);
}
