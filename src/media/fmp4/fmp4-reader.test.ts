import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { AppError, isAppError } from '../../lib/errors.ts';
import { hasEncoder, makeFmp4Fixture } from '../../../test/helpers/ffmpeg-fixtures.ts';
import { Fmp4Reader, parseFragment, parseInit } from './fmp4-reader.ts';
import type { FragmentPiece, InitPiece, MediaPiece } from '../media.ts';

/** Feeds `bytes` in chunks of the sizes `sizes()` yields, then ends the stream. */
function readAll(bytes: Buffer, sizes: () => number = () => bytes.length): MediaPiece[] {
  const reader = new Fmp4Reader();
  const pieces: MediaPiece[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = Math.max(1, sizes());
    pieces.push(...reader.push(bytes.subarray(at, at + n)));
    at += n;
  }
  reader.end();
  return pieces;
}

function split(pieces: MediaPiece[]): { init: InitPiece; fragments: FragmentPiece[] } {
  const [init, ...rest] = pieces;
  assert.equal(init?.kind, 'init');
  assert.ok(rest.every((p) => p.kind === 'fragment'));
  return { init: init, fragments: rest };
}

/** A deterministic pseudo-random generator, so a failing fuzz case can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectMalformed(fn: () => unknown): AppError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(isAppError(caught, 'MEDIA_MALFORMED'), `expected MEDIA_MALFORMED, got ${String(caught)}`);
  return caught;
}

describe('Fmp4Reader on H.264 from ffmpeg', () => {
  let h264: Buffer;
  let halfSecond: Buffer;
  before(async () => {
    [h264, halfSecond] = await Promise.all([makeFmp4Fixture(), makeFmp4Fixture({ fragmentSeconds: 0.5 })]);
  });

  test('the init piece states the avc1 codec, timescale, track and frame size', () => {
    const { init } = split(readAll(h264));
    assert.match(init.codec, /^avc1\.[0-9A-F]{6}$/);
    assert.ok(init.timescale > 0);
    assert.equal(init.trackId, 1);
    assert.equal(init.width, 320);
    assert.equal(init.height, 240);
    assert.equal(init.bytes.toString('latin1', 4, 8), 'ftyp');
  });

  test('four one-second fragments hold 100 frames, start on key frames and last 4 s in total', () => {
    const { init, fragments } = split(readAll(h264));
    assert.equal(fragments.length, 4);
    assert.equal(fragments.reduce((n, f) => n + f.sampleCount, 0), 100);
    assert.ok(fragments.every((f) => f.keyframe));
    assert.equal(fragments.reduce((n, f) => n + f.duration, 0), 4 * init.timescale);
  });

  test('each fragment starts where the previous one ended on the decode timeline', () => {
    const { fragments } = split(readAll(h264));
    let expected = 0;
    for (const f of fragments) {
      assert.equal(f.decodeTime, expected);
      expected += f.duration;
    }
  });

  test('fragments cut between key frames are reported as not starting on a key frame', () => {
    const { fragments } = split(readAll(halfSecond));
    assert.equal(fragments.length, 8);
    assert.deepEqual(
      fragments.map((f) => f.keyframe),
      [true, false, true, false, true, false, true, false],
    );
    assert.equal(fragments.reduce((n, f) => n + f.sampleCount, 0), 100);
  });

  test('the pieces concatenated give back exactly the input bytes, apart from the trailing mfra', () => {
    const pieces = readAll(h264);
    const joined = Buffer.concat(pieces.map((p) => p.bytes));
    assert.ok(h264.subarray(0, joined.length).equals(joined));
    assert.equal(h264.toString('latin1', joined.length + 4, joined.length + 8), 'mfra');
  });

  for (const [name, sizes] of [
    ['1-byte', () => () => 1],
    ['7-byte', () => () => 7],
    ['random', () => { const r = prng(42); return () => 1 + Math.floor(r() * 5000); }],
  ] as const) {
    test(`the same pieces come out when the input arrives in ${name} chunks`, () => {
      const whole = readAll(h264);
      const chunked = readAll(h264, sizes());
      assert.equal(chunked.length, whole.length);
      for (let i = 0; i < whole.length; i++) {
        const { bytes: a, ...ma } = whole[i] as MediaPiece;
        const { bytes: b, ...mb } = chunked[i] as MediaPiece;
        assert.deepEqual(mb, ma);
        assert.ok(a.equals(b));
      }
    });
  }

  test('parseInit and parseFragment give the same answers as the streaming reader', () => {
    const { init, fragments } = split(readAll(h264));
    const parsed = parseInit(init.bytes);
    assert.equal(parsed.codec, init.codec);
    for (const f of fragments) assert.deepEqual(parseFragment(f.bytes, parsed), f);
  });

  test('boxes with a 64-bit largesize header are read like ordinary ones', () => {
    const pieces = readAll(h264);
    const widened = Buffer.concat(pieces.flatMap((p) => boxesOf(p.bytes).map(toLargesize)));
    const again = readAll(widened, () => 3);
    assert.equal(again.length, pieces.length);
    assert.equal(split(again).fragments.reduce((n, f) => n + f.sampleCount, 0), 100);
  });

  test('a stream cut anywhere inside a piece makes end() throw MEDIA_MALFORMED', () => {
    for (const cut of [3, 10, 30, 500, h264.length - 200, h264.length - 130]) {
      const reader = new Fmp4Reader();
      reader.push(h264.subarray(0, cut));
      expectMalformed(() => reader.end());
    }
  });

  test('garbage before the init is rejected with its byte offset', () => {
    const e = expectMalformed(() => readAll(Buffer.concat([Buffer.from('GARBAGE!GARBAGE!'), h264])));
    assert.equal(e.detail?.['offset'], 0);
  });

  test('garbage between fragments is rejected at its offset after the whole pieces before it', () => {
    const pieces = readAll(h264);
    const at = (pieces[0] as MediaPiece).bytes.length + (pieces[1] as MediaPiece).bytes.length;
    const bad = Buffer.concat([h264.subarray(0, at), Buffer.from('\x00\x00\x00\x10junkjunkjunk'), h264.subarray(at)]);
    const reader = new Fmp4Reader();
    const got = reader.push(bad);
    assert.equal(got.length, 2);
    const e = expectMalformed(() => reader.end());
    assert.equal(e.detail?.['offset'], at);
    expectMalformed(() => reader.push(Buffer.alloc(1)));
  });

  test('box sizes below the header, of zero, or above 64 MiB are rejected at once', () => {
    for (const header of ['00000004ftyp', '00000000ftyp', '04000001ftyp', '00000001ftyp0000000100000000']) {
      const reader = new Fmp4Reader();
      expectMalformed(() => reader.push(Buffer.from(header.replace(/[a-z]{4}/, (t) => Buffer.from(t).toString('hex')), 'hex')));
    }
  });

  test('500 random mutations never raise anything but AppError and never hang', { timeout: 60_000 }, () => {
    const rand = prng(7);
    const pick = (n: number) => Math.floor(rand() * n);
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(h264.subarray(0, pick(h264.length) + 1));
      const edits = 1 + pick(8);
      for (let k = 0; k < edits; k++) {
        // Bias towards the box headers and tables at the start, where parsing decisions are made.
        const at = rand() < 0.7 ? pick(Math.min(bytes.length, 2000)) : pick(bytes.length);
        bytes[at] = pick(256);
      }
      try {
        readAll(bytes, () => 1 + pick(4096));
      } catch (e) {
        assert.ok(e instanceof AppError, `mutation ${i} threw ${String(e)}`);
      }
    }
  });
});

describe('Fmp4Reader on H.265 from ffmpeg', () => {
  test('an hvc1 stream gives an RFC 6381 hvc1 codec string and key-framed fragments', async (t) => {
    if (!(await hasEncoder('libx265'))) return t.skip('ffmpeg has no libx265');
    const { init, fragments } = split(readAll(await makeFmp4Fixture({ encoder: 'libx265' })));
    assert.match(init.codec, /^hvc1\.\d+\.[0-9A-F]+\.[LH]\d+(\.[0-9A-F]{1,2})*$/);
    assert.equal(init.width, 320);
    assert.equal(fragments.reduce((n, f) => n + f.sampleCount, 0), 100);
    assert.ok(fragments.every((f) => f.keyframe));
  });
});

/** Splits a buffer of whole top-level boxes into their bytes (test-side, 32-bit sizes only). */
function boxesOf(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = bytes.readUInt32BE(at);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

/** Rewrites a box with the 64-bit header form: size 1, type, largesize (ISO/IEC 14496-12 §4.2). */
function toLargesize(box: Buffer): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32BE(1, 0);
  box.copy(head, 4, 4, 8);
  head.writeBigUInt64BE(BigInt(box.length + 8), 8);
  return Buffer.concat([head, box.subarray(8)]);
}
