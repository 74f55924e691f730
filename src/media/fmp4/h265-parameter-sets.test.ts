import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../../lib/errors.ts';
import { buildHevcDecoderConfig, h265CodecString, parseH265Sps, parseH265VpsMaxSubLayersMinus1 } from './h265-parameter-sets.ts';
import { BitWriter, faultOf, prng, withEmulationPrevention } from '../../../test/helpers/parameter-set-kit.ts';

const VPS = '40010c01ffff01600000030090000003000003003f928090';
const PPS = '4401c172b46240';

/** SPSs written by x265 (ffmpeg 5.1), with what ffprobe reports for their streams. */
const KNOWN = [
  {
    name: 'Main 640x360 (libx265 defaults)',
    sps: '42010101600000030090000003000003003fa0050201696592a4932bc05a020000030002000003003210',
    profileIdc: 1, levelIdc: 63, width: 640, height: 360, bitDepthLumaMinus8: 0, codec: 'hvc1.1.6.L63.90',
  },
  {
    name: 'Main 642x362 (conformance window trims the padding to 8)',
    sps: '42010101600000030090000003000003003fa005120171c926592a4932bc05a02000000300200000030321',
    profileIdc: 1, levelIdc: 63, width: 642, height: 362, bitDepthLumaMinus8: 0, codec: 'hvc1.1.6.L63.90',
  },
  {
    name: 'Main 10 1920x1080',
    sps: '420101022000000300900000030000030078a003c08010e4d964a924caf0168080000003008000000c84',
    profileIdc: 2, levelIdc: 120, width: 1920, height: 1080, bitDepthLumaMinus8: 2, codec: 'hvc1.2.4.L120.90',
  },
] as const;

/** The hvcC ffmpeg writes (tag hvc1) for the first KNOWN stream with VPS and PPS above. */
const FFMPEG_HVCC_640x360 =
  '0101600000009000000000003ff000fcfdf8f800000f03a00001001840010c01ffff01600000030090000003000003003f928090' +
  'a10001002a42010101600000030090000003000003003fa0050201696592a4932bc05a020000030002000003003210a2000100074401c172b46240';

describe('parseH265Sps on SPSs from x265', () => {
  for (const k of KNOWN) {
    test(`reads profile, level, bit depth and cropped size of ${k.name}`, () => {
      const sps = parseH265Sps(Buffer.from(k.sps, 'hex'));
      assert.deepEqual(
        { profileIdc: sps.profileIdc, levelIdc: sps.levelIdc, width: sps.width, height: sps.height, bitDepthLumaMinus8: sps.bitDepthLumaMinus8 },
        { profileIdc: k.profileIdc, levelIdc: k.levelIdc, width: k.width, height: k.height, bitDepthLumaMinus8: k.bitDepthLumaMinus8 },
      );
      assert.equal(h265CodecString(sps), k.codec);
    });
  }

  test('the hvcC record is byte-identical to the one ffmpeg writes for the same VPS, SPS and PPS', () => {
    const sets = { vps: Buffer.from(VPS, 'hex'), sps: Buffer.from(KNOWN[0].sps, 'hex'), pps: [Buffer.from(PPS, 'hex')] };
    assert.equal(buildHevcDecoderConfig(sets, parseH265Sps(sets.sps)).toString('hex'), FFMPEG_HVCC_640x360);
  });

  test('the VPS gives its sub-layer count', () => {
    assert.equal(parseH265VpsMaxSubLayersMinus1(Buffer.from(VPS, 'hex')), 0);
  });
});

/** Field values of a synthetic SPS (H.265 §7.3.2.2.1 up to the bit depths). */
interface SpsFields {
  profileByte?: number;
  compat?: number;
  constraints?: readonly number[];
  levelIdc?: number;
  subLayers?: readonly { profile: boolean; level: boolean }[];
  chromaFormatIdc?: number;
  separateColourPlane?: boolean;
  width: number;
  height: number;
  window?: [number, number, number, number];
  bitDepthMinus8?: number;
}

function composeSps(f: SpsFields): Buffer {
  const w = new BitWriter();
  const sub = f.subLayers ?? [];
  w.bits(0, 4).bits(sub.length, 3).bits(1, 1);
  w.bits(f.profileByte ?? 1, 8).bits(f.compat ?? 0x60000000, 32);
  for (const c of f.constraints ?? [0x90, 0, 0, 0, 0, 0]) w.bits(c, 8);
  w.bits(f.levelIdc ?? 93, 8);
  for (const s of sub) w.bits(s.profile ? 1 : 0, 1).bits(s.level ? 1 : 0, 1);
  if (sub.length > 0) w.bits(0, 2 * (8 - sub.length));
  for (const s of sub) {
    if (s.profile) w.bits(0xfff, 12).bits(0, 32).bits(0, 32).bits(0xabc, 12); // 88 bits
    if (s.level) w.bits(0x5a, 8);
  }
  const chroma = f.chromaFormatIdc ?? 1;
  w.ue(0).ue(chroma);
  if (chroma === 3) w.bits(f.separateColourPlane === true ? 1 : 0, 1);
  w.ue(f.width).ue(f.height);
  w.bits(f.window === undefined ? 0 : 1, 1);
  if (f.window !== undefined) for (const v of f.window) w.ue(v);
  w.ue(f.bitDepthMinus8 ?? 0).ue(f.bitDepthMinus8 ?? 0);
  w.ue(4); // log2_max_pic_order_cnt_lsb_minus4: the parser stops before it
  return withEmulationPrevention([0x42, 0x01], w.trailing());
}

