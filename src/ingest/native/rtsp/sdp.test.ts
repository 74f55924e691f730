import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../../lib/errors.ts';
import { buildSdp } from '../../../../tools/camsim/sdp.ts';
import { parseSdp } from './sdp.ts';

const sps = Uint8Array.from([0x67, 0x64, 0x00, 0x1e, 0xac]);
const pps = Uint8Array.from([0x68, 0xef, 0x3c, 0xb0]);

/** In the style of a Hikvision camera: absolute controls, spaces after `;` in fmtp. */
const hikvision = [
  'v=0', 'o=- 1109162014219182 1109162014219192 IN IP4 192.0.2.10', 's=Media Presentation', 'e=NONE', 'b=AS:5050', 't=0 0',
  'a=control:rtsp://192.0.2.10:554/Streaming/Channels/101/?transportmode=unicast',
  'm=video 0 RTP/AVP 96', 'b=AS:5000', 'a=control:rtsp://192.0.2.10:554/Streaming/Channels/101/trackID=1?transportmode=unicast',
  'a=rtpmap:96 H264/90000', 'a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z01AHpY1QWQk,aO48gA==',
  'a=Media_header:MEDIAINFO=494D4B48010100000400000100000000;', 'a=appversion:1.0', '',
].join('\r\n');

/** H.265 with AAC audio, in the style of a Dahua camera (LF line ends). */
const h265WithAac = [
  'v=0', 'o=- 2251938210 2251938210 IN IP4 0.0.0.0', 's=Media Server', 'c=IN IP4 0.0.0.0', 't=0 0', 'a=control:*',
  'm=video 0 RTP/AVP 98', 'a=control:trackID=0', 'a=framerate:25.000000', 'a=rtpmap:98 H265/90000',
  'a=fmtp:98 profile-id=1;sprop-sps=QgEBAWAAAAMAsAAAAwAAAwBdoAKAgC0WNrkky/AIAAADAAgAAAMAyEA=;sprop-pps=RAHA8vA8kAA=;sprop-vps=QAEMAf//AWAAAAMAsAAAAwAAAwBdrAk=',
  'm=audio 0 RTP/AVP 97', 'a=control:trackID=1', 'a=rtpmap:97 MPEG4-GENERIC/16000/1',
  'a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1408',
].join('\n');

