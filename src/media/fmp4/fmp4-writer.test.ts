import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../../lib/errors.ts';
import { BoxCursor, childBoxes, findChild, findPath } from './fmp4-boxes.ts';
import { Fmp4Reader, parseFragment, parseInit } from './fmp4-reader.ts';
import type { FragmentPiece, InitPiece } from '../media.ts';
import { Segmenter } from '../../recording/segmenter.ts';
import { Fmp4Writer, type Fmp4WriterOptions, type VideoFrame } from './fmp4-writer.ts';
import { faultOf, prng } from '../../../test/helpers/parameter-set-kit.ts';

const H264 = {
  codec: 'h264',
  sps: Buffer.from('6764001eacb201405ff2e022000003000200000300641e2c5c90', 'hex'),
  pps: [Buffer.from('68ebc3cb22c0', 'hex')],
} as const;
const H265 = {
  codec: 'h265',
  vps: Buffer.from('40010c01ffff01600000030090000003000003003f928090', 'hex'),
  sps: Buffer.from('42010101600000030090000003000003003fa0050201696592a4932bc05a020000030002000003003210', 'hex'),
  pps: [Buffer.from('4401c172b46240', 'hex')],
} as const;
const AUD_H264 = Buffer.from([0x09, 0xf0]);

/** A synthetic H.264 access unit: an IDR or non-IDR slice NAL of `size` bytes. */
function frame(timestamp: number, keyframe: boolean, size = 200): VideoFrame {
  const slice = Buffer.alloc(size, timestamp % 251);
  slice[0] = keyframe ? 0x65 : 0x41;
  return { nalus: [slice], timestamp, keyframe };
}

interface Run {
  init: InitPiece;
  fragments: FragmentPiece[];
}

/** Feeds frames with the given timestamps (key frame every `gop`), then flushes. */
function write(timestamps: readonly number[], gop: number, options: Fmp4WriterOptions = {}): Run {
  const writer = new Fmp4Writer(options);
  const init = writer.init(H264);
  const fragments: FragmentPiece[] = [];
  timestamps.forEach((ts, i) => {
    fragments.push(...writer.addFrame(frame(ts, i % gop === 0)));
  });
  const last = writer.flush();
  if (last !== undefined) fragments.push(last);
  return { init, fragments };
}

const steady = (n: number, step: number, start = 0): number[] => Array.from({ length: n }, (_, i) => start + i * step);

/** Per-sample rows of a fragment's trun, and its data offset. */
function trunOf(bytes: Buffer): { dataOffset: number; rows: { duration: number; size: number; flags: number }[] } {
  const moof = childBoxes(bytes, 0, bytes.length)[0]!;
  const trun = findPath(bytes, moof, ['traf', 'trun'])!;
  const c = new BoxCursor(bytes, trun);
  assert.equal(c.fullBox().flags, 0x000701);
  const count = c.u32();
  const dataOffset = c.u32();
  const rows = Array.from({ length: count }, () => ({ duration: c.u32(), size: c.u32(), flags: c.u32() }));
  return { dataOffset, rows };
}

