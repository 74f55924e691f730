/**
 * Property and fuzz tests for every RTP-side parser: random bytes, truncations and single-byte
 * mutations of valid streams. Seeded: a failure names its seed, replay with CUSTOS_TEST_SEED.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom, testSeed, type SeededRandom } from '../../../../test/helpers/seeded-random.ts';
import { packetizeNal } from '../../../../tools/camsim/rtp-packetizer.ts';
import { AacDepacketizer } from './aac-depacketizer.ts';
import type { AccessUnitAssembler } from './access-unit-assembler.ts';
import { createH264Depacketizer, parseH264Payload } from './h264-depacketizer.ts';
import { createH265Depacketizer, parseH265Payload } from './h265-depacketizer.ts';
import { parseRtcpCompound } from './rtcp-sr.ts';
import { parseRtpPacket } from './rtp-packet.ts';
import { aacPayload, aacFragments } from '../../../../test/helpers/rtp/aac-packetizer.ts';
import { buildRtpPacket } from '../../../../test/helpers/rtp/rtp-builder.ts';

const seed = testSeed();
const cap = 64 * 1024; // small, so oversized access units happen under fuzzing too

function randomBytes(rng: SeededRandom, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i += 1) b[i] = rng.int(0, 256);
  return b;
}

function sized(nals: readonly Buffer[], headerBytes: Buffer): Buffer {
  const parts = [headerBytes];
  for (const n of nals) parts.push(Buffer.of(n.length >> 8, n.length & 0xff), n);
  return Buffer.concat(parts);
}

/** A valid H.264 stream: STAP-A parameter sets, FU-A and single NAL slices, a key frame every 5. */
function h264Stream(rng: SeededRandom, frames: number): Buffer[] {
  const packets: Buffer[] = [];
  let seq = rng.int(0, 0x10000);
  let ts = rng.int(0, 2 ** 32);
  for (let f = 0; f < frames; f += 1) {
    const key = f % 5 === 0;
    const slice = randomBytes(rng, rng.int(2, key ? 6000 : 1500));
    slice[0] = key ? 0x65 : 0x41;
    const payloads = key ? [sized([Buffer.of(0x67, 1, 2, 3), Buffer.of(0x68, 4)], Buffer.of(0x78)), ...packetizeNal(slice, 1000)] : packetizeNal(slice, 1000);
    payloads.forEach((payload, i) => packets.push(buildRtpPacket({ sequence: seq++, timestamp: ts, marker: i === payloads.length - 1, payload })));
    ts = (ts + 3600) % 2 ** 32;
  }
  return packets;
}

/** A valid H.265 stream: AP parameter sets, FU and single NAL slices, an IRAP every 5. */
function h265Stream(rng: SeededRandom, frames: number): Buffer[] {
  const packets: Buffer[] = [];
  let seq = rng.int(0, 0x10000);
  let ts = rng.int(0, 2 ** 32);
  for (let f = 0; f < frames; f += 1) {
    const key = f % 5 === 0;
    const slice = randomBytes(rng, rng.int(3, key ? 6000 : 1500));
    slice[0] = (key ? 19 : 1) << 1;
    slice[1] = 1;
    const payloads: Buffer[] = key ? [sized([Buffer.of(64, 1, 9), Buffer.of(66, 1, 9), Buffer.of(68, 1)], Buffer.of(96, 1))] : [];
    if (slice.length <= 1000) payloads.push(slice);
    else {
      for (let o = 2; o < slice.length; o += 997) {
        const end = Math.min(o + 997, slice.length);
        payloads.push(Buffer.concat([Buffer.of(98, 1, (o === 2 ? 0x80 : 0) | (end === slice.length ? 0x40 : 0) | (key ? 19 : 1)), slice.subarray(o, end)]));
      }
    }
    payloads.forEach((payload, i) => packets.push(buildRtpPacket({ sequence: seq++, timestamp: ts, marker: i === payloads.length - 1, payload })));
    ts = (ts + 3600) % 2 ** 32;
  }
  return packets;
}

