import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AudioQueue } from './audio-queue.ts';

const frame = (n: number) => Buffer.alloc(n, 1);

test('frames go to the fragment whose video time they start in, with exact durations and decode times from the first video frame', () => {
  const q = new AudioQueue({ trackId: 2, timescale: 48_000, videoTimescale: 90_000, frameSamples: 1024 });
  assert.equal(q.add(frame(10), 100), 'before-video', 'before the first video frame');
  q.start(90_000); // first video frame at 1 s: audio origin 48,000
  assert.equal(q.add(frame(10), 47_000), 'before-video');
  for (let i = 0; i < 60; i++) assert.equal(q.add(frame(10 + i), 48_000 + i * 1024), undefined);
  // Video fragment [0, 1 s): 47 frames start before 48,000 ticks (46 × 1024 = 47,104; 47 × 1024 = 48,128).
  const first = q.take(90_000);
  assert.equal(first?.samples.length, 47);
  assert.equal(first.samples[0]?.decodeTime, 0);
  assert.ok(first.samples.every((s) => s.duration === 1024), 'the last one gets the delta to the next queued frame');
  assert.equal(first.payloadBytes, first.samples.reduce((n, s) => n + s.data.length, 0));
  assert.equal(q.take(90_000), undefined, 'nothing more before that time');
  const rest = q.take();
  assert.equal(rest?.samples.length, 13);
  assert.equal(rest.samples[0]?.decodeTime, 47 * 1024);
  assert.equal(rest.samples.at(-1)?.duration, 1024, 'the last frame of the stream gets one frame');
  assert.equal(q.bytes, 0);
});

test('a gap is kept in the durations; a timestamp that does not increase is refused and changes nothing', () => {
  const q = new AudioQueue({ trackId: 2, timescale: 8_000, videoTimescale: 90_000, frameSamples: 1024 });
  q.start(0);
  q.add(frame(1), 0);
  q.add(frame(1), 3 * 1024); // two frames lost
  assert.throws(() => q.add(frame(1), 3 * 1024), (e: Error & { detail?: { reason?: string } }) => e.detail?.reason === 'timestamp-order');
  const run = q.take();
  assert.deepEqual(run?.samples.map((s) => [s.decodeTime, s.duration]), [[0, 3072], [3072, 1024]]);
});

test('a queue waiting for video is bounded', () => {
  const q = new AudioQueue({ trackId: 2, timescale: 48_000, videoTimescale: 90_000, frameSamples: 1024 });
  q.start(0);
  let dropped = 0;
  for (let i = 0; i < 1200; i++) if (q.add(frame(1), i * 1024) === 'backlog') dropped++;
  assert.equal(dropped, 200);
});
