import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSdp } from './rtsp/sdp.ts';
import { audioSetUp, planAudio } from './audio-plan.ts';

const video = 'm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:v\r\n';
const sdp = (audio: string) => parseSdp(`v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n${video}${audio}`);
const aac = (clock: number, config: string, mode = 'AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3') =>
  `m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/${clock}/1\r\na=fmtp:97 streamtype=5;profile-level-id=1;mode=${mode};config=${config}\r\na=control:a\r\n`;

test('the audio plan records AAC-LC where it is turned on and says why not everywhere else', () => {
  const cases: [string, boolean, string][] = [
    ['', true, 'none'],
    [aac(48000, '1188'), true, 'recorded (AAC 48000 Hz)'],
    [aac(48000, '1188'), false, 'not recorded (off for this camera)'],
    ['m=audio 0 RTP/AVP 0\r\na=control:a\r\n', true, 'not recorded (codec PCMU)'],
    ['m=audio 0 RTP/AVP 8\r\na=control:a\r\n', false, 'not recorded (codec PCMA)'],
    [aac(48000, '2B8A08'), true, 'not recorded (AAC object type 5)'], // HE-AAC signalled explicitly
    [aac(48000, '1188', 'AAC-lbr;sizelength=6;indexlength=2;indexdeltalength=2'), true, 'not recorded (AAC AAC-lbr sizeLength 6)'],
    [aac(90000, '1188'), true, 'not recorded (AAC clock 90000 Hz, sample rate 48000 Hz)'],
  ];
  for (const [audio, wanted, status] of cases) assert.equal(planAudio(sdp(audio), wanted).status, status, audio);
  assert.equal(audioSetUp(planAudio(sdp(aac(48000, '1188')), true), false).status, 'not recorded (audio SETUP refused)');
});