describe('Fmp4Writer init segment', () => {
  test('states the avc1 codec, 90 kHz timescale, track 1 and the SPS frame size, as the reader sees them', () => {
    const init = new Fmp4Writer().init(H264);
    assert.deepEqual({ ...init, bytes: undefined }, { kind: 'init', bytes: undefined, codec: 'avc1.64001E', timescale: 90_000, trackId: 1, width: 640, height: 360 });
    const parsed = parseInit(init.bytes);
    assert.deepEqual([parsed.codec, parsed.timescale, parsed.trackId, parsed.width, parsed.height], ['avc1.64001E', 90_000, 1, 640, 360]);
    assert.deepEqual(parsed.defaults, { sampleDuration: 0, sampleFlags: 0 });
  });

  test('is ftyp then moov holding mvhd, one video trak and mvex/trex, with empty sample tables', () => {
    const { bytes } = new Fmp4Writer().init(H264);
    const top = childBoxes(bytes, 0, bytes.length);
    assert.deepEqual(top.map((b) => b.type), ['ftyp', 'moov']);
    const moov = top[1]!;
    assert.deepEqual(childBoxes(bytes, moov.bodyStart, moov.end).map((b) => b.type), ['mvhd', 'trak', 'mvex']);
    const stbl = findPath(bytes, moov, ['trak', 'mdia', 'minf', 'stbl'])!;
    assert.deepEqual(childBoxes(bytes, stbl.bodyStart, stbl.end).map((b) => b.type), ['stsd', 'stts', 'stsc', 'stsz', 'stco']);
    assert.ok(findPath(bytes, moov, ['mvex', 'trex']));
  });

  test('describes H.265 as hvc1 with its Annex E codec string', () => {
    const init = new Fmp4Writer().init(H265);
    assert.equal(init.codec, 'hvc1.1.6.L63.90');
    assert.equal(parseInit(init.bytes).codec, init.codec);
    const moov = childBoxes(init.bytes, 0, init.bytes.length)[1]!;
    const stsd = findPath(init.bytes, moov, ['trak', 'mdia', 'minf', 'stbl', 'stsd'])!;
    assert.equal(childBoxes(init.bytes, stsd.bodyStart + 8, stsd.end)[0]?.type, 'hvc1');
  });

  test('malformed parameter sets are refused with MEDIA_MALFORMED', () => {
    assert.equal(faultOf(() => new Fmp4Writer().init({ ...H264, sps: H264.sps.subarray(0, 6) })), 'truncated');
    assert.equal(faultOf(() => new Fmp4Writer().init({ ...H265, vps: H265.pps[0] })), 'wrong-nal-type');
  });
});

