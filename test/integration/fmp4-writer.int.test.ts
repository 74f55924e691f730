/**
 * The writer against the real ffmpeg: elementary streams from libx264/libx265 go through the
 * writer, and ffprobe/ffmpeg must decode every frame of the result; the same streams remuxed by
 * `ffmpeg -c copy` (the current ingest) give the reference the output must match.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { countFrames, decodeErrors, probeErrors } from '../helpers/media-probe.ts';
import { childBoxes, findPath, type Box } from '../../src/media/fmp4/fmp4-boxes.ts';
import { Fmp4Reader, parseInit } from '../../src/media/fmp4/fmp4-reader.ts';
import type { FragmentPiece, InitPiece, MediaPiece } from '../../src/media/media.ts';
import { Segmenter } from '../../src/recording/segmenter.ts';
import { accessUnits, encodeAnnexB, probeStream, run, type TestAccessUnit, type TestStreamOptions } from '../helpers/annexb-streams.ts';
import { H264_NAL, h264NalType, parseH264Sps } from '../../src/media/fmp4/h264-parameter-sets.ts';
import { H265_NAL, h265NalType, parseH265Sps } from '../../src/media/fmp4/h265-parameter-sets.ts';
import { Fmp4Writer, type VideoCodecConfig } from '../../src/media/fmp4/fmp4-writer.ts';

/** An RTP-like starting timestamp: decode times must still start at 0. */
const RTP_START = 1_234_567_890;

/** The parameter sets carried in-band by the first access unit, as SDP would announce them. */
function codecConfig(codec: 'h264' | 'h265', first: TestAccessUnit): VideoCodecConfig {
  const typeOf = codec === 'h264' ? h264NalType : h265NalType;
  const of = (t: number): Buffer[] => first.nalus.filter((n) => typeOf(n) === t);
  if (codec === 'h264') return { codec, sps: of(H264_NAL.sps)[0]!, pps: of(H264_NAL.pps) };
  return { codec, vps: of(H265_NAL.vps)[0]!, sps: of(H265_NAL.sps)[0]!, pps: of(H265_NAL.pps) };
}

interface Written {
  init: InitPiece;
  fragments: FragmentPiece[];
  bytes: Buffer;
}

/** Feeds the access units at 25 fps (3600 ticks) through a writer. */
function writeAll(codec: 'h264' | 'h265', units: readonly TestAccessUnit[]): Written {
  const writer = new Fmp4Writer();
  const init = writer.init(codecConfig(codec, units[0]!));
  const fragments: FragmentPiece[] = [];
  units.forEach((u, i) => {
    fragments.push(...writer.addFrame({ nalus: u.nalus, timestamp: RTP_START + i * 3600, keyframe: u.keyframe }));
  });
  const last = writer.flush();
  if (last) fragments.push(last);
  return { init, fragments, bytes: Buffer.concat([init.bytes, ...fragments.map((f) => f.bytes)]) };
}

/** What `ffmpeg -c copy` (today's ingest) makes of the same elementary stream. */
async function ffmpegRemux(codec: 'h264' | 'h265', es: Buffer): Promise<MediaPiece[]> {
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-f', codec === 'h264' ? 'h264' : 'hevc', '-r', '25', '-i', 'pipe:0',
    '-c', 'copy', ...(codec === 'h265' ? ['-tag:v', 'hvc1'] : []),
    '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '1000000', 'pipe:1',
  ];
  const reader = new Fmp4Reader();
  const pieces = reader.push((await run('/usr/bin/ffmpeg', args, es)).stdout);
  reader.end();
  return pieces;
}

/** The payload of the box at `path` under moov. */
function moovBox(init: Buffer, path: string[]): Buffer {
  const moov = childBoxes(init, 0, init.length).find((b) => b.type === 'moov')!;
  const box = findPath(init, moov, path);
  assert.ok(box, path.join('/'));
  return init.subarray(box.start, box.end);
}

