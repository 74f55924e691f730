/**
 * H.264 sequence parameter set parsing (ITU-T H.264 §7.3.2.1.1) to the depth the MP4 sample entry
 * needs: profile, constraint flags, level, chroma format, bit depths and the cropped frame size;
 * plus the AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1) and the RFC 6381 §3.3
 * codec string. Pure; malformed input throws AppError('MEDIA_MALFORMED') with `detail.reason`.
 */
import { MAX_PARAMETER_SET_SIZE, RbspReader, parameterSetError, toRbsp } from './rbsp-reader.ts';

/** H.264 nal_unit_type values used here (Table 7-1). */
export const H264_NAL = { idr: 5, sps: 7, pps: 8, aud: 9 } as const;

/** The fields of an SPS that the file format needs. */
export interface H264Sps {
  /** profile_idc: 66 Baseline, 77 Main, 100 High, … (Annex A). */
  readonly profileIdc: number;
  /** The byte of constraint_set0..5 flags and reserved bits, as in the SPS. */
  readonly constraintFlags: number;
  readonly levelIdc: number;
  readonly chromaFormatIdc: number;
  readonly bitDepthLumaMinus8: number;
  readonly bitDepthChromaMinus8: number;
  /** frame_mbs_only_flag: false for interlaced (field or MBAFF) coding. */
  readonly frameMbsOnly: boolean;
  /** Frame size in luma samples after frame cropping (§7.4.2.1.1, equations 7-19 to 7-22). */
  readonly width: number;
  readonly height: number;
}

/** Profiles whose SPS carries chroma_format_idc and bit depths (§7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
/** Profiles whose avcC carries the chroma/bit-depth extension (ISO/IEC 14496-15 §5.3.3.1.2). */
const AVCC_EXTENSION_PROFILES = new Set([100, 110, 122, 144]);

/** The nal_unit_type of an H.264 NAL unit. */
export function h264NalType(nal: Uint8Array): number {
  return (nal[0] ?? 0) & 0x1f;
}

/** Checks a parameter-set NAL unit's size and type; MEDIA_MALFORMED when it cannot be one. */
export function checkH264ParameterSet(nal: Uint8Array, type: number, name: string, minBytes: number): void {
  if (nal.length < minBytes) parameterSetError('truncated', `H.264 ${name} has ${nal.length} bytes, fewer than ${minBytes}`);
  if (nal.length > MAX_PARAMETER_SET_SIZE) parameterSetError('too-large', `H.264 ${name} has ${nal.length} bytes, more than ${MAX_PARAMETER_SET_SIZE}`);
  if (((nal[0] as number) & 0x80) !== 0 || h264NalType(nal) !== type) {
    parameterSetError('wrong-nal-type', `H.264 ${name} expected (nal_unit_type ${type}), got header byte 0x${(nal[0] as number).toString(16)}`);
  }
}

/** Parses an SPS NAL unit (with its 1-byte header, without a start code). */
export function parseH264Sps(nal: Uint8Array): H264Sps {
  checkH264ParameterSet(nal, H264_NAL.sps, 'SPS', 5);
  const r = new RbspReader(toRbsp(nal, 1), 'H.264 SPS');
  const profileIdc = r.bits(8);
  const constraintFlags = r.bits(8);
  const levelIdc = r.bits(8);
  r.ueMax('seq_parameter_set_id', 31);
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLumaMinus8 = 0;
  let bitDepthChromaMinus8 = 0;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ueMax('chroma_format_idc', 3);
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    bitDepthLumaMinus8 = r.ueMax('bit_depth_luma_minus8', 6);
    bitDepthChromaMinus8 = r.ueMax('bit_depth_chroma_minus8', 6);
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      // seq_scaling_matrix_present_flag: skip every scaling_list() (§7.3.2.1.1.1).
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  r.ueMax('log2_max_frame_num_minus4', 12);
  const pocType = r.ueMax('pic_order_cnt_type', 2);
  if (pocType === 0) {
    r.ueMax('log2_max_pic_order_cnt_lsb_minus4', 12);
  } else if (pocType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ueMax('num_ref_frames_in_pic_order_cnt_cycle', 255);
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = r.ueMax('pic_width_in_mbs_minus1', 4095) + 1;
  const heightInMapUnits = r.ueMax('pic_height_in_map_units_minus1', 4095) + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  let crop = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.flag()) {
    crop = {
      left: r.ueMax('frame_crop_left_offset', 65535),
      right: r.ueMax('frame_crop_right_offset', 65535),
      top: r.ueMax('frame_crop_top_offset', 65535),
      bottom: r.ueMax('frame_crop_bottom_offset', 65535),
    };
  }
  // ChromaArrayType and the crop units of equations 7-19 to 7-22.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 3 ? 1 : 2;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const fieldFactor = frameMbsOnly ? 1 : 2;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * fieldFactor;
  const width = widthInMbs * 16 - cropUnitX * (crop.left + crop.right);
  const height = fieldFactor * heightInMapUnits * 16 - cropUnitY * (crop.top + crop.bottom);
  if (width < 1 || height < 1 || width > 0xffff || height > 0xffff) {
    parameterSetError('out-of-range', `H.264 SPS gives an impossible frame size ${width}x${height}`);
  }
  return { profileIdc, constraintFlags, levelIdc, chromaFormatIdc, bitDepthLumaMinus8, bitDepthChromaMinus8, frameMbsOnly, width, height };
}

/** Reads past one scaling_list(sizeOfScalingList) (§7.3.2.1.1.1). */
function skipScalingList(r: RbspReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** RFC 6381 §3.3 codec string: `avc1.PPCCLL` in upper-case hex, as the fMP4 reader derives it. */
export function h264CodecString(sps: H264Sps): string {
  const hex = [sps.profileIdc, sps.constraintFlags, sps.levelIdc].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `avc1.${hex.toUpperCase()}`;
}

/**
 * The AVCDecoderConfigurationRecord (the `avcC` box payload) for 4-byte NAL lengths, with the
 * chroma/bit-depth extension for the profiles that have it (byte-identical to what ffmpeg writes
 * for the same SPS and PPS). The PPSs MUST be valid PPS NAL units.
 */
export function buildAvcDecoderConfig(spsNal: Uint8Array, sps: H264Sps, ppsNals: readonly Uint8Array[]): Buffer {
  if (ppsNals.length < 1 || ppsNals.length > 255) parameterSetError('out-of-range', `H.264 needs 1 to 255 PPS, got ${ppsNals.length}`);
  for (const pps of ppsNals) checkH264ParameterSet(pps, H264_NAL.pps, 'PPS', 2);
  const parts: Uint8Array[] = [
    Uint8Array.of(1, sps.profileIdc, sps.constraintFlags, sps.levelIdc, 0xfc | 3, 0xe0 | 1),
    lengthPrefixed16(spsNal),
    Uint8Array.of(ppsNals.length),
    ...ppsNals.map(lengthPrefixed16),
  ];
  if (AVCC_EXTENSION_PROFILES.has(sps.profileIdc)) {
    parts.push(Uint8Array.of(0xfc | sps.chromaFormatIdc, 0xf8 | sps.bitDepthLumaMinus8, 0xf8 | sps.bitDepthChromaMinus8, 0));
  }
  return Buffer.concat(parts);
}

/** A NAL unit preceded by its 16-bit length, as in the decoder configuration records. */
export function lengthPrefixed16(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + nal.length);
  out[0] = nal.length >>> 8;
  out[1] = nal.length & 0xff;
  out.set(nal, 2);
  return out;
}