/** A valid AAC stream: groups of whole AUs and some fragmented ones. */
function aacStream(rng: SeededRandom, packetsWanted: number): Buffer[] {
  const packets: Buffer[] = [];
  let seq = rng.int(0, 0x10000);
  let ts = rng.int(0, 2 ** 32);
  while (packets.length < packetsWanted) {
    if (rng.next() < 0.2) {
      const parts = aacFragments(randomBytes(rng, rng.int(1500, 4000)), 1000);
      parts.forEach((payload, i) => packets.push(buildRtpPacket({ sequence: seq++, timestamp: ts, marker: i === parts.length - 1, payload })));
      ts = (ts + 1024) % 2 ** 32;
    } else {
      const count = rng.int(1, 5);
      packets.push(buildRtpPacket({ sequence: seq++, timestamp: ts, marker: true, payload: aacPayload(Array.from({ length: count }, () => randomBytes(rng, rng.int(1, 300)))) }));
      ts = (ts + 1024 * count) % 2 ** 32;
    }
  }
  return packets;
}

/**
 * Feeds packets and checks the properties every video depacketizer MUST keep: no frame is
 * emitted by a packet that revealed a gap, the first frame after a gap (and after the start) is
 * a key frame, every frame has non-empty NAL units, and memory stays under the cap.
 */
function feedVideo(d: AccessUnitAssembler, packets: readonly Buffer[]): number {
  let needKey = true;
  let emitted = 0;
  for (const bytes of packets) {
    const parsed = parseRtpPacket(bytes);
    if (!parsed.ok) continue;
    const before = d.stats.discontinuities;
    const units = d.push(parsed.packet);
    const gap = d.stats.discontinuities > before;
    if (gap) assert.equal(units.length, 0, `seed ${seed}: a packet that revealed a gap emitted a frame`);
    for (const u of units) {
      if (needKey) assert.ok(u.keyframe, `seed ${seed}: a frame after a gap is not a key frame`);
      needKey = false;
      assert.ok(u.nalus.length > 0 && u.nalus.every((n) => n.length > 0), `seed ${seed}: empty NAL unit`);
      emitted += 1;
    }
    if (gap) needKey = true;
    assert.ok(d.bufferedBytes <= cap, `seed ${seed}: ${d.bufferedBytes} bytes buffered`);
  }
  d.flush();
  return emitted;
}

function feedAac(packets: readonly Buffer[]): void {
  const d = new AacDepacketizer();
  for (const bytes of packets) {
    const parsed = parseRtpPacket(bytes);
    if (parsed.ok) for (const f of d.push(parsed.packet)) assert.ok(f.data.length <= 8191, `seed ${seed}: AAC frame over 13-bit size`);
  }
}

function mutate(rng: SeededRandom, packets: readonly Buffer[]): Buffer[] {
  const copy = packets.map((p) => Buffer.from(p));
  const victim = copy[rng.int(0, copy.length)] as Buffer;
  victim[rng.int(0, victim.length)] = rng.int(0, 256);
  return copy;
}

