import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppError } from '../../lib/errors.ts';
import { createRtspGuard } from './rtsp-guard.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const text = (parts: Buffer[]): string => Buffer.concat(parts).toString('latin1');
const creds = { username: 'alice', password: 'p@ss word:1' };
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

const describeReq = (cseq: number): string => `DESCRIBE rtsp://127.0.0.1:5/s RTSP/1.0\r\nCSeq: ${cseq}\r\nAccept: application/sdp\r\n\r\n`;
const digest401 = (cseq: number, nonce: string, stale = false): string =>
  `RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Digest realm="cam", nonce="${nonce}"${stale ? ', stale=true' : ''}\r\n\r\n`;

/** The params of a Digest Authorization header in a request. */
function authParams(request: string): Map<string, string> {
  const line = /^Authorization: Digest (.*)$/m.exec(request)?.[1] ?? '';
  return new Map([...line.matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1]!, m[2]!]));
}

describe('the bridge authenticates for ffmpeg, which holds no credentials', () => {
  test('a 401 is not forwarded: the request goes again with a correct Digest answer, under ffmpeg\'s CSeq', () => {
    const guard = createRtspGuard({ allowBasic: false, credentials: creds });
    assert.equal(text(guard.fromClient(b(describeReq(2)))), describeReq(2), 'the first request goes as ffmpeg sent it');
    const out = guard.fromCamera(b(digest401(2, 'n1')));
    assert.deepEqual(out.toClient, [], 'ffmpeg never sees the challenge');
    const again = text(out.toCamera);
    assert.match(again, /^DESCRIBE rtsp:\/\/127\.0\.0\.1:5\/s RTSP\/1\.0\r\nAuthorization: Digest /);
    assert.match(again, /\r\nCSeq: 2\r\nAccept: application\/sdp\r\n\r\n$/);
    const p = authParams(again);
    const expected = md5(`${md5(`alice:cam:${creds.password}`)}:n1:${md5('DESCRIBE:rtsp://127.0.0.1:5/s')}`);
    assert.equal(p.get('response'), expected);
    assert.equal(p.get('username'), 'alice');
    assert.ok(!again.includes(creds.password));
    // The camera's answer to the signed request goes to ffmpeg.
    const ok = 'RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Length: 4\r\n\r\nv=0\n';
    assert.equal(text(guard.fromCamera(b(ok)).toClient), ok);
  });

  test('later requests are signed up front; a stale nonce is answered once more with the new one', () => {
    const guard = createRtspGuard({ allowBasic: false, credentials: creds });
    guard.fromClient(b(describeReq(2)));
    guard.fromCamera(b(digest401(2, 'n1')));
    const setup = text(guard.fromClient(b('SETUP rtsp://127.0.0.1:5/s/track1 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP/TCP;interleaved=0-1\r\n\r\n')));
    assert.equal(authParams(setup).get('nonce'), 'n1');
    const resent = text(guard.fromCamera(b(digest401(3, 'n2', true))).toCamera);
    assert.equal(authParams(resent).get('nonce'), 'n2');
    assert.match(resent, /^SETUP /);
  });

  test('a 401 to a request already signed is the camera refusing the credentials: the run ends as an auth failure', () => {
    const guard = createRtspGuard({ allowBasic: false, credentials: creds });
    guard.fromClient(b(describeReq(2)));
    guard.fromCamera(b(digest401(2, 'n1')));
    assert.throws(() => guard.fromCamera(b(digest401(2, 'n1'))), (e) => isAppError(e, 'CAMERA_UNREACHABLE') && e.detail?.failure === 'auth' && !e.message.includes(creds.password));
  });

  test('Basic is answered over TLS only; over rtsp:// it is refused without sending the password', () => {
    const basic401 = 'RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Basic realm="cam"\r\n\r\n';
    const plain = createRtspGuard({ allowBasic: false, credentials: creds });
    plain.fromClient(b(describeReq(2)));
    assert.throws(() => plain.fromCamera(b(basic401)), (e) => isAppError(e, 'CAMERA_UNREACHABLE') && e.detail?.why === 'basic-plaintext');
    const tls = createRtspGuard({ allowBasic: true, credentials: creds });
    tls.fromClient(b(describeReq(2)));
    const again = text(tls.fromCamera(b(basic401)).toCamera);
    assert.ok(again.includes(`Authorization: Basic ${Buffer.from(`alice:${creds.password}`).toString('base64')}\r\n`));
  });

  test('an Authorization sent by ffmpeg itself is dropped, and a 401 for a request never sent is refused', () => {
    const guard = createRtspGuard({ allowBasic: true, credentials: creds });
    const out = text(guard.fromClient(b('OPTIONS rtsp://h/s RTSP/1.0\r\nCSeq: 1\r\nAuthorization: Basic Zm9vOmJhcg==\r\n\r\n')));
    assert.ok(!out.includes('Authorization'));
    assert.throws(() => guard.fromCamera(b(digest401(9, 'n'))), (e) => isAppError(e, 'CAMERA_UNREACHABLE') && e.detail?.failure === 'auth');
  });

  test('without credentials the guard forwards a 401 to ffmpeg as before', () => {
    const guard = createRtspGuard({ allowBasic: false });
    guard.fromClient(b(describeReq(2)));
    assert.equal(text(guard.fromCamera(b(digest401(2, 'n1'))).toClient), digest401(2, 'n1'));
  });
});
