import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlabWriter } from './slab-writer.ts';

/** `length` bytes that say which unit they belong to. */
function body(seed: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) b[i] = (seed * 31 + i) & 0xff;
  return b;
}

describe('slab writer', () => {
  for (const slabBytes of [7, 64, 1000, 256 * 1024]) {
    it(`never writes again over a unit it handed out (${slabBytes}-byte slabs, units split, dropped and larger than a slab)`, () => {
      const w = new SlabWriter(slabBytes);
      const kept: { view: Buffer; want: Buffer }[] = [];
      for (let n = 0; n < 400; n += 1) {
        const want = body(n, 1 + ((n * 37) % 300));
        if (n % 7 === 3) {
          // A unit begun, partly written, then dropped: its bytes are reused by the next unit.
          w.begin();
          w.append(body(999, 50));
          w.drop();
        }
        if (n % 2 === 0) {
          kept.push({ view: w.copy(want), want });
        } else {
          // Joined from pieces, header first, as a fragmented NAL unit is.
          w.begin();
          w.appendUint(want[0] as number, 1);
          for (let at = 1; at < want.length; at += 13) w.append(want.subarray(at, at + 13));
          assert.equal(w.openBytes, want.length);
          kept.push({ view: w.end(), want });
        }
      }
      for (const { view, want } of kept) assert.deepEqual(view, want);
    });
  }

  it('writes a multi-byte header most significant byte first', () => {
    const w = new SlabWriter(16);
    w.begin();
    w.appendUint(0x4e01, 2);
    w.append(Buffer.of(0xaa));
    assert.deepEqual(w.end(), Buffer.of(0x4e, 0x01, 0xaa));
  });

  it('refuses to append or end without an open unit, and to copy while one is open', () => {
    const w = new SlabWriter(16);
    assert.throws(() => w.append(Buffer.of(1)), RangeError);
    assert.throws(() => w.end(), RangeError);
    w.begin();
    assert.throws(() => w.copy(Buffer.of(1)), RangeError);
    assert.equal(w.isOpen, true);
    w.drop();
    assert.equal(w.isOpen, false);
    assert.deepEqual(w.copy(Buffer.of(1, 2)), Buffer.of(1, 2));
  });

  it('begins a unit over one left open, dropping the old one', () => {
    const w = new SlabWriter(64);
    w.begin();
    w.append(Buffer.from('stale'));
    w.begin();
    w.append(Buffer.from('fresh'));
    assert.equal(w.end().toString(), 'fresh');
  });
});
