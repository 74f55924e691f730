import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRtpPacket, rtpPacketErrors, type RtpPacketError } from './rtp-packet.ts';
import { buildRtpPacket } from '../../../../test/helpers/rtp/rtp-builder.ts';

const payload = Buffer.from('hello, camera');

describe('RTP packet parsing', () => {
  it('reads every field of a minimal packet and returns the payload as a view', () => {
    const bytes = buildRtpPacket({ sequence: 0xfffe, timestamp: 0xfedc_ba98, ssrc: 0xdead_beef, marker: true, payloadType: 97, payload });
    const result = parseRtpPacket(bytes);
    assert.ok(result.ok);
    const p = result.packet;
    assert.deepEqual(
      { marker: p.marker, payloadType: p.payloadType, sequence: p.sequence, timestamp: p.timestamp, ssrc: p.ssrc, csrcs: p.csrcs },
      { marker: true, payloadType: 97, sequence: 0xfffe, timestamp: 0xfedc_ba98, ssrc: 0xdead_beef, csrcs: [] },
    );
    assert.deepEqual(p.payload, payload);
    assert.equal(p.payload.buffer, bytes.buffer, 'payload shares the input memory');
  });

  it('skips CSRCs and a header extension, and strips padding', () => {
    const bytes = buildRtpPacket({ sequence: 1, timestamp: 2, csrcs: [7, 8, 0xffff_ffff], extension: Buffer.alloc(8, 0xaa), padding: 5, payload });
    const result = parseRtpPacket(bytes);
    assert.ok(result.ok);
    assert.deepEqual(result.packet.csrcs, [7, 8, 0xffff_ffff]);
    assert.deepEqual(result.packet.payload, payload);
    assert.equal(result.packet.marker, false);
  });

  it('accepts an empty payload and a packet that is all padding', () => {
    const empty = parseRtpPacket(buildRtpPacket({ sequence: 1, timestamp: 2, payload: Buffer.alloc(0) }));
    assert.ok(empty.ok);
    assert.equal(empty.packet.payload.length, 0);
    const padded = parseRtpPacket(buildRtpPacket({ sequence: 1, timestamp: 2, padding: 4, payload: Buffer.alloc(0) }));
    assert.ok(padded.ok);
    assert.equal(padded.packet.payload.length, 0);
  });

  const valid = buildRtpPacket({ sequence: 1, timestamp: 2, payload });
  const withCsrc = buildRtpPacket({ sequence: 1, timestamp: 2, csrcs: [1, 2], payload: Buffer.alloc(0) });
  const withExtension = buildRtpPacket({ sequence: 1, timestamp: 2, extension: Buffer.alloc(12), payload: Buffer.alloc(0) });
  const cases: { name: string; bytes: Buffer; error: RtpPacketError }[] = [
    { name: 'an empty buffer', bytes: Buffer.alloc(0), error: 'RTP_TOO_SHORT' },
    { name: 'an 11-byte header', bytes: valid.subarray(0, 11), error: 'RTP_TOO_SHORT' },
    { name: 'version 1', bytes: Buffer.concat([Buffer.of(0x40), valid.subarray(1)]), error: 'RTP_BAD_VERSION' },
    { name: 'version 3', bytes: Buffer.concat([Buffer.of(0xc0), valid.subarray(1)]), error: 'RTP_BAD_VERSION' },
    { name: 'a CSRC list cut short', bytes: withCsrc.subarray(0, 19), error: 'RTP_CSRC_TRUNCATED' },
    { name: 'an extension header cut short', bytes: withExtension.subarray(0, 14), error: 'RTP_EXTENSION_TRUNCATED' },
    { name: 'an extension body cut short', bytes: withExtension.subarray(0, 27), error: 'RTP_EXTENSION_TRUNCATED' },
    { name: 'a zero padding count', bytes: Buffer.concat([Buffer.of(0xa0), valid.subarray(1, valid.length - 1), Buffer.of(0)]), error: 'RTP_BAD_PADDING' },
    { name: 'a padding count past the header', bytes: Buffer.concat([Buffer.of(0xa0), valid.subarray(1, valid.length - 1), Buffer.of(payload.length + 1)]), error: 'RTP_BAD_PADDING' },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with ${c.error}`, () => {
      assert.deepEqual(parseRtpPacket(c.bytes), { ok: false, error: c.error });
    });
  }

  it('describes every error code', () => {
    for (const c of cases) assert.ok(rtpPacketErrors[c.error].length > 10);
  });

  it('never throws on any truncation of a packet with every optional part', () => {
    const full = buildRtpPacket({ sequence: 9, timestamp: 9, csrcs: [1, 2, 3], extension: Buffer.alloc(16, 1), padding: 3, payload });
    for (let n = 0; n <= full.length; n += 1) {
      const result = parseRtpPacket(full.subarray(0, n));
      if (result.ok) assert.ok(result.packet.payload.length <= n);
    }
  });
});
