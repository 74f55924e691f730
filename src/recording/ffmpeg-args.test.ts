import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../lib/errors.ts';
import { ffmpegIngestArgs, ffmpegInputUrl } from './ffmpeg-args.ts';
import type { IngestTarget } from './ingest.ts';

const target = (url: string, username: string | null = null, password: string | null = null): IngestTarget => ({
  cameraId: 'cam-1',
  url,
  username,
  password,
});

describe('ffmpegInputUrl', () => {
  const cases: [string, IngestTarget, string][] = [
    ['passes a URL without credentials through unchanged', target('rtsp://10.0.0.5:554/stream1'), 'rtsp://10.0.0.5:554/stream1'],
    ['adds user and password as userinfo', target('rtsp://10.0.0.5/s', 'admin', 'secret'), 'rtsp://admin:secret@10.0.0.5/s'],
    ['percent-encodes reserved characters in the credentials', target('rtsp://cam/s', 'a:b', 'p@ss/w:rd#?%'), 'rtsp://a%3Ab:p%40ss%2Fw%3Ard%23%3F%25@cam/s'],
    ['adds a user without a password', target('rtsp://cam/s', 'viewer', null), 'rtsp://viewer@cam/s'],
    ['keeps an rtsps URL as rtsps', target('rtsps://cam:322/s?x=1', 'u', 'p'), 'rtsps://u:p@cam:322/s?x=1'],
    ['keeps a host with no path', target('rtsp://cam', 'u', 'p'), 'rtsp://u:p@cam'],
    ['keeps an IPv6 host', target('rtsp://[::1]:8554/cam1', 'u', 'p'), 'rtsp://u:p@[::1]:8554/cam1'],
  ];
  for (const [name, t, expected] of cases) test(`ffmpegInputUrl ${name}`, () => assert.equal(ffmpegInputUrl(t), expected));

  for (const url of ['http://cam/s', 'rtsp://user:pw@cam/s', 'rtsp:///s', 'file:///etc/passwd', '-i']) {
    test(`ffmpegInputUrl rejects ${url.replace(/:pw@/, ':…@')} as CAMERA_URL_INVALID without echoing it`, () => {
      assert.throws(() => ffmpegInputUrl(target(url)), (e) => isAppError(e, 'CAMERA_URL_INVALID') && !e.message.includes('pw'));
    });
  }
});

describe('ffmpegIngestArgs', () => {
  test('the argv copies the first video stream to fragmented MP4 on stdout with the camera input flags', () => {
    assert.deepEqual(ffmpegIngestArgs(target('rtsp://cam/s', 'u', 'p'), 1), [
      '-hide_banner', '-nostdin', '-loglevel', 'warning',
      '-rtsp_transport', 'tcp', '-timeout', '10000000',
      '-fflags', '+genpts+discardcorrupt', '-avoid_negative_ts', 'make_zero',
      '-i', 'rtsp://u:p@cam/s',
      '-map', '0:v:0', '-c', 'copy',
      '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof',
      '-frag_duration', '1000000',
      'pipe:1',
    ]);
  });

  const durations: [number, string][] = [[0.5, '500000'], [1, '1000000'], [2.25, '2250000'], [1 / 3, '333333']];
  for (const [seconds, micros] of durations) {
    test(`a fragment of ${seconds} s becomes -frag_duration ${micros}`, () => {
      const args = ffmpegIngestArgs(target('rtsp://cam/s'), seconds);
      assert.equal(args[args.indexOf('-frag_duration') + 1], micros);
    });
  }

  test('the only output is the stdout pipe, so ffmpeg never writes a file', () => {
    const args = ffmpegIngestArgs(target('rtsp://cam/s'), 1);
    assert.equal(args.at(-1), 'pipe:1');
    assert.equal(args.filter((a) => !a.startsWith('-') && /^(pipe:|\/|file:)/.test(a)).length, 1);
  });

  for (const bad of [0, -1, Number.NaN, 11]) {
    test(`a fragment duration of ${bad} s is refused`, () => {
      assert.throws(() => ffmpegIngestArgs(target('rtsp://cam/s'), bad), (e) => isAppError(e, 'VALIDATION_FAILED'));
    });
  }
});