describe('SDP parsing', () => {
  it('reads camsim\'s description: H.264, payload type 96, 90 kHz, SPS and PPS, relative control', () => {
    const d = parseSdp(buildSdp({ host: '127.0.0.1', sessionId: '1', name: 'cam1', fps: 25, parameterSets: { sps, pps } }));
    assert.equal(d.sessionControl, '*');
    assert.ok(d.video?.codec === 'h264');
    assert.equal(d.video.payloadType, 96);
    assert.equal(d.video.clockRate, 90_000);
    assert.equal(d.video.control, 'trackID=0');
    assert.equal(d.video.packetizationMode, 1);
    assert.equal(d.video.profileLevelId, '64001e');
    assert.deepEqual(d.video.sps, [Buffer.from(sps)]);
    assert.deepEqual(d.video.pps, [Buffer.from(pps)]);
    assert.equal(d.audio, undefined);
    assert.deepEqual(d.warnings, []);
  });

  it('reads a Hikvision-style description with absolute controls and spaced fmtp parameters', () => {
    const d = parseSdp(Buffer.from(hikvision));
    assert.equal(d.sessionControl, 'rtsp://192.0.2.10:554/Streaming/Channels/101/?transportmode=unicast');
    assert.ok(d.video?.codec === 'h264');
    assert.equal(d.video.control, 'rtsp://192.0.2.10:554/Streaming/Channels/101/trackID=1?transportmode=unicast');
    assert.equal(d.video.profileLevelId, '420029');
    assert.equal(d.video.sps.length, 1);
    assert.equal(d.video.pps.length, 1);
  });

  it('reads H.265 parameter sets by type and AAC config, lengths and object type', () => {
    const d = parseSdp(h265WithAac);
    assert.ok(d.video?.codec === 'h265');
    assert.equal(d.video.payloadType, 98);
    assert.deepEqual([d.video.vps.length, d.video.sps.length, d.video.pps.length], [1, 1, 1]);
    assert.equal((d.video.vps[0]?.[0] ?? 0) >> 1, 32);
    assert.equal(d.video.profileId, 1);
    assert.equal(d.video.spropMaxDonDiff, 0);
    assert.ok(d.audio?.codec === 'aac');
    assert.equal(d.audio.clockRate, 16_000);
    assert.equal(d.audio.channels, 1);
    assert.deepEqual(d.audio.config, Buffer.from([0x14, 0x08]));
    assert.equal(d.audio.audioObjectType, 2);
    assert.deepEqual([d.audio.mode, d.audio.sizeLength, d.audio.indexLength, d.audio.indexDeltaLength], ['AAC-hbr', 13, 3, 3]);
    assert.equal(d.audio.control, 'trackID=1');
  });

  it('reports an MJPEG camera and G.711 audio as unsupported, by name, from static payload types', () => {
    const d = parseSdp('v=0\r\ns=x\r\nm=video 0 RTP/AVP 26\r\na=control:track1\r\nm=audio 0 RTP/AVP 8\r\n');
    assert.ok(d.video?.codec === 'unsupported');
    assert.equal(d.video.encoding, 'JPEG');
    assert.match(d.video.reason, /video codec JPEG is not supported/);
    assert.ok(d.audio?.codec === 'unsupported');
    assert.equal(d.audio.encoding, 'PCMA');
  });

  it('picks the first supported format of a section and the first supported section', () => {
    const d = parseSdp(['v=0', 'm=video 0 RTP/AVP 26', 'm=video 0 RTP/AVP 97 96', 'a=rtpmap:97 MP4V-ES/90000', 'a=rtpmap:96 H264/90000', ''].join('\n'));
    assert.ok(d.video?.codec === 'h264');
    assert.equal(d.video.payloadType, 96);
  });

  it('reports unusable parameters as unsupported: packetization-mode 5, AAC without config, MP4A-LATM', () => {
    assert.equal(parseSdp('v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\na=fmtp:96 packetization-mode=5\n').video?.codec, 'unsupported');
    const noConfig = parseSdp('v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\nm=audio 0 RTP/AVP 97\na=rtpmap:97 mpeg4-generic/48000/2\na=fmtp:97 mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3\n');
    assert.ok(noConfig.audio?.codec === 'unsupported');
    assert.match(noConfig.audio.reason, /config is missing/);
    const latm = parseSdp('v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\nm=audio 0 RTP/AVP 97\na=rtpmap:97 MP4A-LATM/48000/2\n');
    assert.ok(latm.audio?.codec === 'unsupported' && latm.audio.encoding === 'MP4A-LATM');
  });

  it('leaves out a bad parameter set or profile-level-id with a warning instead of failing', () => {
    const d = parseSdp('v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\na=fmtp:96 profile-level-id=zz;sprop-parameter-sets=Z2QAHqw,@@@,aO88sA==\nbogus line\n');
    assert.ok(d.video?.codec === 'h264');
    assert.equal(d.video.sps.length, 1, 'unpadded base64 is accepted');
    assert.equal(d.video.pps.length, 1);
    assert.equal(d.video.profileLevelId, '64001e', 'derived from the SPS');
    assert.equal(d.warnings.length, 3, d.warnings.join('; '));
  });

  it('drops an H.265 parameter set of the wrong NAL type with a warning and reads sprop-max-don-diff', () => {
    const d = parseSdp('v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H265/90000\na=fmtp:96 sprop-vps=QgEB;sprop-max-don-diff=2\n');
    assert.ok(d.video?.codec === 'h265');
    assert.deepEqual(d.video.vps, []);
    assert.equal(d.video.spropMaxDonDiff, 2);
    assert.match(d.warnings.join(), /sprop-vps holds a NAL unit that is not of type 32/);
  });

  const fatal: [string, string, RegExp][] = [
    ['binary data', 'v=0\r\n\u0000\u0001\u0002', /binary data/],
    ['no version line', 's=x\r\nm=video 0 RTP/AVP 96\r\n', /does not start with v=0/],
    ['no media section', 'v=0\r\ns=x\r\n', /no media section/],
    ['a broken media line', 'v=0\r\nm=video\r\n', /bad media line/],
    ['an HTML error page', '<html><body>404</body></html>', /does not start with v=0/],
  ];
  for (const [name, text, message] of fatal) {
    it(`refuses ${name} with MEDIA_MALFORMED`, () => {
      assert.throws(() => parseSdp(text), (e) => isAppError(e, 'MEDIA_MALFORMED') && message.test(e.message));
    });
  }
});