describe(`RTP parser robustness (seed ${seed})`, () => {
  it('survives 5000 random buffers in every parser', () => {
    const rng = seededRandom(seed);
    const h264 = createH264Depacketizer({ maxAccessUnitBytes: cap });
    const h265 = createH265Depacketizer({ maxAccessUnitBytes: cap });
    const aac = new AacDepacketizer();
    let reached = 0;
    for (let i = 0; i < 5000; i += 1) {
      const bytes = randomBytes(rng, rng.next() < 0.9 ? rng.int(0, 200) : rng.int(0, 3000));
      if (bytes.length > 0 && rng.next() < 0.7) bytes[0] = ((bytes[0] as number) & 0x3f) | 0x80; // RTP version 2, to get past the first check
      parseRtcpCompound(bytes);
      parseH264Payload(bytes);
      parseH265Payload(bytes);
      const parsed = parseRtpPacket(bytes);
      if (!parsed.ok) continue;
      reached += 1;
      h264.push(parsed.packet);
      h265.push(parsed.packet);
      aac.push(parsed.packet);
      assert.ok(h264.bufferedBytes <= cap && h265.bufferedBytes <= cap);
    }
    assert.ok(reached > 1000, `only ${reached} buffers reached the depacketizers`);
  });

  it('handles every truncation of every packet of valid streams', () => {
    const rng = seededRandom(seed + 1);
    for (const [make, create] of [[h264Stream, createH264Depacketizer], [h265Stream, createH265Depacketizer]] as const) {
      const d = create({ maxAccessUnitBytes: cap });
      const aac = new AacDepacketizer();
      for (const packet of make(rng, 12).slice(0, 40)) {
        for (let n = 0; n <= packet.length; n += Math.max(1, Math.floor(packet.length / 50))) {
          const parsed = parseRtpPacket(packet.subarray(0, n));
          if (!parsed.ok) continue;
          d.push(parsed.packet);
          aac.push(parsed.packet);
        }
      }
    }
    const aac = new AacDepacketizer();
    for (const packet of aacStream(rng, 40)) {
      for (let n = 0; n <= packet.length; n += 1) {
        const parsed = parseRtpPacket(packet.subarray(0, n));
        if (parsed.ok) aac.push(parsed.packet);
      }
    }
  });

  it('emits every frame of an intact valid stream (the generators are sound)', () => {
    const rng = seededRandom(seed + 2);
    assert.equal(feedVideo(createH264Depacketizer({ maxAccessUnitBytes: cap }), h264Stream(rng, 30)), 30);
    assert.equal(feedVideo(createH265Depacketizer({ maxAccessUnitBytes: cap }), h265Stream(rng, 30)), 30);
  });

  it('keeps its properties over 2000 single-byte mutations of valid video streams', () => {
    const rng = seededRandom(seed + 3);
    const streams = [
      { make: createH264Depacketizer, packets: h264Stream(rng, 20) },
      { make: createH265Depacketizer, packets: h265Stream(rng, 20) },
    ];
    let emitted = 0;
    let withGap = 0;
    let dropped = 0;
    for (let i = 0; i < 2000; i += 1) {
      const s = streams[i % 2]!;
      const d = s.make({ maxAccessUnitBytes: cap });
      emitted += feedVideo(d, mutate(rng, s.packets));
      if (d.stats.discontinuities > 0) withGap += 1;
      if (d.stats.droppedAccessUnits > 0) dropped += 1;
    }
    // The properties are not vacuous: most frames still come out, and mutations do cause gaps.
    assert.ok(emitted > 2000 * 20 * 0.8, `seed ${seed}: only ${emitted} frames emitted`);
    assert.ok(withGap > 20 && dropped > 100, `seed ${seed}: ${withGap} streams with gaps, ${dropped} with drops`);
  });

  it('keeps its properties over 500 streams with random loss, duplication, truncation and mutation', () => {
    const rng = seededRandom(seed + 4);
    for (let i = 0; i < 500; i += 1) {
      const h265 = i % 2 === 1;
      const packets = h265 ? h265Stream(rng, 15) : h264Stream(rng, 15);
      const chaos: Buffer[] = [];
      for (const p of packets) {
        const roll = rng.next();
        if (roll < 0.05) continue; // lost
        if (roll < 0.08) chaos.push(p); // duplicated
        if (roll < 0.1) chaos.push(p.subarray(0, rng.int(0, p.length)));
        else if (roll < 0.12) chaos.push(mutate(rng, [p])[0]!);
        else chaos.push(p);
      }
      feedVideo((h265 ? createH265Depacketizer : createH264Depacketizer)({ maxAccessUnitBytes: cap }), chaos);
    }
  });

  it('survives 1000 single-byte mutations of a valid AAC stream', () => {
    const rng = seededRandom(seed + 5);
    const packets = aacStream(rng, 30);
    for (let i = 0; i < 1000; i += 1) feedAac(mutate(rng, packets));
  });

  it('survives 3000 single-byte mutations of a valid RTCP compound packet', () => {
    const rng = seededRandom(seed + 6);
    const sr = Buffer.alloc(52);
    sr.writeUInt32BE(0x81c8000c, 0); // V=2, RC=1, SR, length 12
    const sdes = Buffer.from('81ca000312345678010463616d310000', 'hex');
    const compound = Buffer.concat([sr, sdes]);
    assert.ok(parseRtcpCompound(compound).ok);
    for (let i = 0; i < 3000; i += 1) {
      const bytes = mutate(rng, [compound])[0]!;
      const result = parseRtcpCompound(rng.next() < 0.3 ? bytes.subarray(0, rng.int(0, bytes.length)) : bytes);
      if (result.ok) for (const r of result.senderReports) assert.ok(Number.isFinite(r.unixMs));
    }
  });
});
