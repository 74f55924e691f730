import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessUnit } from './h264-annexb.ts';
import type { FrameSink, RtpFrame } from './rtp-packetizer.ts';
import { packetizeLoop, packetizeNal, writeFrame } from './rtp-packetizer.ts';

/** Reassembles NAL units from RTP payloads per RFC 6184 (single NAL and FU-A only). */
function depacketize(payloads: Uint8Array[]): Buffer[] {
  const out: Buffer[] = [];
  let fu: Buffer[] = [];
  for (const p of payloads) {
    const type = (p[0] ?? 0) & 0x1f;
    if (type !== 28) {
      out.push(Buffer.from(p));
      continue;
    }
    const fuHeader = p[1] ?? 0;
    if (fuHeader & 0x80) fu = [Buffer.from([((p[0] ?? 0) & 0xe0) | (fuHeader & 0x1f)])];
    fu.push(Buffer.from(p.subarray(2)));
    if (fuHeader & 0x40) out.push(Buffer.concat(fu));
  }
  return out;
}

function nal(type: number, length: number, nri = 0x60): Uint8Array {
  const b = new Uint8Array(length);
  b[0] = nri | type;
  for (let i = 1; i < length; i += 1) b[i] = (i * 7) & 0xff;
  return b;
}

/** Records what writeFrame writes, as the concatenated byte stream. */
function recordingSink(): FrameSink & { bytes(): Buffer; corks: number } {
  const chunks: Uint8Array[] = [];
  const sink = {
    corks: 0,
    cork() { sink.corks += 1; },
    uncork() {},
    write(c: Uint8Array) { chunks.push(Buffer.from(c)); return true; },
    bytes: () => Buffer.concat(chunks),
  };
  return sink;
}

describe('RTP packetization of NAL units', () => {
  it('sends a NAL unit that fits as one single NAL unit packet', () => {
    const n = nal(1, 1400);
    const packets = packetizeNal(n, 1400);
    assert.equal(packets.length, 1);
    assert.deepEqual(packets[0], Buffer.from(n));
  });

  for (const length of [1401, 2797, 2798, 10_000, 150_001]) {
    it(`fragments a ${length}-byte NAL unit into FU-A packets that reassemble to the original`, () => {
      const n = nal(5, length);
      const packets = packetizeNal(n, 1400);
      assert.ok(packets.length > 1);
      for (const p of packets) assert.ok(p.length <= 1400);
      assert.equal(packets.filter((p) => ((p[1] ?? 0) & 0x80) !== 0).length, 1, 'one start bit');
      assert.equal(packets.filter((p) => ((p[1] ?? 0) & 0x40) !== 0).length, 1, 'one end bit');
      assert.ok(((packets[0]?.[1] ?? 0) & 0x80) !== 0 && ((packets.at(-1)?.[1] ?? 0) & 0x40) !== 0);
      for (const p of packets) assert.equal(p[0], 0x60 | 28, 'FU indicator keeps NRI, type 28');
      assert.deepEqual(depacketize(packets), [Buffer.from(n)]);
    });
  }
});

describe('loop packetization', () => {
  const units: AccessUnit[] = [
    { key: true, nals: [nal(9, 2), nal(7, 10), nal(8, 4), nal(5, 5000)] },
    { key: false, nals: [nal(9, 2), nal(1, 300)] },
  ];

  it('drops access unit delimiters and keeps every other NAL unit', () => {
    const loop = packetizeLoop(units, 25);
    assert.equal(loop.frames.length, 2);
    const types = depacketize(loop.frames[0]?.payloads ?? []).map((b) => (b[0] ?? 0) & 0x1f);
    assert.deepEqual(types, [7, 8, 5]);
    assert.equal(loop.frameTicks, 3600);
  });

  it('refuses a clip that does not start with a key frame', () => {
    assert.throws(() => packetizeLoop(units.slice(1), 25), /key frame/);
  });
});

describe('interleaved RTP frame writing', () => {
  const frame: RtpFrame = { key: true, firstSlice: 2, payloads: [Buffer.from([0x67, 1]), Buffer.from([0x68, 2, 3]), Buffer.from([0x65, 4, 5, 6])] };

  it('writes $-framed RTP packets with the marker bit only on the last packet of the access unit', () => {
    const sink = recordingSink();
    const state = { channel: 2, ssrc: 0xdeadbeef, seq: 0xfffe };
    writeFrame(sink, frame, state, 2 ** 32 + 90);
    const out = sink.bytes();
    let o = 0;
    const seen: { marker: boolean; seq: number; ts: number; ssrc: number; payload: string }[] = [];
    while (o < out.length) {
      assert.equal(out[o], 0x24);
      assert.equal(out[o + 1], 2);
      const len = out.readUInt16BE(o + 2);
      const rtp = out.subarray(o + 4, o + 4 + len);
      assert.equal(rtp[0], 0x80);
      assert.equal((rtp[1] ?? 0) & 0x7f, 96);
      seen.push({
        marker: ((rtp[1] ?? 0) & 0x80) !== 0, seq: rtp.readUInt16BE(2), ts: rtp.readUInt32BE(4),
        ssrc: rtp.readUInt32BE(8), payload: rtp.subarray(12).toString('hex'),
      });
      o += 4 + len;
    }
    assert.deepEqual(seen.map((s) => s.marker), [false, false, true]);
    assert.deepEqual(seen.map((s) => s.seq), [0xfffe, 0xffff, 0], 'sequence numbers wrap at 16 bits');
    assert.deepEqual(seen.map((s) => s.ts), [90, 90, 90], 'timestamp is taken modulo 2^32');
    assert.ok(seen.every((s) => s.ssrc === 0xdeadbeef));
    assert.deepEqual(seen.map((s) => s.payload), ['6701', '680203', '65040506']);
    assert.equal(state.seq, 1);
    assert.equal(sink.corks, 1, 'one cork per frame so the kernel gets one writev');
  });

  it('writes the shared payload buffers by reference, never a copy', () => {
    const written: Uint8Array[] = [];
    const sink: FrameSink = { cork() {}, uncork() {}, write: (c) => { written.push(c); return true; } };
    writeFrame(sink, frame, { channel: 0, ssrc: 1, seq: 0 }, 0);
    assert.equal(written[1], frame.payloads[0]);
    assert.equal(written[5], frame.payloads[2]);
  });
});
