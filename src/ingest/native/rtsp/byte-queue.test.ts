import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom, testSeed } from '../../../../test/helpers/seeded-random.ts';
import { ByteQueue } from './byte-queue.ts';

const seed = process.env.CUSTOS_TEST_SEED === undefined ? 0x2326 : testSeed();

describe('byte queue', () => {
  it('returns a view for a range inside one chunk and a copy for a range across chunks', () => {
    const a = Buffer.from('hello ');
    const q = new ByteQueue();
    q.push(a);
    q.push(Buffer.from('world'));
    const view = q.peek(0, 5);
    assert.equal(view.buffer, a.buffer);
    assert.equal(q.take(8).toString(), 'hello wo');
    assert.equal(q.length, 3);
    assert.equal(q.byteAt(0), 0x72);
    assert.equal(q.indexOf(0x64, 0), 2);
  });

  it('joins chunks that continue one another in memory, so a range across them is still a view', () => {
    // As consecutive socket reads into one receive slab (receive-slabs.ts).
    const slab = Buffer.from('$\x00\x00\x05hello$\x00\x00\x02hi');
    const q = new ByteQueue();
    q.push(slab.subarray(0, 6));
    q.skip(4);
    q.push(slab.subarray(6, 13));
    q.push(Buffer.from('!')); // other memory: not joined
    const across = q.take(5);
    assert.equal(across.toString(), 'hello');
    assert.equal(across.buffer, slab.buffer, 'a view of the slab, not a copy');
    assert.equal(q.take(4).toString(), '$\x00\x00\x02');
    assert.equal(q.take(1).toString(), '!');
    assert.equal(q.length, 0);
  });

  it('behaves like one concatenated buffer under random pushes, takes, skips and searches', () => {
    const rnd = seededRandom(seed);
    for (let round = 0; round < 200; round += 1) {
      const q = new ByteQueue();
      let model = Buffer.alloc(0);
      for (let op = 0; op < 60; op += 1) {
        const kind = rnd.int(0, 5);
        if (kind === 0 || model.length === 0) {
          const chunk = Buffer.from(Array.from({ length: rnd.int(0, 9) }, () => rnd.int(0, 4)));
          q.push(chunk);
          model = Buffer.concat([model, chunk]);
        } else if (kind === 1) {
          const n = rnd.int(0, model.length + 1);
          assert.deepEqual(q.take(n), model.subarray(0, n), `seed ${seed} round ${round}`);
          model = model.subarray(n);
        } else if (kind === 2) {
          const n = rnd.int(0, model.length + 1);
          q.skip(n);
          model = model.subarray(n);
        } else if (kind === 3) {
          const from = rnd.int(0, model.length + 2);
          const byte = rnd.int(0, 4);
          assert.equal(q.indexOf(byte, from), from >= model.length ? -1 : model.indexOf(byte, from), `seed ${seed} round ${round}`);
        } else {
          const from = rnd.int(0, model.length + 1);
          const to = rnd.int(from, model.length + 1);
          assert.deepEqual(q.peek(from, to), model.subarray(from, to));
          assert.equal(q.byteAt(from), model[from]);
        }
        assert.equal(q.length, model.length);
      }
    }
  });

  it('throws RangeError when asked past its end (a caller bug, not bad input)', () => {
    const q = new ByteQueue();
    q.push(Buffer.from('ab'));
    assert.throws(() => q.take(3), RangeError);
    assert.throws(() => q.skip(3), RangeError);
    assert.throws(() => q.peek(1, 3), RangeError);
  });
});
