import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../../lib/errors.ts';
import { buildAvcDecoderConfig, h264CodecString, parseH264Sps } from './h264-parameter-sets.ts';
import { BitWriter, faultOf, prng, withEmulationPrevention } from '../../../test/helpers/parameter-set-kit.ts';

/** SPSs written by x264 (ffmpeg 5.1), with what ffprobe reports for their streams. */
const KNOWN = [
  {
    name: 'High 640x360 (libx264 defaults, cropped from 368 lines)',
    sps: '6764001eacb201405ff2e022000003000200000300641e2c5c90',
    profileIdc: 100, levelIdc: 30, width: 640, height: 360, frameMbsOnly: true, chromaFormatIdc: 1, codec: 'avc1.64001E',
  },
  {
    name: 'Constrained Baseline 1920x1080',
    sps: '6742c028d900780227e5c044000003000400000300c83c60c920',
    profileIdc: 66, levelIdc: 40, width: 1920, height: 1080, frameMbsOnly: true, chromaFormatIdc: 1, codec: 'avc1.42C028',
  },
  {
    name: 'Main 720x576 interlaced (frame_mbs_only_flag 0)',
    sps: '674d401ef2016849b011000003000100000300321f142a48',
    profileIdc: 77, levelIdc: 30, width: 720, height: 576, frameMbsOnly: false, chromaFormatIdc: 1, codec: 'avc1.4D401E',
  },
  {
    name: 'High 4:2:2 350x202 (odd size, 4:2:2 crop units)',
    sps: '677a000dbcb202c37d4f80880000030008000003019078a15240',
    profileIdc: 122, levelIdc: 13, width: 350, height: 202, frameMbsOnly: true, chromaFormatIdc: 2, codec: 'avc1.7A000D',
  },
] as const;

/** The avcC ffmpeg writes for the first KNOWN stream (moov/trak/…/avc1/avcC payload). */
const FFMPEG_AVCC_640x360 = '0164001effe1001a6764001eacb201405ff2e022000003000200000300641e2c5c9001000668ebc3cb22c0fdf8f800';
const PPS_640x360 = '68ebc3cb22c0';

describe('parseH264Sps on SPSs from x264', () => {
  for (const k of KNOWN) {
    test(`reads profile, level, chroma format and cropped size of ${k.name}`, () => {
      const sps = parseH264Sps(Buffer.from(k.sps, 'hex'));
      assert.deepEqual(
        { profileIdc: sps.profileIdc, levelIdc: sps.levelIdc, width: sps.width, height: sps.height, frameMbsOnly: sps.frameMbsOnly, chromaFormatIdc: sps.chromaFormatIdc },
        { profileIdc: k.profileIdc, levelIdc: k.levelIdc, width: k.width, height: k.height, frameMbsOnly: k.frameMbsOnly, chromaFormatIdc: k.chromaFormatIdc },
      );
      assert.equal(h264CodecString(sps), k.codec);
    });
  }

  test('the avcC record is byte-identical to the one ffmpeg writes for the same SPS and PPS', () => {
    const spsNal = Buffer.from(KNOWN[0].sps, 'hex');
    const avcC = buildAvcDecoderConfig(spsNal, parseH264Sps(spsNal), [Buffer.from(PPS_640x360, 'hex')]);
    assert.equal(avcC.toString('hex'), FFMPEG_AVCC_640x360);
  });

  test('a Baseline avcC has no chroma/bit-depth extension and lists every PPS', () => {
    const spsNal = Buffer.from(KNOWN[1].sps, 'hex');
    const pps = [Buffer.from('68cb83cb20', 'hex'), Buffer.from('68ce3c80', 'hex')];
    const avcC = buildAvcDecoderConfig(spsNal, parseH264Sps(spsNal), pps);
    assert.equal(avcC.length, 6 + 2 + spsNal.length + 1 + (2 + 5) + (2 + 4));
    assert.equal(avcC[6 + 2 + spsNal.length], 2);
  });
});

/** Field values of a synthetic SPS (H.264 §7.3.2.1.1), written with a bit writer. */
interface SpsFields {
  profileIdc: number;
  chromaFormatIdc?: number;
  separateColourPlane?: boolean;
  scalingLists?: boolean;
  pocType?: 0 | 1 | 2;
  widthInMbs: number;
  heightInMapUnits: number;
  frameMbsOnly?: boolean;
  crop?: [number, number, number, number];
}

function composeSps(f: SpsFields): Buffer {
  const w = new BitWriter();
  w.bits(f.profileIdc, 8).bits(0, 8).bits(40, 8).ue(0);
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(f.profileIdc)) {
    const chroma = f.chromaFormatIdc ?? 1;
    w.ue(chroma);
    if (chroma === 3) w.bits(f.separateColourPlane === true ? 1 : 0, 1);
    w.ue(0).ue(0).bits(0, 1);
    w.bits(f.scalingLists === true ? 1 : 0, 1);
    if (f.scalingLists === true) {
      const lists = chroma === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) {
        w.bits(1, 1); // seq_scaling_list_present_flag
        // Even lists: a full list of +1 deltas; odd lists: -8 makes nextScale 0, which ends the list.
        if (i % 2 === 0) for (let j = 0; j < (i < 6 ? 16 : 64); j++) w.se(1);
        else w.se(-8);
      }
    }
  }
  w.ue(0); // log2_max_frame_num_minus4
  const poc = f.pocType ?? 0;
  w.ue(poc);
  if (poc === 0) w.ue(2);
  if (poc === 1) {
    w.bits(0, 1).se(-1).se(2).ue(3).se(1).se(-1).se(5);
  }
  w.ue(1).bits(0, 1).ue(f.widthInMbs - 1).ue(f.heightInMapUnits - 1);
  const frameMbsOnly = f.frameMbsOnly ?? true;
  w.bits(frameMbsOnly ? 1 : 0, 1);
  if (!frameMbsOnly) w.bits(0, 1);
  w.bits(1, 1);
  w.bits(f.crop === undefined ? 0 : 1, 1);
  if (f.crop !== undefined) for (const c of f.crop) w.ue(c);
  w.bits(0, 1); // vui_parameters_present_flag
  return withEmulationPrevention(0x67, w.trailing());
}

