/**
 * AAC round trip: a real AAC-LC stream (ffmpeg, ADTS) has its ADTS headers removed, is
 * packetized by the RFC 3640 AAC-hbr test packetizer (whole AUs grouped, large ones
 * fragmented) and depacketized. Real: ffmpeg's AAC encoder.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { AacDepacketizer, type AacFrame } from './aac-depacketizer.ts';
import { parseRtpPacket } from './rtp-packet.ts';
import { packetizeAac } from '../../../../test/helpers/rtp/aac-packetizer.ts';
import { makeAdtsStream } from '../../../../test/helpers/rtp/ffmpeg-streams.ts';
import { buildRtpPacket } from '../../../../test/helpers/rtp/rtp-builder.ts';

/** Raw AAC frames of an ADTS stream (ISO/IEC 14496-3 §1.A.2: 7-byte header, 9 with CRC). */
function adtsFrames(stream: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let offset = 0;
  while (offset + 7 <= stream.length) {
    assert.equal(stream.readUInt16BE(offset) & 0xfff6, 0xfff0, `ADTS sync at ${offset}`);
    const header = (stream[offset + 1]! & 1) === 1 ? 7 : 9;
    const length = ((stream[offset + 3]! & 3) << 11) | (stream[offset + 4]! << 3) | (stream[offset + 5]! >> 5);
    frames.push(stream.subarray(offset + header, offset + length));
    offset += length;
  }
  return frames;
}

let frames: Buffer[];

function roundTrip(maxPayload: number): { out: AacFrame[]; fragmented: number } {
  const payloads = packetizeAac(frames, maxPayload);
  const base = 0xffff_f000;
  const d = new AacDepacketizer();
  const out: AacFrame[] = [];
  payloads.forEach((p, i) => {
    const parsed = parseRtpPacket(buildRtpPacket({ sequence: (65_000 + i) & 0xffff, timestamp: (base + p.firstFrame * 1024) % 2 ** 32, marker: p.marker, payload: p.payload }));
    assert.ok(parsed.ok);
    out.push(...d.push(parsed.packet));
  });
  assert.equal(d.stats.malformedPackets + d.stats.droppedFrames, 0);
  out.forEach((f, i) => assert.equal(f.timestamp, base + i * 1024, `frame ${i} timestamp`));
  return { out, fragmented: payloads.filter((p) => !p.marker).length };
}

describe('AAC round trip with an RFC 3640 packetizer', () => {
  before(async () => {
    frames = adtsFrames(await makeAdtsStream({ seconds: 2, sampleRate: 48_000 }));
    assert.ok(frames.length >= 90, `${frames.length} AAC frames`);
  });

  it('yields every frame, in order and byte-identical, from packets of several AUs', () => {
    const { out } = roundTrip(1400);
    assert.equal(out.length, frames.length);
    out.forEach((f, i) => assert.ok(f.data.equals(frames[i]!), `frame ${i}`));
  });

  it('yields every frame when most AUs are fragmented', () => {
    const { out, fragmented } = roundTrip(64);
    assert.ok(fragmented > frames.length / 2, 'most frames were fragmented');
    assert.equal(out.length, frames.length);
    out.forEach((f, i) => assert.ok(f.data.equals(frames[i]!), `frame ${i}`));
  });
});
