/**
 * H.265 round trip: a real libx265 stream (made by ffmpeg inside the test) is packetized by a
 * small RFC 7798 packetizer written here, because camsim has no H.265 yet, then depacketized.
 * Real: ffmpeg/libx265. The packetizer is test code, written from the RFC, not from the
 * depacketizer.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { seededRandom, testSeed } from '../../../../test/helpers/seeded-random.ts';
import { splitNalUnits } from '../../../../tools/camsim/h264-annexb.ts';
import type { AccessUnit } from './access-unit-assembler.ts';
import { createH265Depacketizer, h265NalUnitType } from './h265-depacketizer.ts';
import { parseRtpPacket } from './rtp-packet.ts';
import { makeH265Stream } from '../../../../test/helpers/rtp/ffmpeg-streams.ts';
import { expectedOutcome } from '../../../../test/helpers/rtp/loss-oracle.ts';
import { buildRtpPacket } from '../../../../test/helpers/rtp/rtp-builder.ts';

const seed = testSeed();
const seconds = 3;
const fps = 25;
const maxPayload = 1200;
const aud = 35;

/** RFC 7798 §4.4.2 (no DONL): PayloadHdr with Type 48, F and LayerId as the units', lowest TID. */
function aggregationPacket(nals: readonly Buffer[]): Buffer {
  const f = nals.some((n) => (n[0]! & 0x80) !== 0) ? 0x80 : 0;
  const layerId = Math.min(...nals.map((n) => ((n[0]! & 1) << 5) | (n[1]! >> 3)));
  const tid = Math.min(...nals.map((n) => n[1]! & 7));
  const header = Buffer.of(f | (48 << 1) | (layerId >> 5), ((layerId & 0x1f) << 3) | tid);
  return Buffer.concat([header, ...nals.flatMap((n) => [Buffer.of(n.length >> 8, n.length & 0xff), n])]);
}

