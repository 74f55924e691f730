import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AacDepacketizer, type AacFrame } from './aac-depacketizer.ts';
import { aacFragments, aacPayload } from '../../../../test/helpers/rtp/aac-packetizer.ts';
import { rtpPacket } from '../../../../test/helpers/rtp/rtp-builder.ts';

function frameOf(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 11 + seed) & 0xff));
}

function packets(first: number, specs: readonly { ts: number; payload: Buffer; marker?: boolean }[]): ReturnType<typeof rtpPacket>[] {
  return specs.map((s, i) => rtpPacket({ sequence: first + i, timestamp: s.ts, marker: s.marker ?? true, payload: s.payload }));
}

const a = frameOf(200, 1);
const b = frameOf(180, 2);
const c = frameOf(7000, 3);

describe('AAC depacketization (RFC 3640 AAC-hbr)', () => {
  it('splits a packet of several AUs into frames 1024 samples apart', () => {
    const d = new AacDepacketizer();
    const frames = packets(1, [{ ts: 48_000, payload: aacPayload([a, b, a]) }]).flatMap((p) => d.push(p));
    assert.deepEqual(frames, [
      { timestamp: 48_000, data: a },
      { timestamp: 49_024, data: b },
      { timestamp: 50_048, data: a },
    ]);
  });

  it('joins a fragmented AU and continues with whole AUs', () => {
    const d = new AacDepacketizer();
    const parts = aacFragments(c, 1000);
    const specs = [...parts.map((payload, i) => ({ ts: 0, payload, marker: i === parts.length - 1 })), { ts: 1024, payload: aacPayload([a]) }];
    const frames: AacFrame[] = packets(65530, specs).flatMap((p) => d.push(p));
    assert.equal(frames.length, 2);
    assert.ok(frames[0]?.data.equals(c));
    assert.equal(frames[1]?.timestamp, 1024);
    assert.equal(d.stats.frames, 2);
  });

  it('drops a fragmented AU with a lost fragment, counts it, and keeps the next frames', () => {
    const d = new AacDepacketizer();
    const parts = aacFragments(c, 1000);
    const specs = [
      { ts: 0, payload: aacPayload([a]) },
      ...parts.map((payload, i) => ({ ts: 1024, payload, marker: i === parts.length - 1 })),
      { ts: 2048, payload: aacPayload([b]) },
    ];
    const all = packets(10, specs);
    const frames = all.filter((_, i) => i !== 3).flatMap((p) => d.push(p));
    assert.deepEqual(frames.map((f) => f.timestamp), [0, 2048]);
    assert.equal(d.stats.lostPackets, 1);
    assert.equal(d.stats.droppedFrames, 1);
  });

  it('drops a fragmented AU whose first fragment was lost without mistaking the rest for a new AU', () => {
    const d = new AacDepacketizer();
    const parts = aacFragments(c, 1000);
    const all = packets(10, [{ ts: 0, payload: aacPayload([a]) }, ...parts.map((payload, i) => ({ ts: 1024, payload, marker: i === parts.length - 1 })), { ts: 2048, payload: aacPayload([b]) }]);
    const frames = all.filter((_, i) => i !== 1).flatMap((p) => d.push(p));
    assert.deepEqual(frames.map((f) => f.timestamp), [0, 2048]);
    assert.equal(d.stats.droppedFrames, 1);
  });

  it('skips interleaved packets as unsupported', () => {
    const d = new AacDepacketizer();
    const payload = aacPayload([a, b]);
    payload.writeUInt16BE((b.length << 3) | 1, 4); // AU-Index-delta 1
    assert.deepEqual(packets(1, [{ ts: 0, payload }]).flatMap((p) => d.push(p)), []);
    assert.equal(d.stats.unsupportedPackets, 1);
  });

  const malformed: [string, Buffer][] = [
    ['a one-byte payload', Buffer.of(0)],
    ['zero AU headers', Buffer.of(0, 0, 1, 2)],
    ['an AU-headers-length that is not a multiple of 16', Buffer.of(0, 13, 0, 0)],
    ['AU headers longer than the payload', Buffer.of(0, 64, 0, 8)],
    ['AU sizes that overrun the payload', Buffer.concat([Buffer.of(0, 32, 0, 8 << 3, 0, 8 << 3), Buffer.alloc(9)])],
    ['bytes after the last AU', Buffer.concat([aacPayload([a]), Buffer.of(1)])],
  ];
  for (const [name, payload] of malformed) {
    it(`rejects ${name} as malformed`, () => {
      const d = new AacDepacketizer();
      assert.deepEqual(packets(1, [{ ts: 0, payload }]).flatMap((p) => d.push(p)), []);
      assert.equal(d.stats.malformedPackets, 1);
    });
  }
});
