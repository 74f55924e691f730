import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../../lib/errors.ts';
import { checkCameraUrl, controlUrl, presentationBase, redirectTarget, sameHost } from './rtsp-url.ts';

describe('RTSP URLs', () => {
  it('finds host and port, with the default ports 554 and 322 and IPv6 without brackets', () => {
    assert.deepEqual(checkCameraUrl('rtsp://cam.local/live'), { secure: false, host: 'cam.local', port: 554 });
    assert.deepEqual(checkCameraUrl('rtsps://[::1]:8322/x'), { secure: true, host: '::1', port: 8322 });
    assert.deepEqual(checkCameraUrl('RTSPS://10.0.0.2/x'), { secure: true, host: '10.0.0.2', port: 322 });
  });

  it('refuses credentials, fragments and other schemes without echoing the URL', () => {
    for (const bad of ['rtsp://admin:s3cret@cam/x', 'rtsp://cam/x#frag', 'http://cam/x', 'rtsp:///x', 'not a url']) {
      assert.throws(() => checkCameraUrl(bad), (e) => isAppError(e, 'VALIDATION_FAILED') && !e.message.includes('s3cret'), bad);
    }
  });

  it('takes Content-Base, else Content-Location, else the request URL as the base (RFC 2326 C.1.1)', () => {
    assert.equal(presentationBase('rtsp://h/a', 'rtsp://h/a/', 'rtsp://h/b/'), 'rtsp://h/a/');
    assert.equal(presentationBase('rtsp://h/a', undefined, 'rtsp://h/b/'), 'rtsp://h/b/');
    assert.equal(presentationBase('rtsp://h/a', '/c/', undefined), 'rtsp://h/c/');
    assert.equal(presentationBase('rtsp://h/a', 'http://h/x', 'garbage with spaces'), 'rtsp://h/a');
  });

  it('appends relative controls to the base as cameras expect, keeping a query', () => {
    assert.equal(controlUrl('rtsp://h:554/cam1/', 'trackID=0'), 'rtsp://h:554/cam1/trackID=0');
    assert.equal(controlUrl('rtsp://h/cam1', 'trackID=0'), 'rtsp://h/cam1/trackID=0');
    assert.equal(controlUrl('rtsp://h/cam/realmonitor?channel=1&subtype=0/', 'trackID=0'), 'rtsp://h/cam/realmonitor?channel=1&subtype=0/trackID=0');
    assert.equal(controlUrl('rtsp://h/cam1', '/track1'), 'rtsp://h/cam1/track1');
    assert.equal(controlUrl('rtsp://h/cam1/', '*'), 'rtsp://h/cam1/');
    assert.equal(controlUrl('rtsp://h/cam1/', undefined), 'rtsp://h/cam1/');
    assert.equal(controlUrl('rtsp://h/cam1/', 'rtsp://other/x/trackID=1'), 'rtsp://other/x/trackID=1');
  });

  it('refuses controls that would leak into the request line or hold credentials', () => {
    for (const bad of ['track 1', 'track\r\nX: y', 'http://h/x', 'rtsp://u:p@h/x']) {
      assert.throws(() => controlUrl('rtsp://h/', bad), (e) => isAppError(e, 'MEDIA_MALFORMED'), bad);
    }
  });

  it('resolves redirects, strips userinfo, and refuses a downgrade to plain rtsp', () => {
    assert.equal(redirectTarget('rtsp://h/a', '/b', 302), 'rtsp://h/b');
    assert.equal(redirectTarget('rtsp://h/a', 'rtsps://u:p@other:8322/c#x', 301), 'rtsps://other:8322/c');
    for (const bad of [undefined, '', 'http://h/x', 'rtsp:///x']) {
      assert.throws(() => redirectTarget('rtsp://h/a', bad, 302), (e) => isAppError(e, 'CAMERA_UNREACHABLE'), String(bad));
    }
    assert.throws(() => redirectTarget('rtsps://h/a', 'rtsp://h/a', 302), (e) => isAppError(e, 'CAMERA_UNREACHABLE') && /unencrypted/.test(e.message));
  });

  it('compares hosts case-insensitively whatever the port', () => {
    assert.ok(sameHost('rtsp://Cam.Local:554/a', 'rtsps://cam.local:322/b'));
    assert.ok(!sameHost('rtsp://127.0.0.1/a', 'rtsp://127.0.0.2/a'));
  });
});