/** RFC 7798 §4.4.3 (no DONL): PayloadHdr with Type 49, FU header (S, E, FuType), then a fragment. */
function fragmentationUnits(nal: Buffer, max: number): Buffer[] {
  const type = h265NalUnitType(nal);
  const out: Buffer[] = [];
  const chunk = max - 3;
  for (let offset = 2; offset < nal.length; offset += chunk) {
    const end = Math.min(offset + chunk, nal.length);
    const fuHeader = (offset === 2 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
    out.push(Buffer.concat([Buffer.of((nal[0]! & 0x81) | (49 << 1), nal[1]!, fuHeader), nal.subarray(offset, end)]));
  }
  return out;
}

/** One access unit's payloads: small NAL units aggregated, large ones fragmented, the rest single. */
function packetizeAccessUnit(nals: readonly Buffer[], max: number): Buffer[] {
  const out: Buffer[] = [];
  let run: Buffer[] = [];
  const flush = (): void => {
    if (run.length === 1) out.push(run[0]!);
    else if (run.length > 1) out.push(aggregationPacket(run));
    run = [];
  };
  for (const nal of nals) {
    if (nal.length > max) {
      flush();
      out.push(...fragmentationUnits(nal, max));
      continue;
    }
    if (2 + run.reduce((s, n) => s + 2 + n.length, 0) + 2 + nal.length > max) flush();
    run.push(nal);
  }
  flush();
  return out;
}

interface Sent {
  nals: Buffer[];
  keyframe: boolean;
  payloads: Buffer[];
}

let frames: Sent[];

function rtpPackets(): Buffer[] {
  let seq = 65_530;
  return frames.flatMap((f, n) =>
    f.payloads.map((payload, i) => buildRtpPacket({ sequence: seq++ & 0xffff, timestamp: (0xffff_0000 + n * 3600) % 2 ** 32, marker: i === f.payloads.length - 1, payload })),
  );
}

function depacketize(packets: readonly Buffer[]): { units: AccessUnit[]; d: ReturnType<typeof createH265Depacketizer> } {
  const d = createH265Depacketizer();
  const units: AccessUnit[] = [];
  for (const bytes of packets) {
    const parsed = parseRtpPacket(bytes);
    assert.ok(parsed.ok);
    units.push(...d.push(parsed.packet));
  }
  d.flush();
  return { units, d };
}

function assertSameNals(actual: readonly Buffer[], expected: readonly Buffer[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: NAL unit count`);
  actual.forEach((nal, i) => assert.ok(nal.equals(expected[i]!), `${what}: NAL unit ${i} differs`));
}

describe('H.265 round trip with an RFC 7798 packetizer', () => {
  before(async () => {
    const stream = await makeH265Stream({ seconds, keyint: 10 });
    // Access unit delimiters (x265 aud=1) start each access unit (H.265 §7.4.2.4.4).
    frames = [];
    for (const view of splitNalUnits(stream)) {
      const nal = Buffer.from(view);
      if (h265NalUnitType(nal) === aud || frames.length === 0) frames.push({ nals: [], keyframe: false, payloads: [] });
      const frame = frames[frames.length - 1]!;
      frame.nals.push(nal);
      const type = h265NalUnitType(nal);
      if (type >= 16 && type <= 23) frame.keyframe = true;
    }
    for (const f of frames) f.payloads = packetizeAccessUnit(f.nals, maxPayload);
  });

  it('packetizes the stream with every packet kind', () => {
    const types = new Set(frames.flatMap((f) => f.payloads.map((p) => h265NalUnitType(p))));
    assert.ok(types.has(48) && types.has(49), 'aggregation and fragmentation packets');
    assert.ok([...types].some((t) => t < 48), 'single NAL unit packets');
    assert.equal(frames.length, seconds * fps);
  });

  it('yields exactly one access unit per frame with identical NAL units and IRAP key frames', () => {
    const { units, d } = depacketize(rtpPackets());
    assert.equal(units.length, seconds * fps);
    units.forEach((u, i) => {
      assertSameNals(u.nalus, frames[i]!.nals, `frame ${i}`);
      assert.equal(u.keyframe, frames[i]!.keyframe, `frame ${i} key flag`);
      assert.equal(u.timestamp, 0xffff_0000 + i * 3600, `frame ${i} timestamp`);
    });
    assert.equal(units.filter((u) => u.keyframe).length, Math.ceil((seconds * fps) / 10));
    assert.ok(units[0]!.parameterSets.vps !== undefined && units[0]!.parameterSets.sps !== undefined && units[0]!.parameterSets.pps !== undefined);
    assert.equal(d.stats.droppedAccessUnits + d.stats.lostPackets + d.stats.malformedPackets, 0);
  });

  for (const [k, rate] of [0.01, 0.04].entries()) {
    it(`under ${rate * 100} % random loss, emits exactly the complete frames left, from IRAPs on, with exact counts (seed ${seed})`, () => {
      const rng = seededRandom(seed + 100 + k);
      const packets = rtpPackets();
      const lost = new Set<number>();
      for (let i = 1; i < packets.length; i += 1) if (rng.next() < rate) lost.add(i);
      const expected = expectedOutcome(frames.map((f) => ({ packets: f.payloads.length, keyframe: f.keyframe })), lost);
      const { units, d } = depacketize(packets.filter((_, i) => !lost.has(i)));
      assert.deepEqual(units.map((u) => (u.timestamp - 0xffff_0000) / 3600), expected.emitted);
      units.forEach((u, i) => {
        assertSameNals(u.nalus, frames[expected.emitted[i]!]!.nals, `emitted frame ${expected.emitted[i]}`);
        if (i === 0 || expected.emitted[i]! !== expected.emitted[i - 1]! + 1) assert.ok(u.keyframe, 'a frame after a loss is an IRAP');
      });
      assert.equal(d.stats.lostPackets, expected.lostPackets);
      assert.equal(d.stats.droppedAccessUnits, expected.droppedAccessUnits);
    });
  }
});
