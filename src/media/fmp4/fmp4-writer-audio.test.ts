import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoxCursor, childBoxes, findChild } from './fmp4-boxes.ts';
import { Fmp4Reader } from './fmp4-reader.ts';
import { Fmp4Writer, type VideoFrame } from './fmp4-writer.ts';
import type { FragmentPiece } from '../media.ts';

const H264 = { codec: 'h264', sps: Buffer.from('6764001eacb201405ff2e022000003000200000300641e2c5c90', 'hex'), pps: [Buffer.from('68ebc3cb22c0', 'hex')] } as const;
/** AudioSpecificConfig of AAC-LC, 48 kHz, mono: 00010 0011 0001 000. */
const AAC_48K_MONO = Buffer.from([0x11, 0x88]);

function frame(timestamp: number, keyframe: boolean): VideoFrame {
  const slice = Buffer.alloc(100, 7);
  slice[0] = keyframe ? 0x65 : 0x41;
  return { nalus: [slice], timestamp, keyframe };
}

/** Track id, tfdt and sample count of every traf of a fragment. */
function trafs(fragment: FragmentPiece): { trackId: number; decodeTime: number; samples: number }[] {
  const moof = childBoxes(fragment.bytes, 0, fragment.bytes.length).find((b) => b.type === 'moof');
  assert.ok(moof !== undefined);
  return childBoxes(fragment.bytes, moof.bodyStart, moof.end).filter((b) => b.type === 'traf').map((traf) => {
    const h = new BoxCursor(fragment.bytes, findChild(fragment.bytes, traf, 'tfhd') ?? assert.fail('tfhd'));
    h.fullBox();
    const d = new BoxCursor(fragment.bytes, findChild(fragment.bytes, traf, 'tfdt') ?? assert.fail('tfdt'));
    d.fullBox();
    const r = new BoxCursor(fragment.bytes, findChild(fragment.bytes, traf, 'trun') ?? assert.fail('trun'));
    r.fullBox();
    return { trackId: h.u32(), decodeTime: d.u64(), samples: r.u32() };
  });
}

test('an AAC track rides in the video fragments: one init with both tracks, audio split at the video fragment ends', () => {
  const writer = new Fmp4Writer({ maxFragmentMs: 1000 });
  const init = writer.init(H264, { codec: 'aac', config: AAC_48K_MONO, timescale: 48_000 });
  assert.equal(init.codec, 'avc1.64001E,mp4a.40.2');
  assert.deepEqual(init.audio, { codec: 'mp4a.40.2', trackId: 2, timescale: 48_000, channels: 1 });
  // Audio before the first video frame is not recorded.
  assert.equal(writer.addAudio(Buffer.alloc(10), 0), 'before-video');
  const pieces: FragmentPiece[] = [];
  const videoStart = 90_000; // the video clock starts at 1 s: audio on the same origin starts at 48,000
  let audioTs = 48_000;
  for (let i = 0; i < 75; i++) {
    const t = videoStart + i * 3600;
    // Audio up to this video frame's time arrives first (the first video frame opens the track).
    while (i > 0 && (audioTs - 48_000) / 48_000 <= (t - videoStart) / 90_000) {
      assert.equal(writer.addAudio(Buffer.alloc(20, 1), audioTs), undefined);
      audioTs += 1024;
    }
    pieces.push(...writer.addFrame(frame(t, i % 25 === 0)));
  }
  const last = writer.flush();
  if (last !== undefined) pieces.push(last);
  assert.equal(pieces.length, 3);
  const tracks = pieces.map(trafs);
  // Fragment n covers video [n s, n+1 s): the audio frames that start before its end (47 of 1024 samples at 48 kHz per second).
  assert.deepEqual(tracks[0], [{ trackId: 1, decodeTime: 0, samples: 25 }, { trackId: 2, decodeTime: 0, samples: 47 }]);
  assert.deepEqual(tracks[1], [{ trackId: 1, decodeTime: 90_000, samples: 25 }, { trackId: 2, decodeTime: 47 * 1024, samples: 47 }]);
  assert.equal(tracks[2]?.[1]?.decodeTime, 94 * 1024);
  // Our reader reads the audio track back, and the video timing of every fragment is unchanged.
  const read = new Fmp4Reader().push(Buffer.concat([init.bytes, ...pieces.map((p) => p.bytes)]));
  assert.deepEqual(read[0]?.kind === 'init' ? read[0].audio : undefined, init.audio);
  assert.deepEqual(read.slice(1).map((p) => (p.kind === 'fragment' ? [p.decodeTime, p.duration, p.sampleCount, p.keyframe] : [])), pieces.map((p) => [p.decodeTime, p.duration, p.sampleCount, p.keyframe]));
});

test('addAudio without an audio track is a programming error; a video-only init is unchanged', () => {
  const writer = new Fmp4Writer();
  const init = writer.init(H264);
  assert.equal(init.codec, 'avc1.64001E');
  assert.equal(init.audio, undefined);
  assert.throws(() => writer.addAudio(Buffer.alloc(1), 0), /without an audio track/);
});
