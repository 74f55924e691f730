import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packetizeNal } from '../../../../tools/camsim/rtp-packetizer.ts';
import { type AccessUnit, type AccessUnitAssembler } from './access-unit-assembler.ts';
import { createH264Depacketizer, parseH264Payload } from './h264-depacketizer.ts';
import { rtpPacket } from '../../../../test/helpers/rtp/rtp-builder.ts';

/** An H.264 NAL unit of `type` (NRI 3) and `length` bytes with a recognizable body. */
function nal(type: number, length = 20, seed = type): Buffer {
  const b = Buffer.alloc(length);
  b[0] = 0x60 | type;
  for (let i = 1; i < length; i += 1) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

function stapA(...nals: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.of(0x78)]; // NRI 3, type 24
  for (const n of nals) {
    const size = Buffer.alloc(2);
    size.writeUInt16BE(n.length);
    parts.push(size, n);
  }
  return Buffer.concat(parts);
}

/** Sends RTP packets with consecutive sequence numbers from one source. */
class Sender {
  seq: number;
  readonly ssrc: number;
  constructor(seq = 1000, ssrc = 0x11223344) {
    this.seq = seq;
    this.ssrc = ssrc;
  }

  /** The packets of one access unit: the marker on the last unless `marker` is false. */
  frame(timestamp: number, payloads: readonly Buffer[], marker = true): ReturnType<typeof rtpPacket>[] {
    return payloads.map((payload, i) =>
      rtpPacket({ sequence: this.seq++, timestamp, ssrc: this.ssrc, marker: marker && i === payloads.length - 1, payload }),
    );
  }
}

function pushAll(d: AccessUnitAssembler, packets: readonly ReturnType<typeof rtpPacket>[]): AccessUnit[] {
  return packets.flatMap((p) => d.push(p));
}

const sps = nal(7, 12);
const pps = nal(8, 5);
const idr = nal(5, 3000);
const slice = nal(1, 800);

