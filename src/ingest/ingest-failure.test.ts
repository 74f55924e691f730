import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../lib/errors.ts';
import { classifyIngestFailure, connectFailure } from './ingest-failure.ts';

const err = (code: string, cause = 'x'): NodeJS.ErrnoException => Object.assign(new Error(cause), { code });
const unreachable = (message: string, detail?: Record<string, unknown>) => new AppError('CAMERA_UNREACHABLE', message, detail);

describe('classifyIngestFailure', () => {
  // [what happened, the error the ingest raised, the class, the text shown]
  const cases: [string, unknown, string, string | RegExp][] = [
    ['a closed port', connectFailure(err('ECONNREFUSED'), false, {}, 'connect'), 'refused', 'connection refused'],
    ['a filtered port', connectFailure(err('ETIMEDOUT'), false, {}, 'connect'), 'timeout', 'timed out connecting to the camera'],
    ['an unknown host', connectFailure(err('ENOTFOUND'), false, {}, 'connect'), 'unreachable', 'host not found or unreachable (ENOTFOUND)'],
    ['a certificate for other names (whose message quotes them)', connectFailure(err('ERR_TLS_CERT_ALTNAME_INVALID', "Host: evil. is not in the cert's altnames: DNS:secret.internal"), true, {}, 'connect'), 'tls', 'TLS certificate verification failed: the host name or IP is not in the certificate (ERR_TLS_CERT_ALTNAME_INVALID)'],
    ['TLS to a plain port', connectFailure(err('ERR_SSL_WRONG_VERSION_NUMBER'), true, {}, 'connect'), 'tls', 'TLS handshake with the camera failed (ERR_SSL_WRONG_VERSION_NUMBER)'],
    ['native: a banner before any RTSP', new AppError('MEDIA_MALFORMED', 'malformed status line (INFO {"server_id":"S"})', { failure: 'not-rtsp' }), 'not-rtsp', 'not an RTSP server'],
    ['native: a close before any RTSP', unreachable('camera closed the connection', { failure: 'not-rtsp' }), 'not-rtsp', 'not an RTSP server'],
    ['native: a native connect refusal', unreachable('cannot connect to the camera: ECONNREFUSED', { step: 'connect', code: 'ECONNREFUSED' }), 'refused', 'connection refused'],
    ['a refusal with a chatty reason phrase', unreachable('DESCRIBE refused: 404 Go away, I am nginx 1.2 on db-7', { step: 'DESCRIBE', status: 404 }), 'rejected', 'the camera refused DESCRIBE: 404 Not Found'],
    ['wrong credentials', unreachable('DESCRIBE refused: 401 Unauthorized (credentials rejected)', { step: 'DESCRIBE', status: 401 }), 'auth', 'authentication failed: credentials rejected'],
    ['Basic offered over plain rtsp', unreachable('OPTIONS refused: 401 Unauthorized (the camera offers only Basic authentication, which would send the password in clear over rtsp://; …)', { step: 'OPTIONS', status: 401 }), 'auth', /^authentication failed: the camera asks for Basic authentication over unencrypted rtsp:\/\//],
    ['a schemes list from the camera', unreachable('OPTIONS refused: 401 X (no supported authentication scheme (offered: evil-token))', { step: 'OPTIONS', status: 401 }), 'auth', 'authentication failed: no supported authentication scheme'],
    ['an unsupported codec named by the camera', unreachable("the camera's video cannot be ingested natively: x", { step: 'DESCRIBE', unsupportedCodec: 'JPEG\u001b[2J<script>' }), 'unsupported', "the camera's video codec JPEG??2J?script? cannot be read natively"],
    ['a request timeout', unreachable('PLAY got no answer within 10 s', { step: 'PLAY' }), 'timeout', 'PLAY got no answer (timed out)'],
    ['ffmpeg: Invalid data', unreachable('rtsp://127.0.0.1:5/x: Invalid data found when processing input', { exitCode: 1, signal: null }), 'not-rtsp', 'not an RTSP server'],
    ['ffmpeg: a refusal with the camera\'s phrase', unreachable('method DESCRIBE failed: 404 Secret Banner', { exitCode: 1, signal: null }), 'rejected', 'the camera refused DESCRIBE: 404 Not Found'],
    ['ffmpeg: 401', unreachable('rtsp://h/x: Server returned 401 Unauthorized (authorization failed)', { exitCode: 1, signal: null }), 'auth', 'authentication failed: 401 Unauthorized'],
    ['ffmpeg: anything else', unreachable('some line quoting the camera: SECRET', { exitCode: 1, signal: null }), 'ended', 'ffmpeg ended (exit code 1)'],
    ['our own storage failure', new AppError('STORAGE_FAILED', 'disk full'), 'internal', 'disk full'],
  ];
  for (const [name, error, kind, shown] of cases) {
    test(`${name}: ${kind}`, () => {
      const failure = classifyIngestFailure(error);
      assert.equal(failure.kind, kind);
      if (typeof shown === 'string') assert.equal(failure.text, shown);
      else assert.match(failure.text, shown);
    });
  }

  test('an unexpected error is scrubbed of the camera password', () => {
    assert.equal(classifyIngestFailure(new Error('failed with hunter2 in it'), ['hunter2']).text, 'internal error: failed with *** in it');
  });

  test('the RTSP status travels as a number beside the text, so callers never match "401" in words', () => {
    const native = classifyIngestFailure(unreachable('DESCRIBE got 401 Unauthorized', { step: 'DESCRIBE', status: 401 }));
    assert.deepEqual([native.kind, native.status], ['auth', 401]);
    const ffmpeg = classifyIngestFailure(unreachable('method DESCRIBE failed: 401 Unauthorized', { exitCode: 1 }));
    assert.deepEqual([ffmpeg.kind, ffmpeg.status], ['auth', 401]);
    const refused = classifyIngestFailure(unreachable('SETUP got 461', { step: 'SETUP', status: 461 }));
    assert.deepEqual([refused.kind, refused.status], ['rejected', 461]);
    assert.equal(classifyIngestFailure(connectFailure(err('ECONNREFUSED'), false, {}, 'connect')).status, undefined);
  });

  test('our own full disk is its own class, told by the error code, with the text unchanged', () => {
    const vault = classifyIngestFailure(new AppError('STORAGE_FAILED', 'segment store cannot create cam/a.mp4: ENOSPC', { key: 'cam/a.mp4', op: 'create', errno: 'ENOSPC' }));
    assert.deepEqual(vault, { kind: 'disk-full', text: 'segment store cannot create cam/a.mp4: ENOSPC' });
    const raw = classifyIngestFailure(err('ENOSPC', 'ENOSPC: no space left on device, write'));
    assert.deepEqual(raw, { kind: 'disk-full', text: 'internal error: ENOSPC: no space left on device, write' });
    assert.equal(classifyIngestFailure(new AppError('STORAGE_FAILED', 'segment store cannot read x: EIO', { errno: 'EIO' })).kind, 'internal');
  });
});
