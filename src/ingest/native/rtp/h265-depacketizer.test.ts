import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AccessUnit } from './access-unit-assembler.ts';
import { classifyH265Nal, createH265Depacketizer, parseH265Payload } from './h265-depacketizer.ts';
import { rtpPacket } from '../../../../test/helpers/rtp/rtp-builder.ts';

/** An H.265 NAL unit of `type` (LayerId 0, TID 1) and `length` bytes. */
function nal(type: number, length = 20, tid = 1): Buffer {
  const b = Buffer.alloc(length);
  b[0] = type << 1;
  b[1] = tid;
  for (let i = 2; i < length; i += 1) b[i] = (i * 13 + type) & 0xff;
  return b;
}

/** RFC 7798 §4.4.2 aggregation packet without DONL. */
function ap(...nals: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.of(48 << 1, 1)];
  for (const n of nals) {
    const size = Buffer.alloc(2);
    size.writeUInt16BE(n.length);
    parts.push(size, n);
  }
  return Buffer.concat(parts);
}

/** RFC 7798 §4.4.3 fragmentation units without DONL, `chunk` bytes of NAL body each. */
function fus(n: Buffer, chunk: number): Buffer[] {
  const type = ((n[0] as number) >> 1) & 0x3f;
  const out: Buffer[] = [];
  for (let offset = 2; offset < n.length; offset += chunk) {
    const end = Math.min(offset + chunk, n.length);
    const header = (offset === 2 ? 0x80 : 0) | (end === n.length ? 0x40 : 0) | type;
    out.push(Buffer.concat([Buffer.of(((n[0] as number) & 0x81) | (49 << 1), n[1] as number, header), n.subarray(offset, end)]));
  }
  return out;
}

let seq = 7;
function frame(timestamp: number, payloads: readonly Buffer[]): ReturnType<typeof rtpPacket>[] {
  return payloads.map((payload, i) => rtpPacket({ sequence: seq++, timestamp, marker: i === payloads.length - 1, payload }));
}

const vps = nal(32, 24);
const sps = nal(33, 40);
const pps = nal(34, 8);
const idr = nal(19, 5000);
const trail = nal(1, 600);

describe('H.265 depacketization (RFC 7798)', () => {
  it('emits access units from single NAL unit packets with IRAP key frames and parameter sets', () => {
    const d = createH265Depacketizer();
    const units: AccessUnit[] = [...frame(0, [vps, sps, pps, idr]), ...frame(3600, [trail])].flatMap((p) => d.push(p));
    assert.deepEqual(units, [
      { timestamp: 0, nalus: [vps, sps, pps, idr], keyframe: true, parameterSets: { vps, sps, pps } },
      { timestamp: 3600, nalus: [trail], keyframe: false, parameterSets: {} },
    ]);
  });

  it('splits aggregation packets and joins fragmentation units, rebuilding the two-byte header', () => {
    const d = createH265Depacketizer();
    const layered = nal(21, 4000, 3);
    layered[0] = (layered[0] as number) | 0x01; // LayerId high bit: kept by the FU header rebuild
    const units = frame(0, [ap(vps, sps, pps), ...fus(layered, 1000)]).flatMap((p) => d.push(p));
    assert.equal(units.length, 1);
    assert.deepEqual(units[0]?.nalus, [vps, sps, pps, layered]);
    assert.equal(units[0]?.keyframe, true);
  });

  it('recognizes NAL unit types 16 to 23 as key frames and no others', () => {
    const keys = Array.from({ length: 64 }, (_, t) => t).filter((t) => classifyH265Nal(nal(t)) === 'keyframe');
    assert.deepEqual(keys, [16, 17, 18, 19, 20, 21, 22, 23]);
  });

  it('drops after a lost fragment until the next IRAP, counting loss and dropped frames', () => {
    const d = createH265Depacketizer();
    const packets = [...frame(0, [vps, sps, pps, idr]), ...frame(3600, fus(nal(1, 3000), 1000)), ...frame(7200, [trail]), ...frame(10_800, [ap(vps, sps, pps), idr])];
    const units = packets.filter((_, i) => i !== 5).flatMap((p) => d.push(p));
    assert.deepEqual(units.map((u) => u.timestamp), [0, 10_800]);
    assert.equal(d.stats.lostPackets, 1);
    assert.equal(d.stats.droppedAccessUnits, 2);
  });

  it('counts PACI as unsupported and ignores unspecified types 51 to 63', () => {
    assert.deepEqual(parseH265Payload(Buffer.of(50 << 1, 1, 0, 0)), { kind: 'unsupported' });
    for (let t = 51; t < 64; t += 1) assert.deepEqual(parseH265Payload(Buffer.of(t << 1, 1, 0)), { kind: 'ignored' });
  });

  const malformed: [string, Buffer][] = [
    ['a one-byte payload', Buffer.of(0x26)],
    ['an AP with no NAL unit', Buffer.of(48 << 1, 1)],
    ['an AP unit shorter than a NAL unit header', Buffer.of(48 << 1, 1, 0, 1, 0x40)],
    ['an AP whose size overruns the payload', Buffer.concat([ap(vps), Buffer.of(0, 9, 1, 2)])],
    ['an FU without an FU header', Buffer.of(49 << 1, 1)],
    ['an FU of an aggregation packet', Buffer.of(49 << 1, 1, 0x80 | 48, 0)],
    ['an FU of an FU', Buffer.of(49 << 1, 1, 0x80 | 49, 0)],
  ];
  for (const [name, payload] of malformed) {
    it(`rejects ${name} as malformed and drops its access unit`, () => {
      assert.deepEqual(parseH265Payload(payload), { kind: 'malformed' });
      const d = createH265Depacketizer();
      const units = [...frame(0, [vps, sps, pps, payload, idr]), ...frame(3600, [vps, sps, pps, idr])].flatMap((p) => d.push(p));
      assert.deepEqual(units.map((u) => u.timestamp), [3600]);
      assert.equal(d.stats.malformedPackets, 1);
    });
  }
});