describe('parseH265Sps on synthetic SPSs', () => {
  const cases: [string, SpsFields, number, number][] = [
    ['three sub-layers, some with profile and level data', { subLayers: [{ profile: true, level: true }, { profile: false, level: true }, { profile: true, level: false }], width: 1920, height: 1088, window: [0, 0, 0, 4] }, 1920, 1080],
    ['4:2:2 (window counted in 2x1 chroma units)', { chromaFormatIdc: 2, width: 648, height: 368, window: [1, 2, 3, 4] }, 642, 361],
    ['4:4:4 (window in luma samples)', { chromaFormatIdc: 3, width: 648, height: 368, window: [1, 2, 3, 4] }, 645, 361],
    ['separate colour planes', { chromaFormatIdc: 3, separateColourPlane: true, width: 64, height: 64, window: [1, 1, 1, 1] }, 62, 62],
    ['monochrome', { chromaFormatIdc: 0, width: 640, height: 480, window: [0, 0, 0, 2] }, 640, 478],
  ];
  for (const [name, fields, width, height] of cases) {
    test(`reads the picture size with ${name}`, () => {
      const sps = parseH265Sps(composeSps(fields));
      assert.deepEqual([sps.width, sps.height], [width, height]);
    });
  }

  test('the codec string bit-reverses compatibility flags, shows the tier and drops trailing zero constraint bytes', () => {
    const high = parseH265Sps(composeSps({ profileByte: 0x20 | 1, compat: 0x60000000, constraints: [0xb0, 0, 0, 0, 0, 0], levelIdc: 153, width: 64, height: 64 }));
    assert.equal(h265CodecString(high), 'hvc1.1.6.H153.B0');
    const spaced = parseH265Sps(composeSps({ profileByte: (1 << 6) | 4, compat: 0x08000000, constraints: [0x98, 0x12, 0, 0, 0x07, 0], levelIdc: 120, width: 64, height: 64 }));
    assert.equal(h265CodecString(spaced), 'hvc1.A4.10.L120.98.12.0.0.7');
  });

  test('numTemporalLayers and temporalIdNested in hvcC follow the VPS and SPS', () => {
    const spsNal = composeSps({ subLayers: [{ profile: false, level: false }, { profile: false, level: false }], width: 64, height: 64 });
    const hvcC = buildHevcDecoderConfig({ vps: Buffer.from(VPS, 'hex'), sps: spsNal, pps: [Buffer.from(PPS, 'hex')] }, parseH265Sps(spsNal));
    assert.equal(hvcC[21], (3 << 3) | 4 | 3);
  });
});

describe('parseH265Sps on malformed input', () => {
  const real = Buffer.from(KNOWN[0].sps, 'hex');

  test('every truncation of a real SPS is a typed error or, past the fields we read, the same answer', () => {
    const whole = parseH265Sps(real);
    let failed = 0;
    for (let n = 0; n < real.length; n++) {
      try {
        assert.deepEqual(parseH265Sps(real.subarray(0, n)), whole, `length ${n}`);
      } catch (e) {
        assert.ok(isAppError(e, 'MEDIA_MALFORMED') && ['truncated', 'out-of-range'].includes(String(e.detail?.['reason'])), `length ${n}: ${String(e)}`);
        failed++;
      }
    }
    assert.ok(failed >= 16, `only ${failed} prefixes failed`);
  });

  test('a NAL unit of another type, or of a higher layer, is refused', () => {
    assert.equal(faultOf(() => parseH265Sps(Buffer.from(VPS, 'hex'))), 'wrong-nal-type');
    const layered = Buffer.from(real);
    layered[1] = 0x09; // nuh_layer_id 1
    assert.equal(faultOf(() => parseH265Sps(layered)), 'unsupported');
    assert.equal(faultOf(() => parseH265VpsMaxSubLayersMinus1(real)), 'wrong-nal-type');
  });

  test('out-of-range fields are typed errors', () => {
    assert.equal(faultOf(() => parseH265Sps(composeSps({ width: 64, height: 64, window: [40, 0, 0, 0] }))), 'out-of-range');
    assert.equal(faultOf(() => parseH265Sps(composeSps({ width: 64, height: 64, bitDepthMinus8: 8 }))), 'out-of-range');
    const sevenSubLayers = Buffer.from(real);
    sevenSubLayers[2] = 0x0f; // sps_max_sub_layers_minus1 = 7
    assert.equal(faultOf(() => parseH265Sps(sevenSubLayers)), 'out-of-range');
  });

  test('an hvcC without PPS, or with a PPS of the wrong type, is refused', () => {
    const sps = parseH265Sps(real);
    const vps = Buffer.from(VPS, 'hex');
    assert.equal(faultOf(() => buildHevcDecoderConfig({ vps, sps: real, pps: [] }, sps)), 'out-of-range');
    assert.equal(faultOf(() => buildHevcDecoderConfig({ vps, sps: real, pps: [vps] }, sps)), 'wrong-nal-type');
  });

  test('random garbage behind an SPS header parses or fails with MEDIA_MALFORMED, quickly', () => {
    const rand = prng(11);
    const started = performance.now();
    let failures = 0;
    for (let i = 0; i < 3000; i++) {
      const nal = Buffer.alloc(2 + Math.floor(rand() * 48));
      for (let j = 2; j < nal.length; j++) nal[j] = Math.floor(rand() * 256);
      nal[0] = 0x42;
      nal[1] = 0x01;
      try {
        parseH265Sps(nal);
      } catch (e) {
        assert.ok(isAppError(e, 'MEDIA_MALFORMED'), String(e));
        failures++;
      }
    }
    assert.ok(failures > 0);
    assert.ok(performance.now() - started < 2000, 'parsing garbage must not spin');
  });
});
