import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scrubText, scrubUrl } from './scrub-url.ts';

describe('scrubUrl', () => {
  const cases: [string, string, string][] = [
    ['removes user and password from an rtsp URL', 'rtsp://admin:secret@10.0.0.5/x', 'rtsp://***@10.0.0.5/x'],
    ['removes userinfo from rtsps, http and https URLs', 'rtsps://a:b@h:322/s http://u:p@h/ https://u:p@h', 'rtsps://***@h:322/s http://***@h/ https://***@h'],
    ['treats the scheme case-insensitively', 'RTSP://Admin:S3cret@cam/x', 'RTSP://***@cam/x'],
    ['removes a user name without a password', 'rtsp://admin@10.0.0.5/x', 'rtsp://***@10.0.0.5/x'],
    ['removes a percent-encoded password', 'rtsp://admin:p%40ss%3Aw%2Frd@cam:554/s', 'rtsp://***@cam:554/s'],
    ['removes a password holding an unencoded @', 'rtsp://admin:p@ss@cam/s', 'rtsp://***@cam/s'],
    ['finds URLs inside double and single quotes', `open "rtsp://a:b@h/x" and 'rtsp://c:d@h/y'`, `open "rtsp://***@h/x" and 'rtsp://***@h/y'`],
    ['finds a URL at the start of an ffmpeg error line', 'rtsp://admin:pw@127.0.0.1:1/x: Connection refused', 'rtsp://***@127.0.0.1:1/x: Connection refused'],
    ['finds a URL in JSON text', '{"url":"rtsp://a:b@h/x","n":1}', '{"url":"rtsp://***@h/x","n":1}'],
    ['leaves URLs without userinfo alone', 'rtsp://10.0.0.5:554/stream?x=a@b', 'rtsp://10.0.0.5:554/stream?x=a@b'],
    ['does not take an @ in the path for userinfo', 'http://host/path/a@b', 'http://host/path/a@b'],
    ['leaves e-mail addresses and plain text alone', 'mail ops@example.com now', 'mail ops@example.com now'],
    ['is idempotent', 'rtsp://***@h/x', 'rtsp://***@h/x'],
    ['scrubs every URL in a line', 'rtsp://a:b@h1/ then rtsp://c:d@h2/', 'rtsp://***@h1/ then rtsp://***@h2/'],
  ];
  for (const [name, input, expected] of cases) {
    test(`scrubUrl ${name}`, () => assert.equal(scrubUrl(input), expected));
  }
});

describe('scrubText', () => {
  const cases: [string, string, (string | null)[], string][] = [
    ['replaces a secret found outside any URL', 'auth failed for password hunter2', ['hunter2'], 'auth failed for password ***'],
    ['replaces the percent-encoded form of a secret', 'sent p%40ss%3A to camera', ['p@ss:'], 'sent *** to camera'],
    ['also scrubs URL userinfo', 'rtsp://u:hunter2@h/x said hunter2', ['hunter2'], 'rtsp://***@h/x said ***'],
    ['ignores null and empty secrets', 'nothing secret here', [null, ''], 'nothing secret here'],
    ['replaces the longer of two overlapping secrets first', 'abcdef', ['abc', 'abcdef'], '***'],
  ];
  for (const [name, input, secrets, expected] of cases) {
    test(`scrubText ${name}`, () => assert.equal(scrubText(input, secrets), expected));
  }
});