describe('Fmp4Writer fragments', () => {
  test('a 25 fps stream with one key frame a second gives one-second fragments that each open on a key frame', () => {
    const { fragments } = write(steady(100, 3600), 25);
    assert.deepEqual(
      fragments.map((f) => [f.decodeTime, f.duration, f.sampleCount, f.keyframe]),
      [[0, 90_000, 25, true], [90_000, 90_000, 25, true], [180_000, 90_000, 25, true], [270_000, 90_000, 25, true]],
    );
  });

  test('every piece parses back to exactly the decodeTime, duration, sampleCount and keyframe reported', () => {
    const { init, fragments } = write(steady(90, 3600, 12_345), 30);
    const parsed = parseInit(init.bytes);
    for (const f of fragments) assert.deepEqual(parseFragment(f.bytes, parsed), f);
    const reader = new Fmp4Reader();
    const streamed = reader.push(Buffer.concat([init.bytes, ...fragments.map((f) => f.bytes)]));
    reader.end();
    assert.deepEqual(streamed.slice(1), fragments);
  });

  test('with key frames two seconds apart, fragments are cut at one second and only every other one opens on a key frame', () => {
    const { fragments } = write(steady(100, 3600), 50);
    assert.deepEqual(fragments.map((f) => f.keyframe), [true, false, true, false]);
    assert.ok(fragments.every((f) => f.duration <= 90_000));
  });

  test('at 29.97 fps no fragment exceeds one second: the frame that would overrun opens the next one', () => {
    const { fragments } = write(steady(300, 3003), 60);
    assert.ok(fragments.every((f) => f.duration <= 90_000), fragments.map((f) => f.duration).join());
    assert.deepEqual([fragments[0]?.sampleCount, fragments[0]?.duration], [29, 29 * 3003]);
    assert.equal(fragments.reduce((n, f) => n + f.sampleCount, 0), 300);
  });

  test('sample durations are the exact timestamp deltas and fragments tile the decode timeline', () => {
    const rand = prng(3);
    const ts: number[] = [5000];
    for (let i = 1; i < 250; i++) ts.push(ts[i - 1]! + 3300 + Math.floor(rand() * 600));
    const { fragments } = write(ts, 25);
    const durations = fragments.flatMap((f) => trunOf(f.bytes).rows.map((r) => r.duration));
    const deltas = ts.slice(1).map((t, i) => t - ts[i]!);
    assert.deepEqual(durations.slice(0, -1), deltas);
    const room = 90_000 - (ts.at(-1)! - (ts[0]! + fragments.at(-1)!.decodeTime));
    assert.equal(durations.at(-1), Math.min(deltas.at(-1)!, room), 'flush: the previous interval, within the maximum');
    let expected = 0;
    for (const f of fragments) {
      assert.equal(f.decodeTime, expected);
      expected += f.duration;
    }
  });

  test('with jittery timestamps and long key-frame intervals no fragment exceeds the maximum', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rand = prng(seed);
      const ts: number[] = [0];
      for (let i = 1; i < 500; i++) ts.push(ts[i - 1]! + 1500 + Math.floor(rand() * 6000));
      const { fragments } = write(ts, 120);
      assert.ok(fragments.every((f) => f.duration <= 90_000), `seed ${seed}: ${Math.max(...fragments.map((f) => f.duration))}`);
      assert.equal(fragments.reduce((n, f) => n + f.sampleCount, 0), 500);
    }
  });

  test('a key frame just after the maximum was crossed completes two fragments at once', () => {
    const writer = new Fmp4Writer();
    writer.init(H264);
    for (const ts of steady(25, 3600)) assert.deepEqual(writer.addFrame(frame(ts, ts === 0)), []); // ends at 86400 + …
    assert.deepEqual(writer.addFrame(frame(93_000, true)).map((f) => [f.decodeTime, f.duration, f.sampleCount]), [
      [0, 86_400, 24], // the frame at 86400 would have ended at 93000, past 90000
      [86_400, 6_600, 1],
    ]);
  });

  test('a fragment that ends exactly at the maximum is emitted as soon as the next frame arrives', () => {
    const writer = new Fmp4Writer();
    writer.init(H264);
    const out = steady(26, 3600).flatMap((ts) => writer.addFrame(frame(ts, ts === 0)));
    assert.deepEqual(out.map((f) => [f.duration, f.sampleCount, f.keyframe]), [[90_000, 25, true]]);
  });

  test('flush keeps the last fragment within the maximum', () => {
    const writer = new Fmp4Writer();
    writer.init(H264);
    writer.addFrame(frame(0, true));
    writer.addFrame(frame(50_000, false));
    writer.addFrame(frame(88_000, false)); // latest interval 38000 would end the fragment at 126000
    assert.deepEqual([writer.flush()?.duration], [90_000]);
  });

  test('a timestamp jump longer than the maximum stays in its fragment, which is then longer: decode times stay true', () => {
    const ts = [...steady(10, 3600), ...steady(10, 3600, 9 * 3600 + 270_000)];
    const { fragments } = write(ts, 100);
    assert.deepEqual(fragments.map((f) => [f.decodeTime, f.sampleCount]), [[0, 9], [9 * 3600, 1], [9 * 3600 + 270_000, 10]]);
    assert.equal(fragments[1]?.duration, 270_000, 'the one frame before the jump lasts until the next frame');
  });

  test('per-sample flags mark the key frame as a sync sample and the data offset points at the first sample', () => {
    const { fragments } = write(steady(25, 3600), 25);
    const f = fragments[0]!;
    const { dataOffset, rows } = trunOf(f.bytes);
    assert.deepEqual([...new Set(rows.slice(1).map((r) => r.flags))], [0x01010000]);
    assert.equal(rows[0]?.flags, 0x02000000);
    const top = childBoxes(f.bytes, 0, f.bytes.length);
    assert.deepEqual(top.map((b) => b.type), ['moof', 'mdat']);
    assert.equal(dataOffset, top[1]!.bodyStart);
    assert.equal(f.bytes.readUInt32BE(dataOffset), rows[0].size - 4, 'a 4-byte NAL length opens the sample');
    const tfhd = new BoxCursor(f.bytes, findPath(f.bytes, top[0]!, ['traf', 'tfhd'])!);
    assert.equal(tfhd.fullBox().flags, 0x020000, 'default-base-is-moof');
  });

  test('decode times past 2^32 ticks are written in a 64-bit tfdt', () => {
    const { init, fragments } = write([0, 4e9, 8e9, 8e9 + 3600], 1);
    assert.deepEqual(fragments.map((f) => f.decodeTime), [0, 4e9, 8e9, 8e9 + 3600]);
    assert.equal(parseFragment(fragments[2]!.bytes, parseInit(init.bytes)).decodeTime, 8e9);
  });

  test('decode times count from the first frame, whatever its timestamp', () => {
    const { fragments } = write(steady(30, 3600, 2 ** 40), 25);
    assert.deepEqual(fragments.map((f) => f.decodeTime), [0, 90_000]);
  });

  test('mfhd sequence numbers start at 1 and increase by one', () => {
    const { fragments } = write(steady(100, 3600), 25);
    const seq = fragments.map((f) => {
      const moof = childBoxes(f.bytes, 0, f.bytes.length)[0]!;
      const c = new BoxCursor(f.bytes, findChild(f.bytes, moof, 'mfhd')!);
      c.fullBox();
      return c.u32();
    });
    assert.deepEqual(seq, [1, 2, 3, 4]);
  });

  test('a shorter maximum makes shorter fragments', () => {
    const { fragments } = write(steady(100, 3600), 25, { maxFragmentMs: 400 });
    assert.ok(fragments.every((f) => f.duration <= 36_000));
    assert.deepEqual(fragments.slice(0, 3).map((f) => f.sampleCount), [10, 10, 5]);
  });
});