/** The decoder configuration box (avcC/hvcC) inside the sample entry. */
function configBox(init: Buffer): Buffer {
  const stsd = moovBox(init, ['trak', 'mdia', 'minf', 'stbl', 'stsd']);
  const entry = childBoxes(stsd, 16, stsd.length)[0]!;
  const config = childBoxes(stsd, entry.bodyStart + 78, entry.end).find((b: Box) => b.type === 'avcC' || b.type === 'hvcC')!;
  return stsd.subarray(config.start, config.end);
}

function mdatPayload(fragment: Buffer): Buffer {
  const mdat = childBoxes(fragment, 0, fragment.length).find((b) => b.type === 'mdat')!;
  return fragment.subarray(mdat.bodyStart, mdat.end);
}

/**
 * The length-prefixed NAL units of an mdat, trailing zero bytes removed: ffmpeg's HEVC parser
 * leaves the zero_byte of the next 4-byte start code on an access unit's last NAL unit
 * (trailing_zero_8bits, Annex B §B.2, which are not part of the NAL unit); the writer's input
 * never has it.
 */
function nalUnitsOf(payload: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < payload.length; ) {
    const start = at + 4;
    const end = start + payload.readUInt32BE(at);
    let last = end;
    while (last > start && payload[last - 1] === 0) last--;
    out.push(payload.subarray(start, last).toString('hex'));
    at = end;
  }
  return out;
}

const STREAMS = [
  { label: 'H.264 (libx264 High, 640x360)', codec: 'h264', ffprobeCodec: 'h264', profile: 'High' },
  { label: 'H.265 (libx265 Main, 640x360)', codec: 'h265', ffprobeCodec: 'hevc', profile: 'Main' },
] as const;

for (const s of STREAMS) {
  describe(`Fmp4Writer on ${s.label} from ffmpeg`, () => {
    let es: Buffer;
    let units: TestAccessUnit[];
    let out: Written;
    let reference: MediaPiece[];
    before(async () => {
      es = await encodeAnnexB({ codec: s.codec });
      units = accessUnits(s.codec, es);
      out = writeAll(s.codec, units);
      reference = await ffmpegRemux(s.codec, es);
    });

    test('the test stream splits into 100 access units, a key frame every 25', () => {
      assert.equal(units.length, 100);
      assert.deepEqual(units.flatMap((u, i) => (u.keyframe ? [i] : [])), [0, 25, 50, 75]);
    });

    test('ffprobe and a full ffmpeg decode of init + fragments report no error and exactly 100 frames', async () => {
      assert.equal(await probeErrors(out.bytes), '');
      assert.equal(await decodeErrors(out.bytes), '');
      assert.equal(await countFrames(out.bytes), 100);
    });

    test('ffprobe reports the codec, profile, width and height of the source', async () => {
      const probed = await probeStream(out.bytes);
      assert.deepEqual([probed.codec_name, probed.profile, probed.width, probed.height], [s.ffprobeCodec, s.profile, 640, 360]);
    });

    test('the fMP4 reader parses every piece to what the writer reported, fragments ≤ 1 s from decode time 0', () => {
      const reader = new Fmp4Reader();
      const pieces = reader.push(out.bytes);
      reader.end();
      const [init, ...fragments] = pieces;
      assert.equal(init?.kind, 'init');
      assert.deepEqual({ ...init, defaults: undefined }, { ...out.init, defaults: undefined });
      assert.deepEqual(fragments, out.fragments);
      assert.equal(out.fragments[0]?.decodeTime, 0);
      assert.ok(out.fragments.every((f) => f.duration <= 90_000 && f.keyframe));
      assert.equal(out.fragments.reduce((n, f) => n + f.sampleCount, 0), 100);
    });

    test('codec string, size and decoder configuration record are the ones ffmpeg writes', () => {
      const ref = reference[0] as InitPiece;
      assert.deepEqual([out.init.codec, out.init.width, out.init.height], [ref.codec, ref.width, ref.height]);
      assert.ok(configBox(out.init.bytes).equals(configBox(ref.bytes)));
    });

    test('the init boxes are ffmpeg’s, apart from the timescale, udta and pasp', () => {
      for (const path of [['mvhd'], ['trak', 'tkhd'], ['trak', 'mdia', 'hdlr'], ['trak', 'mdia', 'minf', 'vmhd'], ['trak', 'mdia', 'minf', 'dinf'], ['mvex']]) {
        assert.ok(moovBox(out.init.bytes, path).equals(moovBox(reference[0]!.bytes, path)), path.join('/'));
      }
      assert.ok(out.init.bytes.subarray(0, 28).equals(reference[0]!.bytes.subarray(0, 28)), 'ftyp');
    });

    test('fragments hold the same NAL units as ffmpeg’s, byte for byte, cut at the same frames', () => {
      const ref = reference.slice(1) as FragmentPiece[];
      assert.deepEqual(out.fragments.map((f) => [f.sampleCount, f.keyframe]), ref.map((f) => [f.sampleCount, f.keyframe]));
      out.fragments.forEach((f, i) => {
        const ours = nalUnitsOf(mdatPayload(f.bytes));
        assert.ok(ours.length > f.sampleCount);
        assert.deepEqual(ours, nalUnitsOf(mdatPayload(ref[i]!.bytes)), `fragment ${i}`);
      });
    });

    test('the segmenter opens a segment on the first fragment and places every fragment', () => {
      const segmenter = new Segmenter(2000, out.init.timescale);
      const placed = out.fragments.map((f, i) => segmenter.place(f, 5_000_000 + (i + 1) * 1000));
      assert.deepEqual(placed.map((p) => p.cut), [true, false, true, false]);
      assert.ok(placed.every((p) => Number.isFinite(p.startMs) && p.durationMs === 1000));
    });
  });
}

