import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReceiveSlabs, receiveSlabBytes } from './receive-slabs.ts';

describe('receive slabs', () => {
  it('never hands the memory of an earlier read to a later one, across slabs', () => {
    const slabs = new ReceiveSlabs();
    const kept: { view: Buffer; fill: number }[] = [];
    const slabsSeen = new Set<ArrayBufferLike>();
    for (let n = 0; n < 200; n += 1) {
      const memory = slabs.next();
      assert.ok(memory.length >= 16 * 1024 && memory.length <= 64 * 1024, `a read gets 16 to 64 KiB (${memory.length})`);
      // What the kernel would write: a read of any size up to the room given.
      const bytes = 1 + ((n * 7919) % memory.length);
      memory.fill(n & 0xff, 0, bytes);
      kept.push({ view: slabs.received(bytes, memory), fill: n & 0xff });
      slabsSeen.add(memory.buffer);
    }
    for (const { view, fill } of kept) assert.ok(view.every((b) => b === fill), 'every earlier read is intact');
    assert.ok(slabsSeen.size > 1, 'the reads spanned several slabs');
    assert.ok([...slabsSeen].every((b) => b.byteLength === receiveSlabBytes));
  });

  it('gives consecutive reads adjacent memory in one slab', () => {
    const slabs = new ReceiveSlabs();
    const first = slabs.received(100, slabs.next());
    const second = slabs.received(50, slabs.next());
    assert.equal(second.buffer, first.buffer);
    assert.equal(second.byteOffset, first.byteOffset + 100);
  });
});