describe('Fmp4Writer samples and flush', () => {
  test('access unit delimiters are dropped and the other NAL units are written length-prefixed, in order', () => {
    const writer = new Fmp4Writer();
    writer.init(H264);
    const idr = Buffer.from('65888400ff', 'hex');
    writer.addFrame({ nalus: [AUD_H264, H264.sps, H264.pps[0], idr], timestamp: 0, keyframe: true });
    const f = writer.flush()!;
    const mdat = childBoxes(f.bytes, 0, f.bytes.length)[1]!;
    const expected = Buffer.concat([H264.sps, H264.pps[0], idr].flatMap((n) => [Buffer.from([0, 0, 0, n.length]), n]));
    assert.ok(f.bytes.subarray(mdat.bodyStart, mdat.end).equals(expected));
  });

  test('H.265 delimiters (type 35) are dropped too', () => {
    const writer = new Fmp4Writer();
    writer.init(H265);
    const idr = Buffer.from('2601af', 'hex');
    writer.addFrame({ nalus: [Buffer.from([0x46, 0x01, 0x10]), idr], timestamp: 0, keyframe: true });
    const f = writer.flush()!;
    assert.equal(trunOf(f.bytes).rows[0]?.size, 4 + idr.length);
  });

  test('a lone frame flushed gets the nominal duration; nothing pending flushes to nothing', () => {
    const writer = new Fmp4Writer({ nominalFrameDuration: 3000 });
    writer.init(H264);
    assert.equal(writer.flush(), undefined);
    writer.addFrame(frame(777, true));
    assert.deepEqual([writer.flush()?.duration, writer.flush()], [3000, undefined]);
  });

  test('after flush, init may describe new parameter sets and decode times continue', () => {
    const writer = new Fmp4Writer();
    writer.init(H264);
    writer.addFrame(frame(0, true));
    writer.addFrame(frame(3600, false));
    writer.flush();
    assert.equal(writer.init(H265).codec, 'hvc1.1.6.L63.90');
    writer.addFrame(frame(7200, true));
    assert.equal(writer.flush()?.decodeTime, 7200);
  });
});

