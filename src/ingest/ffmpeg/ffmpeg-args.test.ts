import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../../lib/errors.ts';
import { bridgedUrl, ffmpegIngestArgs, ffmpegInputUrl, rtspsEndpoint } from './ffmpeg-args.ts';
import type { IngestTarget } from '../ingest.ts';

const target = (url: string, username: string | null = null, password: string | null = null): IngestTarget => ({
  cameraId: 'cam-1',
  url,
  username,
  password,
});

describe('ffmpegInputUrl', () => {
  const cases: [string, IngestTarget, string][] = [
    ['passes a URL without credentials through unchanged', target('rtsp://10.0.0.5:554/stream1'), 'rtsp://10.0.0.5:554/stream1'],
    ['never adds credentials (argv is readable by every local user)', target('rtsp://10.0.0.5/s', 'admin', 'secret'), 'rtsp://10.0.0.5/s'],
    ['keeps an rtsps URL as rtsps', target('rtsps://cam:322/s?x=1', 'u', 'p'), 'rtsps://cam:322/s?x=1'],
    ['keeps a host with no path', target('rtsp://cam', 'u', 'p'), 'rtsp://cam'],
    ['keeps an IPv6 host', target('rtsp://[::1]:8554/cam1', 'u', 'p'), 'rtsp://[::1]:8554/cam1'],
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
    assert.deepEqual(ffmpegIngestArgs(target('rtsp://cam/s'), 1), [
      '-hide_banner', '-nostdin', '-loglevel', 'warning',
      '-protocol_whitelist', 'tcp',
      '-rtsp_transport', 'tcp', '-timeout', '10000000',
      '-fflags', '+genpts+discardcorrupt', '-avoid_negative_ts', 'make_zero',
      '-i', 'rtsp://cam/s',
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

describe('ffmpegIngestArgs for rtsp and rtsps', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const withCa = (t: IngestTarget, tlsCaPem: string | null): IngestTarget => ({ ...t, tlsCaPem });
  const input = (args: string[]): string | undefined => args[args.indexOf('-i') + 1];
  // [name, target, bridge port, expected -i URL]
  const cases: [string, IngestTarget, number | undefined, string][] = [
    ['rtsp without credentials goes to ffmpeg as is', target('rtsp://cam/s'), undefined, 'rtsp://cam/s'],
    ['rtsp with credentials goes through the loopback bridge, which authenticates: no credential in argv', target('rtsp://cam:8554/s?x=1', 'u', 'p'), 40125, 'rtsp://127.0.0.1:40125/s?x=1'],
    ['rtsp with a user name only goes through the loopback bridge', target('rtsp://[::1]/s', 'viewer', null), 40126, 'rtsp://127.0.0.1:40126/s'],
    ['rtsp with a null CA goes to ffmpeg as is', withCa(target('rtsp://cam/s'), null), undefined, 'rtsp://cam/s'],
    ['rtsps without a CA goes through the loopback bridge as rtsp', target('rtsps://cam.example:322/s?x=1', 'u', 'p'), 40123, 'rtsp://127.0.0.1:40123/s?x=1'],
    ['rtsps with a CA goes through the loopback bridge as rtsp', withCa(target('rtsps://10.0.0.5/s'), pem), 40124, 'rtsp://127.0.0.1:40124/s'],
    ['rtsps with an IPv6 host goes through the loopback bridge', withCa(target('RTSPS://[fe80::1]:8322/cam1'), pem), 5, 'rtsp://127.0.0.1:5/cam1'],
  ];
  for (const [name, t, port, expected] of cases) {
    test(`ffmpegIngestArgs: ${name}`, () => {
      const args = ffmpegIngestArgs(t, 1, port);
      assert.equal(input(args), expected);
      // ffmpeg may open plain TCP only: never an unverified TLS connection (or a file) of its own.
      assert.equal(args[args.indexOf('-protocol_whitelist') + 1], 'tcp');
      assert.ok(args.indexOf('-protocol_whitelist') < args.indexOf('-i'));
      assert.ok(!args.some((a) => /tls|ca_file|rtsps/i.test(a)), 'no TLS option reaches ffmpeg, none would work');
    });
  }

  test('ffmpegIngestArgs refuses an rtsps target without a TLS bridge port, never falling back to unverified TLS', () => {
    assert.throws(() => ffmpegIngestArgs(target('rtsps://cam/s'), 1), (e) => isAppError(e, 'INTERNAL'));
  });

  test('ffmpegIngestArgs refuses an rtsp target with credentials without a bridge port, so ffmpeg never meets the camera unguarded', () => {
    assert.throws(() => ffmpegIngestArgs(target('rtsp://cam/s', 'u', 'p'), 1), (e) => isAppError(e, 'INTERNAL'));
  });

  test('ffmpegIngestArgs takes a plain rtsp target without credentials through the bridge when given one (network policy)', () => {
    const args = ffmpegIngestArgs(target('rtsp://cam/s'), 1, 4000);
    assert.equal(args[args.indexOf('-i') + 1], 'rtsp://127.0.0.1:4000/s');
  });

  test('ffmpegIngestArgs refuses a CA on a plain rtsp target as a configuration mistake', () => {
    assert.throws(() => ffmpegIngestArgs(withCa(target('rtsp://cam/s'), pem), 1), (e) => isAppError(e, 'CAMERA_URL_INVALID'));
  });

  test('ffmpegIngestArgs refuses an rtsps URL with userinfo even through the bridge', () => {
    assert.throws(() => ffmpegIngestArgs(target('rtsps://u:p@cam/s'), 1, 4000), (e) => isAppError(e, 'CAMERA_URL_INVALID'));
  });
});

describe('rtspsEndpoint and bridgedUrl', () => {
  const endpoints: [string, { host: string; port: number }][] = [
    ['rtsps://cam.example/s', { host: 'cam.example', port: 322 }],
    ['rtsps://10.0.0.5:8322/s', { host: '10.0.0.5', port: 8322 }],
    ['rtsps://[::1]:7000/cam1', { host: '::1', port: 7000 }],
    ['rtsps://[fe80::1]', { host: 'fe80::1', port: 322 }],
    ['RTSPS://Cam?x=1', { host: 'Cam', port: 322 }],
  ];
  for (const [url, expected] of endpoints) {
    test(`rtspsEndpoint finds ${expected.host} port ${expected.port} in ${url}`, () => assert.deepEqual(rtspsEndpoint(url), expected));
  }
  for (const url of ['rtsp://cam/s', 'rtsps://u:p@cam/s', 'rtsps:///s', 'rtsps://cam:0/s', 'rtsps://cam:99999/s', 'rtsps://[::1/s']) {
    test(`rtspsEndpoint refuses ${url} as CAMERA_URL_INVALID`, () => {
      assert.throws(() => rtspsEndpoint(url), (e) => isAppError(e, 'CAMERA_URL_INVALID') && !e.message.includes(':p@'));
    });
  }
  test('bridgedUrl keeps path and query and swaps scheme, host and port', () => {
    assert.equal(bridgedUrl('rtsps://cam:322/Streaming/Channels/101?transportmode=unicast', 5555),
      'rtsp://127.0.0.1:5555/Streaming/Channels/101?transportmode=unicast');
    assert.equal(bridgedUrl('rtsps://cam', 5555), 'rtsp://127.0.0.1:5555');
  });
});
