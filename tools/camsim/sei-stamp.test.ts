import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addEmulationPrevention, buildStampSei, readStampSei, removeEmulationPrevention } from './sei-stamp.ts';

test('a stamp round-trips through its SEI NAL unit', () => {
  const now = 1_796_000_000_123;
  const nal = buildStampSei(now);
  assert.equal(nal[0], 0x06);
  assert.equal(readStampSei(nal), now);
});

test('stamps whose bytes hold 00 00 0x get emulation prevention bytes and still round-trip', () => {
  // 0x0000_0000_0001_0000: zero runs inside the 64-bit time.
  for (const t of [0x1_0000, 0x100_0000_0000, 0x0003_0000_0002]) {
    const nal = buildStampSei(t);
    for (let i = 2; i < nal.length; i += 1) {
      assert.ok(!(nal[i - 2] === 0 && nal[i - 1] === 0 && (nal[i] ?? 9) <= 2), `no 00 00 0x (x≤2) at ${i} for ${t}`);
    }
    assert.equal(readStampSei(nal), t);
  }
});

test('emulation prevention: the H.264 §7.4.1 cases', () => {
  assert.deepEqual([...addEmulationPrevention(Buffer.from([0, 0, 0, 0, 1, 0, 0, 3]))], [0, 0, 3, 0, 0, 3, 1, 0, 0, 3, 3]);
  assert.deepEqual([...removeEmulationPrevention(Buffer.from([0, 0, 3, 0, 0, 3, 1, 0, 0, 3, 3]))], [0, 0, 0, 0, 1, 0, 0, 3]);
});

test('other NAL units are not stamps', () => {
  assert.equal(readStampSei(Buffer.from([0x65, 0x88, 0x84])), null);
  const foreign = buildStampSei(5);
  foreign[5] = (foreign[5] ?? 0) ^ 0xff; // a different UUID
  assert.equal(readStampSei(foreign), null);
});
