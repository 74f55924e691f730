import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimestampUnwrapper, wrapTimestamp } from './timestamp-unwrapper.ts';

describe('RTP timestamp unwrapping', () => {
  it('starts at the raw timestamp and keeps counting across the 32-bit wrap', () => {
    const u = new TimestampUnwrapper();
    assert.equal(u.unwrap(0xffff_f000), 0xffff_f000);
    assert.equal(u.unwrap(0x0000_0100), 0x1_0000_0100);
    assert.equal(u.unwrap(0x0000_0200), 0x1_0000_0200);
  });

  it('stays exact over many wraps in steps below 2^31', () => {
    const u = new TimestampUnwrapper();
    const step = 0x7000_0000;
    let expected = 5;
    u.unwrap(5);
    for (let i = 0; i < 100; i += 1) {
      expected += step;
      assert.equal(u.unwrap(expected % 2 ** 32), expected);
    }
    assert.ok(expected > 2 ** 37);
  });

  it('follows a small step back, as B-frame reordering produces', () => {
    const u = new TimestampUnwrapper();
    u.unwrap(10);
    assert.equal(u.unwrap(0xffff_fffa), -6);
    assert.equal(u.unwrap(3600), 3600);
  });

  it('wraps an extended timestamp back to its 32-bit RTP value, negatives included', () => {
    assert.equal(wrapTimestamp(0x1_0000_0100), 0x100);
    assert.equal(wrapTimestamp(-6), 0xffff_fffa);
    assert.equal(wrapTimestamp(42), 42);
  });
});
