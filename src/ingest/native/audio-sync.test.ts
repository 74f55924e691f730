import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AudioSync } from './audio-sync.ts';

test('with RTP-Info, audio lands where the rtptime of both tracks says, whatever the arrival times', () => {
  // Video rtptime 1,000,000 and audio rtptime 5,000 are the same instant (start of play).
  const sync = new AudioSync({ videoRate: 90_000, audioRate: 48_000, rtpInfo: () => ({ videoRtpTime: 1_000_000, audioRtpTime: 5_000 }) });
  assert.equal(sync.audio(5_000, 0), undefined, 'nothing before a video frame');
  sync.video(1_000_000 + 9_000, 123); // 100 ms after the anchor
  // Audio 48,000 ticks (1 s) after its anchor: video-origin time 1 s after the video anchor.
  assert.equal(sync.audio(5_000 + 48_000, 99_999), Math.round(((1_000_000 + 90_000) * 48_000) / 90_000));
  assert.equal(sync.method, 'rtp-info');
  // Later frames keep the same offset.
  assert.equal(sync.audio(5_000 + 48_000 + 1024, 0), Math.round(((1_000_000 + 90_000) * 48_000) / 90_000) + 1024);
});

test('RTP-Info across a 32-bit wrap of either clock still ties the tracks', () => {
  const sync = new AudioSync({ videoRate: 90_000, audioRate: 8_000, rtpInfo: () => ({ videoRtpTime: 0xffff_fff0, audioRtpTime: 0xffff_ff00 }) });
  sync.video(0x1_0000_0000 + 90_000 - 0x10, 0); // extended: 1 s after the anchor, past the wrap
  const at = sync.audio(0x1_0000_0000 + 8_000 - 0x100, 0) as number; // 1 s after the audio anchor, past the wrap
  assert.equal(at, Math.round(((0x1_0000_0000 + 90_000 - 0x10) * 8_000) / 90_000));
});

test('without RTP-Info, the first audio frame is placed by arrival against the last video frame', () => {
  const sync = new AudioSync({ videoRate: 90_000, audioRate: 48_000, rtpInfo: () => undefined });
  sync.video(180_000, 1_000); // video at 2 s on its clock, arrived at 1,000 ms
  const at = sync.audio(777, 1_250) as number; // arrived 250 ms later
  assert.equal(at, Math.round(((180_000 + 22_500) * 48_000) / 90_000));
  assert.equal(sync.method, 'arrival');
  assert.equal(sync.audio(777 + 1024, 5_000), at + 1024, 'the anchor is kept: later arrivals do not move it');
});