describe('H.264 depacketization (RFC 6184)', () => {
  it('emits one access unit per marker bit with its NAL units, key frame flag and parameter sets', () => {
    const d = createH264Depacketizer();
    const s = new Sender();
    const units = pushAll(d, [...s.frame(90_000, [sps, pps, idr]), ...s.frame(93_600, [slice])]);
    assert.equal(units.length, 2);
    assert.deepEqual(units[0], { timestamp: 90_000, nalus: [sps, pps, idr], keyframe: true, parameterSets: { sps, pps } });
    assert.deepEqual(units[1], { timestamp: 93_600, nalus: [slice], keyframe: false, parameterSets: {} });
    assert.equal(d.stats.accessUnits, 2);
    assert.equal(d.stats.droppedAccessUnits, 0);
  });

  it('splits STAP-A aggregates and joins FU-A fragments', () => {
    const d = createH264Depacketizer();
    const s = new Sender();
    const fragments = packetizeNal(idr, 700);
    assert.ok(fragments.length > 3);
    const units = pushAll(d, s.frame(0, [stapA(sps, pps), ...fragments]));
    assert.equal(units.length, 1);
    assert.deepEqual(units[0]?.nalus, [sps, pps, idr]);
    assert.equal(units[0]?.keyframe, true);
  });

  it('ends an access unit when the timestamp changes even without a marker bit', () => {
    const d = createH264Depacketizer();
    const s = new Sender();
    const first = pushAll(d, s.frame(0, [sps, pps, idr], false));
    assert.equal(first.length, 0);
    const second = pushAll(d, s.frame(3600, [slice], false));
    assert.deepEqual(second.map((u) => u.timestamp), [0]);
    const third = pushAll(d, s.frame(7200, [slice]));
    assert.deepEqual(third.map((u) => u.timestamp), [3600, 7200], 'one packet can complete two access units');
  });

  it('drops access units until the first key frame and counts them', () => {
    const d = createH264Depacketizer();
    const s = new Sender();
    const units = pushAll(d, [...s.frame(0, [slice]), ...s.frame(3600, [slice]), ...s.frame(7200, [sps, pps, idr]), ...s.frame(10_800, [slice])]);
    assert.deepEqual(units.map((u) => u.timestamp), [7200, 10_800]);
    assert.equal(d.stats.droppedAccessUnits, 2);
  });

  it('drops a frame with a lost packet and every frame until the next key frame, counting both', () => {
    const d = createH264Depacketizer();
    const s = new Sender();
    const packets = [
      ...s.frame(0, [sps, pps, ...packetizeNal(idr, 1000)]),
      ...s.frame(3600, packetizeNal(nal(1, 2500), 1000)),
      ...s.frame(7200, [slice]),
      ...s.frame(10_800, [sps, pps, idr]),
    ];
    const lostIndex = 3 + 3 + 1; // the middle fragment of the second frame
    const units = pushAll(d, packets.filter((_, i) => i !== lostIndex));
    assert.deepEqual(units.map((u) => u.timestamp), [0, 10_800]);
    assert.equal(d.stats.lostPackets, 1);
    assert.equal(d.stats.discontinuities, 1);
    assert.equal(d.stats.droppedAccessUnits, 2);
  });

  it('drops a frame whose marker packet was lost, and the frame after the gap', () => {
    const d = createH264Depacketizer();
    const s = new Sender();
    const packets = [...s.frame(0, [sps, pps, idr]), ...s.frame(3600, [sps, pps, idr]), ...s.frame(7200, [sps, pps, idr])];
    const units = pushAll(d, packets.filter((_, i) => i !== 2));
    assert.deepEqual(units.map((u) => u.timestamp), [7200]);
    assert.equal(d.stats.droppedAccessUnits, 2);
  });

  it('treats an FU-A missing its start as a broken frame', () => {
    const d = createH264Depacketizer();
    const s = new Sender();
    const fragments = packetizeNal(idr, 700);
    const units = pushAll(d, [...s.frame(0, fragments.slice(1)), ...s.frame(3600, [sps, pps, idr])]);
    assert.deepEqual(units.map((u) => u.timestamp), [3600]);
    assert.equal(d.stats.brokenFragments, 1);
    assert.equal(d.stats.lostPackets, 0);
  });

  for (const [name, tail] of [
    ['a whole NAL unit', [slice]],
    ['a new FU-A start', packetizeNal(idr, 700)],
    ['the marker bit', []],
  ] as const) {
    it(`treats an FU-A interrupted by ${name} as a broken frame`, () => {
      const d = createH264Depacketizer();
      const s = new Sender();
      const open = packetizeNal(idr, 700).slice(0, 2);
      const units = pushAll(d, [...s.frame(0, [...open, ...tail]), ...s.frame(3600, [sps, pps, idr])]);
      assert.deepEqual(units.map((u) => u.timestamp), [3600]);
      assert.equal(d.stats.brokenFragments, 1);
    });
  }

  for (const [name, type] of [['STAP-B', 25], ['MTAP16', 26], ['MTAP24', 27], ['FU-B', 29]] as const) {
    it(`counts ${name} as unsupported and drops its access unit`, () => {
      const d = createH264Depacketizer();
      const s = new Sender();
      const units = pushAll(d, [...s.frame(0, [sps, pps, Buffer.of(0x60 | type, 0, 0, 0), idr]), ...s.frame(3600, [sps, pps, idr])]);
      assert.deepEqual(units.map((u) => u.timestamp), [3600]);
      assert.equal(d.stats.unsupportedPackets, 1);
      assert.equal(d.stats.droppedAccessUnits, 1);
    });
  }

  it('ignores reserved types 0, 30 and 31 and empty payloads without breaking the access unit', () => {
    const d = createH264Depacketizer();
    const s = new Sender();
    const units = pushAll(d, s.frame(0, [sps, Buffer.of(0x00, 1), Buffer.of(0x1e, 1), Buffer.alloc(0), pps, Buffer.of(0x1f), idr]));
    assert.deepEqual(units[0]?.nalus, [sps, pps, idr]);
    assert.equal(d.stats.ignoredPackets, 4);
  });

  const malformed: [string, Buffer][] = [
    ['a STAP-A with no NAL unit', Buffer.of(0x78)],
    ['a STAP-A with a zero size', Buffer.of(0x78, 0, 0)],
    ['a STAP-A whose size overruns the payload', Buffer.of(0x78, 0, 5, 0x67, 1, 2)],
    ['a STAP-A with a dangling size byte', Buffer.concat([stapA(sps), Buffer.of(0)])],
    ['an FU-A without an FU header', Buffer.of(0x7c)],
    ['an FU-A carrying a fragment of type 24', Buffer.of(0x7c, 0x98, 1, 2)],
    ['an FU-A carrying a fragment of type 0', Buffer.of(0x7c, 0x80, 1, 2)],
  ];
  for (const [name, payload] of malformed) {
    it(`rejects ${name} as malformed`, () => {
      assert.deepEqual(parseH264Payload(payload), { kind: 'malformed' });
      const d = createH264Depacketizer();
      const s = new Sender();
      const units = pushAll(d, [...s.frame(0, [sps, pps, payload, idr]), ...s.frame(3600, [sps, pps, idr])]);
      assert.deepEqual(units.map((u) => u.timestamp), [3600]);
      assert.equal(d.stats.malformedPackets, 1);
    });
  }

  it('reassembles a 10 MB NAL unit from FU-A fragments byte for byte', () => {
    const big = Buffer.allocUnsafe(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 1) big[i] = (i * 2654435761) >>> 24;
    big[0] = 0x65;
    const d = createH264Depacketizer();
    const s = new Sender();
    const packets = s.frame(0, [sps, pps, ...packetizeNal(big, 1400)]);
    let peak = 0;
    const units: AccessUnit[] = [];
    for (const p of packets) {
      units.push(...d.push(p));
      peak = Math.max(peak, d.bufferedBytes);
    }
    assert.equal(units.length, 1);
    assert.equal(units[0]?.nalus.length, 3);
    assert.ok(units[0]?.nalus[2]?.equals(big), 'the NAL unit is byte-identical');
    assert.ok(peak <= 16 * 1024 * 1024);
  });

  it('drops a 20 MB access unit under a 16 MiB cap, counts it and never holds more than the cap', () => {
    const cap = 16 * 1024 * 1024;
    const big = Buffer.alloc(20 * 1024 * 1024, 0x5a);
    big[0] = 0x65;
    const d = createH264Depacketizer({ maxAccessUnitBytes: cap });
    const s = new Sender();
    let peak = 0;
    const units: AccessUnit[] = [];
    for (const p of [...s.frame(0, packetizeNal(big, 1400)), ...s.frame(3600, [sps, pps, idr])]) {
      units.push(...d.push(p));
      peak = Math.max(peak, d.bufferedBytes);
    }
    assert.deepEqual(units.map((u) => u.timestamp), [3600], 'the next key frame is emitted');
    assert.equal(d.stats.oversizedAccessUnits, 1);
    assert.equal(d.stats.droppedAccessUnits, 1);
    assert.ok(peak <= cap, `held ${peak} bytes`);
  });

  it('hands out NAL units that do not share memory with the packets', () => {
    const d = createH264Depacketizer();
    const s = new Sender();
    const packets = s.frame(0, [stapA(sps, pps), idr]);
    const units = pushAll(d, packets);
    for (const p of packets) p.payload.fill(0);
    assert.deepEqual(units[0]?.nalus, [sps, pps, idr]);
  });

  it('ignores a duplicated packet', () => {
    const d = createH264Depacketizer();
    const s = new Sender();
    const packets = s.frame(0, [sps, pps, idr]);
    const units = pushAll(d, [packets[0]!, packets[0]!, packets[1]!, packets[2]!]);
    assert.deepEqual(units[0]?.nalus, [sps, pps, idr]);
    assert.equal(d.stats.duplicatePackets, 1);
  });

  it('treats a new SSRC as a discontinuity and waits for a key frame', () => {
    const d = createH264Depacketizer();
    const a = new Sender(100, 1);
    const b = new Sender(101, 2);
    const units = pushAll(d, [...a.frame(0, [sps, pps, idr]), ...b.frame(3600, [slice]), ...b.frame(7200, [sps, pps, idr])]);
    assert.deepEqual(units.map((u) => u.timestamp), [0, 7200]);
    assert.equal(d.stats.discontinuities, 1);
  });

  it('extends timestamps across the 32-bit wrap', () => {
    const d = createH264Depacketizer();
    const s = new Sender(65534);
    const start = 2 ** 32 - 3600;
    const units = pushAll(d, [...s.frame(start, [sps, pps, idr]), ...s.frame(0, [slice]), ...s.frame(3600, [slice])]);
    assert.deepEqual(units.map((u) => u.timestamp), [start, 2 ** 32, 2 ** 32 + 3600]);
  });

  it('drops the access unit left open at the end of the stream', () => {
    const d = createH264Depacketizer();
    const s = new Sender();
    pushAll(d, [...s.frame(0, [sps, pps, idr]), ...s.frame(3600, [slice], false)]);
    d.flush();
    assert.equal(d.stats.accessUnits, 1);
    assert.equal(d.stats.droppedAccessUnits, 1);
    assert.equal(d.bufferedBytes, 0);
  });
});

