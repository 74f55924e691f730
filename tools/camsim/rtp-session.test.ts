import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PacketizedLoop } from './rtp-packetizer.ts';
import type { SessionSocket } from './rtp-session.ts';
import { RtpSession } from './rtp-session.ts';

const loop: PacketizedLoop = {
  fps: 25, frameTicks: 3600,
  frames: [
    { key: true, firstSlice: 0, payloads: [Buffer.from([0x65, 1])] },
    { key: false, firstSlice: 0, payloads: [Buffer.from([0x41, 2])] },
    { key: false, firstSlice: 0, payloads: [Buffer.from([0x41, 3])] },
  ],
};

function fakeSocket(): SessionSocket & { packets: Buffer[]; destroys: number; backlog: number } {
  const s = {
    packets: [] as Buffer[], destroys: 0, backlog: 0, destroyed: false,
    get writableLength() { return s.backlog; },
    cork() {}, uncork() {},
    write(c: Uint8Array) { s.packets.push(Buffer.from(c)); return true; },
    destroy() { s.destroys += 1; s.destroyed = true; },
  };
  return s;
}

describe('RTP session', () => {
  it('starts at the key frame and keeps timestamps increasing across loop iterations', () => {
    const socket = fakeSocket();
    const session = new RtpSession({ loop, socket, channel: 0, maxBufferedBytes: 1000, onOverflow: () => {} });
    const start = session.next();
    for (let i = 0; i < 7; i += 1) session.sendNext();
    const headers = socket.packets.filter((_, i) => i % 2 === 0);
    const payloads = socket.packets.filter((_, i) => i % 2 === 1).map((p) => p[1]);
    assert.deepEqual(payloads, [1, 2, 3, 1, 2, 3, 1], 'frames loop from the key frame');
    const ts = headers.map((h) => h.readUInt32BE(8));
    assert.equal(ts[0], start.rtptime);
    assert.equal(headers[0]?.readUInt16BE(6), start.seq);
    for (let i = 1; i < ts.length; i += 1) assert.equal(((ts[i] ?? 0) - (ts[i - 1] ?? 0) + 2 ** 32) % 2 ** 32, 3600);
  });

  it('drops a client whose socket backlog exceeds the bound, once, instead of buffering', () => {
    const socket = fakeSocket();
    let overflows = 0;
    const session = new RtpSession({ loop, socket, channel: 0, maxBufferedBytes: 1000, onOverflow: () => { overflows += 1; } });
    session.sendNext();
    socket.backlog = 1001;
    session.sendNext();
    session.sendNext();
    assert.equal(overflows, 1);
    assert.equal(socket.destroys, 1);
    assert.equal(socket.packets.length, 2, 'nothing written after the bound was crossed');
  });
});
