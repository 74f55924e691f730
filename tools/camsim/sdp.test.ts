import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSdp } from './sdp.ts';

describe('SDP of a simulated camera', () => {
  const sdp = buildSdp({
    host: '127.0.0.1', sessionId: '42', name: 'cam1', fps: 25,
    parameterSets: { sps: Uint8Array.from([0x67, 0x64, 0x00, 0x1e, 0xac]), pps: Uint8Array.from([0x68, 0xef, 0x3c, 0xb0]) },
  });
  const lines = sdp.split('\r\n');

  it('describes one H.264 track on dynamic payload type 96 at 90 kHz', () => {
    assert.ok(lines.includes('m=video 0 RTP/AVP 96'));
    assert.ok(lines.includes('a=rtpmap:96 H264/90000'));
    assert.ok(lines.includes('a=control:trackID=0'));
    assert.ok(lines.includes('a=framerate:25'));
  });

  it('carries packetization mode, profile-level-id and base64 parameter sets in fmtp', () => {
    assert.ok(lines.includes('a=fmtp:96 packetization-mode=1;profile-level-id=64001e;sprop-parameter-sets=Z2QAHqw=,aO88sA=='));
  });

  it('announces the stream as live and not seekable', () => {
    assert.ok(lines.includes('a=range:npt=now-'));
    assert.ok(!sdp.includes('npt=0'));
  });

  it('starts with the version line and ends every line with CRLF', () => {
    assert.equal(lines[0], 'v=0');
    assert.ok(sdp.endsWith('\r\n'));
    assert.ok(!/[^\r]\n/.test(sdp));
    assert.ok(lines.includes('o=- 42 1 IN IP4 127.0.0.1'));
  });
});
