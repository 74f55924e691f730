import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ntpToUnixMs, ntpUnixOffsetSeconds, parseRtcpCompound, rtcpErrors, type RtcpError } from './rtcp-sr.ts';

/** One RTCP packet: header (V=2, `count`, `type`, length) and a body padded to 32-bit words. */
function rtcp(type: number, count: number, body: Buffer, padding = 0): Buffer {
  const total = 4 + body.length + padding;
  assert.equal(total % 4, 0, 'test packets are whole words');
  const out = Buffer.alloc(total);
  out[0] = 0x80 | (padding > 0 ? 0x20 : 0) | count;
  out[1] = type;
  out.writeUInt16BE(total / 4 - 1, 2);
  body.copy(out, 4);
  if (padding > 0) out[total - 1] = padding;
  return out;
}

function words(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

function sr(o: { ssrc: number; ntpSeconds: number; ntpFraction: number; rtp: number; packets?: number; octets?: number; blocks?: number }, padding = 0): Buffer {
  const blocks = o.blocks ?? 0;
  const body = Buffer.concat([words(o.ssrc, o.ntpSeconds, o.ntpFraction, o.rtp, o.packets ?? 0, o.octets ?? 0), Buffer.alloc(24 * blocks)]);
  return rtcp(200, blocks, body, padding);
}

/** SDES with one CNAME chunk (RFC 3550 §6.5), padded with nulls to a word boundary. */
function sdes(ssrc: number, cname: string): Buffer {
  const item = Buffer.concat([Buffer.of(1, cname.length), Buffer.from(cname, 'ascii')]);
  const chunk = Buffer.concat([words(ssrc), item]);
  const padded = Buffer.concat([chunk, Buffer.alloc(4 - (chunk.length % 4))]);
  return rtcp(202, 1, padded);
}

// 2024-01-01T00:00:00Z in NTP seconds.
const jan2024 = Date.UTC(2024, 0, 1) / 1000 + ntpUnixOffsetSeconds;

describe('RTCP sender reports (RFC 3550 §6.4.1)', () => {
  it('extracts the sender report of an SR + SDES compound packet', () => {
    const bytes = Buffer.concat([sr({ ssrc: 0xcafe_babe, ntpSeconds: jan2024, ntpFraction: 0x8000_0000, rtp: 0xffff_0000, packets: 77, octets: 99_000, blocks: 1 }), sdes(0xcafe_babe, 'camera-1')]);
    const result = parseRtcpCompound(bytes);
    assert.ok(result.ok);
    assert.deepEqual(result.packetTypes, [200, 202]);
    assert.deepEqual(result.senderReports, [
      { ssrc: 0xcafe_babe, ntpSeconds: jan2024, ntpFraction: 0x8000_0000, unixMs: Date.UTC(2024, 0, 1) + 500, rtpTimestamp: 0xffff_0000, packetCount: 77, octetCount: 99_000 },
    ]);
  });

  it('converts NTP time to Unix milliseconds exactly', () => {
    assert.equal(ntpToUnixMs(ntpUnixOffsetSeconds, 0), 0);
    assert.equal(ntpToUnixMs(jan2024, 0x4000_0000), Date.UTC(2024, 0, 1) + 250);
    assert.equal(ntpToUnixMs(jan2024 + 1, 0xc000_0000), Date.UTC(2024, 0, 1) + 1750);
    assert.equal(ntpToUnixMs(jan2024, 1), Date.UTC(2024, 0, 1) + 1000 / 2 ** 32);
  });

  it('reads NTP seconds with the top bit clear as era 1 (after February 2036)', () => {
    assert.equal(ntpToUnixMs(0, 0), Date.UTC(2036, 1, 7, 6, 28, 16));
    assert.equal(ntpToUnixMs(0xffff_ffff, 0), Date.UTC(2036, 1, 7, 6, 28, 15));
  });

  it('returns no sender report for a receiver report compound packet', () => {
    const result = parseRtcpCompound(Buffer.concat([rtcp(201, 0, words(5)), sdes(5, 'viewer')]));
    assert.deepEqual(result, { ok: true, senderReports: [], packetTypes: [201, 202] });
  });

  it('accepts padding on the last packet and a bare sender report', () => {
    const last = parseRtcpCompound(Buffer.concat([sr({ ssrc: 1, ntpSeconds: jan2024, ntpFraction: 0, rtp: 9 }), rtcp(203, 1, words(1), 8)]));
    assert.ok(last.ok);
    assert.equal(last.senderReports.length, 1);
    const bare = parseRtcpCompound(sr({ ssrc: 1, ntpSeconds: jan2024, ntpFraction: 0, rtp: 9 }, 4));
    assert.ok(bare.ok);
    assert.equal(bare.senderReports[0]?.rtpTimestamp, 9);
  });

  const good = sr({ ssrc: 1, ntpSeconds: jan2024, ntpFraction: 0, rtp: 0 });
  const withLength = (b: Buffer, words32: number): Buffer => {
    const c = Buffer.from(b);
    c.writeUInt16BE(words32, 2);
    return c;
  };
  const cases: { name: string; bytes: Buffer; error: RtcpError }[] = [
    { name: 'an empty buffer', bytes: Buffer.alloc(0), error: 'RTCP_TOO_SHORT' },
    { name: 'three stray bytes after the last packet', bytes: Buffer.concat([good, Buffer.of(0x80, 202, 0)]), error: 'RTCP_TOO_SHORT' },
    { name: 'version 1', bytes: Buffer.concat([Buffer.of(0x40), good.subarray(1)]), error: 'RTCP_BAD_VERSION' },
    { name: 'a second packet of version 0', bytes: Buffer.concat([good, Buffer.of(0x00, 202, 0, 0)]), error: 'RTCP_BAD_VERSION' },
    { name: 'a length past the end', bytes: withLength(good, 7), error: 'RTCP_LENGTH_OVERFLOW' },
    { name: 'a length of 0xffff', bytes: withLength(good, 0xffff), error: 'RTCP_LENGTH_OVERFLOW' },
    { name: 'an SDES first', bytes: Buffer.concat([sdes(1, 'x'), good]), error: 'RTCP_FIRST_NOT_REPORT' },
    { name: 'padding on the first of two packets', bytes: Buffer.concat([sr({ ssrc: 1, ntpSeconds: 1, ntpFraction: 0, rtp: 0 }, 4), sdes(1, 'x')]), error: 'RTCP_BAD_PADDING' },
    { name: 'a zero padding count', bytes: (() => { const b = Buffer.from(good); b[0] = 0xa0; b[b.length - 1] = 0; return b; })(), error: 'RTCP_BAD_PADDING' },
    { name: 'a padding count larger than the packet', bytes: (() => { const b = Buffer.from(good); b[0] = 0xa0; b[b.length - 1] = 200; return b; })(), error: 'RTCP_BAD_PADDING' },
    { name: 'a sender report too short for its sender info', bytes: withLength(good, 5).subarray(0, 24), error: 'RTCP_SR_TRUNCATED' },
    { name: 'a sender report missing its report block', bytes: (() => { const b = Buffer.from(good); b[0] = 0x81; return b; })(), error: 'RTCP_SR_TRUNCATED' },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with ${c.error}`, () => {
      assert.deepEqual(parseRtcpCompound(c.bytes), { ok: false, error: c.error });
      assert.ok(rtcpErrors[c.error].length > 10);
    });
  }
});