describe('H.264 depacketization into reused slab memory', () => {
  /** Ten frames, key frames at 0 and 5: SPS, PPS and an IDR, or one or two slices; FU-A at 700 bytes, STAP-A for the parameter sets of frame 5. */
  const frames = Array.from({ length: 10 }, (_, k) => {
    const key = k === 0 || k === 5;
    const nalus = key ? [nal(7, 12, k), nal(8, 5, k), nal(5, 1500 + 997 * k, k)] : k % 3 === 0 ? [nal(1, 400 + 53 * k, k), nal(1, 2100, k + 50)] : [nal(1, 200 + 811 * k, k)];
    return { timestamp: 3600 * k, nalus, payloads: k === 5 ? [stapA(nalus[0] as Buffer, nalus[1] as Buffer), ...packetizeNal(nalus[2] as Buffer, 700)] : nalus.flatMap((n) => packetizeNal(n, 700)) };
  });
  const stream = (): ReturnType<typeof rtpPacket>[] => {
    const s = new Sender();
    return frames.flatMap((f) => s.frame(f.timestamp, f.payloads));
  };
  /** Index in the stream of frame `k`'s packet `i` (negative: from the end of the frame). */
  const at = (k: number, i: number): number => {
    const start = frames.slice(0, k).reduce((n, f) => n + f.payloads.length, 0);
    return i >= 0 ? start + i : start + (frames[k] as (typeof frames)[number]).payloads.length + i;
  };
  const cases: { name: string; edit: (p: ReturnType<typeof rtpPacket>[]) => ReturnType<typeof rtpPacket>[]; frames: number[] }[] = [
    { name: 'in order', edit: (p) => p, frames: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
    { name: 'a lost middle FU-A packet', edit: (p) => p.filter((_, i) => i !== at(2, 1)), frames: [0, 1, 5, 6, 7, 8, 9] },
    { name: 'a lost FU-A end (marker) packet', edit: (p) => p.filter((_, i) => i !== at(7, -1)), frames: [0, 1, 2, 3, 4, 5, 6] },
    { name: 'a lost FU-A start packet of a key frame', edit: (p) => p.filter((_, i) => i !== at(5, 1)), frames: [0, 1, 2, 3, 4] },
    { name: 'two FU-A packets interleaved (swapped)', edit: (p) => p.map((x, i) => (i === at(3, 1) ? p[at(3, 2)] : i === at(3, 2) ? p[at(3, 1)] : x) as ReturnType<typeof rtpPacket>), frames: [0, 1, 2, 5, 6, 7, 8, 9] },
    { name: 'a duplicated FU-A packet', edit: (p) => [...p.slice(0, at(6, 1) + 1), p[at(6, 1)] as ReturnType<typeof rtpPacket>, ...p.slice(at(6, 1) + 1)], frames: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
  ];
  for (const c of cases) {
    for (const slabBytes of [32, 3000, undefined]) {
      it(`emits the same NAL units, intact after the whole stream, with ${c.name} (${slabBytes ?? 'default'}-byte slabs)`, () => {
        const d = createH264Depacketizer(slabBytes === undefined ? {} : { slabBytes });
        // Every unit is kept to the end, as the fMP4 writer keeps a fragment's frames: later
        // packets MUST NOT have overwritten any of them.
        const units = pushAll(d, c.edit(stream()));
        assert.deepEqual(units.map((u) => u.timestamp), c.frames.map((k) => 3600 * k));
        for (const u of units) assert.deepEqual(u.nalus, frames[u.timestamp / 3600]?.nalus);
      });
    }
  }
});