describe('Fmp4Writer refusals', () => {
  test('frames before init and init with frames pending are programming errors', () => {
    const writer = new Fmp4Writer();
    assert.throws(() => writer.addFrame(frame(0, true)), (e) => isAppError(e, 'INTERNAL'));
    writer.init(H264);
    writer.addFrame(frame(0, true));
    assert.throws(() => writer.init(H264), (e) => isAppError(e, 'INTERNAL'));
  });

  test('timestamps that do not increase, are negative or fractional, or jump past 32 bits are refused', () => {
    const writer = new Fmp4Writer();
    writer.init(H264);
    writer.addFrame(frame(3600, true));
    assert.equal(faultOf(() => writer.addFrame(frame(3600, false))), 'timestamp-order');
    assert.equal(faultOf(() => writer.addFrame(frame(100, false))), 'timestamp-order');
    assert.equal(faultOf(() => writer.addFrame(frame(-1, false))), 'timestamp-invalid');
    assert.equal(faultOf(() => writer.addFrame(frame(7200.5, false))), 'timestamp-invalid');
    assert.equal(faultOf(() => writer.addFrame(frame(3600 + 2 ** 32, false))), 'timestamp-gap');
  });

  test('a refused frame leaves the writer as it was: skipping it gives the same bytes as never seeing it', () => {
    const clean = write(steady(50, 3600), 25);
    const writer = new Fmp4Writer();
    writer.init(H264);
    const fragments: FragmentPiece[] = [];
    steady(50, 3600).forEach((ts, i) => {
      if (i === 30) {
        assert.equal(faultOf(() => writer.addFrame(frame(ts - 3600, true))), 'timestamp-order');
        assert.equal(faultOf(() => writer.addFrame({ nalus: [AUD_H264], timestamp: ts, keyframe: false })), 'empty-frame');
      }
      fragments.push(...writer.addFrame(frame(ts, i % 25 === 0)));
    });
    fragments.push(writer.flush()!);
    assert.deepEqual(fragments, clean.fragments);
  });

  test('a frame with no NAL units, or only empty ones, is refused', () => {
    const writer = new Fmp4Writer();
    writer.init(H264);
    assert.equal(faultOf(() => writer.addFrame({ nalus: [], timestamp: 0, keyframe: true })), 'empty-frame');
    assert.equal(faultOf(() => writer.addFrame({ nalus: [Buffer.alloc(0)], timestamp: 0, keyframe: true })), 'empty-frame');
  });

  test('a frame larger than an mdat may be is refused; frames that only add up to it start a new fragment', () => {
    const writer = new Fmp4Writer();
    writer.init(H264);
    const mib = Buffer.alloc(1 << 20, 0x41);
    assert.equal(faultOf(() => writer.addFrame({ nalus: Array<Buffer>(64).fill(mib), timestamp: 0, keyframe: true })), 'frame-too-large');
    const big = Array<Buffer>(40).fill(mib);
    assert.deepEqual(writer.addFrame({ nalus: big, timestamp: 0, keyframe: true }), []);
    const closed = writer.addFrame({ nalus: big, timestamp: 3600, keyframe: false });
    assert.deepEqual(closed.map((f) => f.sampleCount), [1]);
  });

  test('bad options are refused', () => {
    for (const o of [{ maxFragmentMs: 0 }, { maxFragmentMs: 20_000 }, { timescale: 0 }, { timescale: 1.5 }, { nominalFrameDuration: 0 }]) {
      assert.throws(() => new Fmp4Writer(o), (e) => isAppError(e, 'VALIDATION_FAILED'), JSON.stringify(o));
    }
  });
});

describe('the segmenter takes the writer output', () => {
  test('segments open on the first fragment and are cut at key-frame fragments at the target length', () => {
    const { init, fragments } = write(steady(250, 3600), 50);
    const segmenter = new Segmenter(4000, init.timescale);
    const placed = fragments.map((f, i) => segmenter.place(f, 1_000_000 + (i + 1) * 1000));
    assert.deepEqual(placed.map((p) => p.cut), [true, false, false, false, true, false, false, false, true, false]);
    assert.deepEqual(placed.slice(0, 3).map((p) => p.startMs), [1_000_000, 1_001_000, 1_002_000]);
    assert.ok(placed.every((p) => p.durationMs === 1000));
  });
});
