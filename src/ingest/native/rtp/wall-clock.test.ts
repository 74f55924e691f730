import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SenderReport } from './rtcp-sr.ts';
import { WallClock } from './wall-clock.ts';

function report(unixMs: number, rtpTimestamp: number): SenderReport {
  return { ssrc: 1, ntpSeconds: 0, ntpFraction: 0, unixMs, rtpTimestamp, packetCount: 0, octetCount: 0 };
}

const t0 = Date.UTC(2025, 5, 1, 12);

describe('RTP to wall-clock mapping', () => {
  it('knows no time before the first packet', () => {
    assert.equal(new WallClock(90_000).toWallClock(123), undefined);
  });

  it('falls back to the first packet receive time, and says so, before any sender report', () => {
    const clock = new WallClock(90_000);
    clock.observeFirstPacket(1_000_000, t0);
    clock.observeFirstPacket(2_000_000, t0 + 5000); // only the first counts
    assert.deepEqual(clock.toWallClock(1_000_000 + 90_000 * 3), { unixMs: t0 + 3000, fromSenderReport: false });
    assert.equal(clock.synchronized, false);
  });

  it('maps through the latest sender report, before and after its RTP timestamp', () => {
    const clock = new WallClock(90_000);
    clock.observeFirstPacket(0, t0 - 99_999);
    clock.observeSenderReport(report(t0, 450_000));
    assert.deepEqual(clock.toWallClock(450_000 + 45_000), { unixMs: t0 + 500, fromSenderReport: true });
    assert.deepEqual(clock.toWallClock(450_000 - 9000), { unixMs: t0 - 100, fromSenderReport: true });
    clock.observeSenderReport(report(t0 + 60_000, 450_000 + 90_000 * 59)); // the sender's clock moved 1 s
    assert.equal(clock.toWallClock(450_000 + 90_000 * 59)?.unixMs, t0 + 60_000);
  });

  it('maps extended timestamps past the 32-bit wrap against a report taken before it', () => {
    const clock = new WallClock(90_000);
    clock.observeSenderReport(report(t0, 0xffff_ff00));
    const extended = 3 * 2 ** 32 + 0x100 + 90_000; // 0x200 ticks plus one second after the report
    assert.equal(clock.toWallClock(extended)?.unixMs, t0 + 1000 + (0x200 * 1000) / 90_000);
  });

  it('uses the audio sample rate as the clock', () => {
    const clock = new WallClock(48_000);
    clock.observeSenderReport(report(t0, 0));
    assert.equal(clock.toWallClock(48_000 * 2)?.unixMs, t0 + 2000);
  });
});
