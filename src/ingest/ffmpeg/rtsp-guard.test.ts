import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../../lib/errors.ts';
import { createRtspGuard } from './rtsp-guard.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const text = (parts: Buffer[]): string => Buffer.concat(parts).toString('latin1');
/** Feeds `s` one byte at a time, returning everything forwarded, or the error thrown. */
function bytewise(push: (c: Buffer) => Buffer[], s: string): { out: string; error?: unknown } {
  const out: Buffer[] = [];
  try {
    for (const c of b(s)) out.push(...push(Buffer.from([c])));
  } catch (error) {
    return { out: text(out), error };
  }
  return { out: text(out) };
}

const basicRequest = 'DESCRIBE rtsp://127.0.0.1:5/s RTSP/1.0\r\nCSeq: 3\r\nAuthorization: Basic YWRtaW46cHc=\r\n\r\n';
const digestRequest = 'DESCRIBE rtsp://127.0.0.1:5/s RTSP/1.0\r\nCSeq: 3\r\nAuthorization: Digest username="admin", response="x"\r\n\r\n';

describe('the RTSP guard of the ffmpeg bridge', () => {
  test('forwards nothing of a request with Basic credentials over plain rtsp, however it is split', () => {
    const guard = createRtspGuard({ allowBasic: false });
    const r = bytewise((c) => guard.fromClient(c), `OPTIONS rtsp://h/s RTSP/1.0\r\nCSeq: 1\r\n\r\n${basicRequest}`);
    assert.ok(isAppError(r.error, 'CAMERA_UNREACHABLE'));
    assert.equal(r.out, 'OPTIONS rtsp://h/s RTSP/1.0\r\nCSeq: 1\r\n\r\n', 'only the request before it went out');
    assert.ok(!r.out.includes('YWRtaW46cHc='));
  });

  test('forwards Basic over TLS, and Digest over either', () => {
    assert.equal(text(createRtspGuard({ allowBasic: true }).fromClient(b(basicRequest))), basicRequest);
    assert.equal(text(createRtspGuard({ allowBasic: false }).fromClient(b(digestRequest))), digestRequest);
  });

  test('passes interleaved frames and bodies through whole, in order', () => {
    const guard = createRtspGuard({ allowBasic: false });
    const frame = Buffer.concat([Buffer.from([0x24, 1, 0, 4]), b('RTCP')]);
    const answer = 'RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Length: 5\r\n\r\nv=0\r\n';
    const stream = Buffer.concat([b(answer), frame, b('\r\n'), frame]);
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 3) out.push(...guard.fromCamera(stream.subarray(i, i + 3)).toClient);
    assert.deepEqual(Buffer.concat(out), Buffer.concat([b(answer), frame, frame]));
    assert.equal(guard.heardCamera(), true);
  });

  test('never forwards a redirect from the camera (ffmpeg would take the credentials along)', () => {
    const guard = createRtspGuard({ allowBasic: true });
    assert.throws(() => guard.fromCamera(b('RTSP/1.0 302 Moved\r\nCSeq: 1\r\nLocation: rtsp://elsewhere/x\r\n\r\n')), (e) => isAppError(e, 'CAMERA_UNREACHABLE') && e.detail?.failure === 'redirect');
  });

  const banners: [string, string | Buffer][] = [
    ['a NATS INFO line', 'INFO {"server_id":"NDX"}\r\n'],
    ['an HTTP answer', 'HTTP/1.1 400 Bad Request\r\nServer: x\r\n\r\n'],
    ['an SSH banner', 'SSH-2.0-OpenSSH_9.2\r\n'],
    ['a binary MySQL greeting', Buffer.from('4a0000000a382e302e3333', 'hex')],
  ];
  for (const [name, bytes] of banners) {
    test(`refuses ${name} from the camera as not RTSP, quoting none of it`, () => {
      const guard = createRtspGuard({ allowBasic: false });
      assert.throws(() => guard.fromCamera(typeof bytes === 'string' ? b(bytes) : bytes), (e) =>
        isAppError(e, 'CAMERA_UNREACHABLE') && e.detail?.failure === 'not-rtsp' && !/INFO|HTTP|SSH|8\.0/.test(e.message));
      assert.equal(guard.heardCamera(), false);
    });
  }
});