describe('parseH264Sps on synthetic SPSs', () => {
  const cases: [string, SpsFields, number, number][] = [
    ['scaling matrices present (8 lists)', { profileIdc: 100, scalingLists: true, widthInMbs: 80, heightInMapUnits: 45 }, 1280, 720],
    ['4:4:4 with 12 scaling lists and 1-sample crop units', { profileIdc: 244, chromaFormatIdc: 3, scalingLists: true, widthInMbs: 20, heightInMapUnits: 15, crop: [1, 2, 3, 4] }, 317, 233],
    ['4:4:4 with separate colour planes (ChromaArrayType 0)', { profileIdc: 244, chromaFormatIdc: 3, separateColourPlane: true, widthInMbs: 20, heightInMapUnits: 15, crop: [1, 1, 1, 1] }, 318, 238],
    ['monochrome 4:0:0', { profileIdc: 100, chromaFormatIdc: 0, widthInMbs: 40, heightInMapUnits: 30, crop: [0, 0, 0, 4] }, 640, 476],
    ['pic_order_cnt_type 1 with a reference cycle', { profileIdc: 77, pocType: 1, widthInMbs: 120, heightInMapUnits: 68, crop: [0, 0, 0, 4] }, 1920, 1080],
    ['field coding: map units are field MB pairs, crop unit doubled', { profileIdc: 77, pocType: 2, widthInMbs: 45, heightInMapUnits: 18, frameMbsOnly: false, crop: [0, 0, 0, 2] }, 720, 568],
  ];
  for (const [name, fields, width, height] of cases) {
    test(`reads the frame size with ${name}`, () => {
      const sps = parseH264Sps(composeSps(fields));
      assert.deepEqual([sps.width, sps.height], [width, height]);
    });
  }
});

describe('parseH264Sps on malformed input', () => {
  const real = Buffer.from(KNOWN[0].sps, 'hex');

  test('every truncation of a real SPS is a typed error or, past the fields we read, the same answer', () => {
    const whole = parseH264Sps(real);
    let failed = 0;
    for (let n = 0; n < real.length; n++) {
      try {
        assert.deepEqual(parseH264Sps(real.subarray(0, n)), whole, `length ${n}`);
      } catch (e) {
        assert.ok(isAppError(e, 'MEDIA_MALFORMED') && ['truncated', 'out-of-range'].includes(String(e.detail?.['reason'])), `length ${n}: ${String(e)}`);
        failed++;
      }
    }
    assert.ok(failed >= 10, `only ${failed} prefixes failed`);
  });

  test('a NAL unit that is not an SPS is refused as the wrong type', () => {
    assert.equal(faultOf(() => parseH264Sps(Buffer.from(PPS_640x360 + '0000000000', 'hex'))), 'wrong-nal-type');
    assert.equal(faultOf(() => parseH264Sps(Buffer.from('e764001eacb2', 'hex'))), 'wrong-nal-type'); // forbidden_zero_bit set
  });

  test('an SPS longer than a decoder configuration record can hold is refused', () => {
    const huge = Buffer.alloc(70_000, 0xff);
    huge[0] = 0x67;
    assert.equal(faultOf(() => parseH264Sps(huge)), 'too-large');
  });

  test('an all-zero payload and an impossible frame size are typed errors', () => {
    assert.equal(faultOf(() => parseH264Sps(Buffer.from('6764002800', 'hex'))), 'truncated');
    // More than 31 leading zeros cannot start an Exp-Golomb code of a 32-bit value.
    assert.equal(faultOf(() => parseH264Sps(Buffer.from('67640028000000000000', 'hex'))), 'out-of-range');
    const zeroHeight = composeSps({ profileIdc: 66, widthInMbs: 2, heightInMapUnits: 1, crop: [0, 0, 0, 8] });
    assert.equal(faultOf(() => parseH264Sps(zeroHeight)), 'out-of-range');
  });

  test('random garbage behind an SPS header parses or fails with MEDIA_MALFORMED, quickly', () => {
    const rand = prng(7);
    const started = performance.now();
    let failures = 0;
    for (let i = 0; i < 3000; i++) {
      const nal = Buffer.alloc(1 + Math.floor(rand() * 40));
      for (let j = 1; j < nal.length; j++) nal[j] = Math.floor(rand() * 256);
      nal[0] = 0x67;
      try {
        parseH264Sps(nal);
      } catch (e) {
        assert.ok(isAppError(e, 'MEDIA_MALFORMED'), String(e));
        failures++;
      }
    }
    assert.ok(failures > 0);
    assert.ok(performance.now() - started < 2000, 'parsing garbage must not spin');
  });

  test('an avcC without PPS, or with a PPS of the wrong type, is refused', () => {
    const sps = parseH264Sps(real);
    assert.equal(faultOf(() => buildAvcDecoderConfig(real, sps, [])), 'out-of-range');
    assert.equal(faultOf(() => buildAvcDecoderConfig(real, sps, [real])), 'wrong-nal-type');
  });
});