describe('Fmp4Writer on a stream with delimiters and two-second key-frame intervals', () => {
  test('fragments are cut at one second, delimiters are dropped, and every frame decodes', async () => {
    const es = await encodeAnnexB({ codec: 'h264', gop: 50, extra: ['-x264-params', 'aud=1'] });
    const units = accessUnits('h264', es);
    assert.ok(units.every((u) => h264NalType(u.nalus[0]!) === H264_NAL.aud));
    const out = writeAll('h264', units);
    assert.deepEqual(out.fragments.map((f) => f.keyframe), [true, false, true, false]);
    for (const f of out.fragments) assert.ok(!mdatPayload(f.bytes).includes(Buffer.from([0, 0, 0, 2, 0x09])), 'no AUD in samples');
    assert.equal(await decodeErrors(out.bytes), '');
    assert.equal(await countFrames(out.bytes), 100);
  });
});

describe('parameter-set parsers against ffprobe', () => {
  const cases: (TestStreamOptions & { profile: string })[] = [
    { codec: 'h264', width: 1920, height: 1080, extra: ['-profile:v', 'baseline'], profile: 'Constrained Baseline' },
    { codec: 'h264', width: 720, height: 576, extra: ['-flags', '+ildct', '-profile:v', 'main'], profile: 'Main' },
    { codec: 'h264', width: 350, height: 202, extra: ['-pix_fmt', 'yuv422p', '-profile:v', 'high422'], profile: 'High 4:2:2' },
    { codec: 'h265', width: 642, height: 362, profile: 'Main' },
    { codec: 'h265', width: 1280, height: 720, extra: ['-pix_fmt', 'yuv420p10le'], profile: 'Main 10' },
  ];
  for (const c of cases) {
    test(`${c.codec} ${c.profile} ${c.width}x${c.height}: size and level match ffprobe, and the init describes them`, async () => {
      const es = await encodeAnnexB({ ...c, seconds: 0.2 });
      const probed = await probeStream(es, c.codec === 'h264' ? 'h264' : 'hevc');
      const config = codecConfig(c.codec, accessUnits(c.codec, es)[0]!);
      const sps = config.codec === 'h264' ? parseH264Sps(config.sps) : parseH265Sps(config.sps);
      assert.deepEqual([sps.width, sps.height, sps.levelIdc, probed.profile], [probed.width, probed.height, probed.level, c.profile]);
      const init = parseInit(new Fmp4Writer().init(config).bytes);
      assert.deepEqual([init.width, init.height], [c.width, c.height]);
    });
  }
});
