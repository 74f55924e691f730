import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cameraFromUri, pickInterleaved } from './rtsp-server.ts';

describe('camera addressing', () => {
  const cases: [string, number | undefined][] = [
    ['rtsp://127.0.0.1:8554/cam1', 1],
    ['rtsp://127.0.0.1:8554/cam3/', 3],
    ['rtsp://127.0.0.1:8554/cam3/trackID=0', 3],
    ['rtsp://user@[::1]:8554/cam2?x=1', 2],
    ['/cam2', 2],
    ['rtsp://127.0.0.1:8554/cam4', undefined],
    ['rtsp://127.0.0.1:8554/cam0', undefined],
    ['rtsp://127.0.0.1:8554/cam01', undefined],
    ['rtsp://127.0.0.1:8554/cam1/trackID=1', undefined],
    ['rtsp://127.0.0.1:8554/', undefined],
    ['rtsp://127.0.0.1:8554', undefined],
    ['*', undefined],
  ];
  for (const [uri, camera] of cases) {
    it(`maps ${uri} to ${camera === undefined ? 'no camera' : `camera ${camera}`} of 3`, () => {
      assert.equal(cameraFromUri(uri, 3), camera);
    });
  }
});

describe('transport negotiation', () => {
  const cases: [string | undefined, { rtp: number; rtcp: number } | undefined][] = [
    ['RTP/AVP/TCP;unicast;interleaved=0-1', { rtp: 0, rtcp: 1 }],
    ['RTP/AVP/TCP;interleaved=4', { rtp: 4, rtcp: 5 }],
    ['RTP/AVP;unicast;client_port=5000-5001,RTP/AVP/TCP;unicast;interleaved=2-3', { rtp: 2, rtcp: 3 }],
    ['RTP/AVP;unicast;client_port=5000-5001', undefined],
    ['RTP/AVP/TCP;multicast;interleaved=0-1', undefined],
    ['RTP/AVP/TCP;unicast', undefined],
    ['RTP/AVP/TCP;interleaved=256-257', undefined],
    [undefined, undefined],
  ];
  for (const [header, expected] of cases) {
    it(`${expected === undefined ? 'refuses' : 'accepts'} Transport: ${header ?? '(none)'}`, () => {
      assert.deepEqual(pickInterleaved(header), expected);
    });
  }
});
