import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SequenceTracker, type SequenceObservation } from './sequence-tracker.ts';

function observeAll(tracker: SequenceTracker, sequence: readonly number[]): SequenceObservation[] {
  return sequence.map((s) => tracker.observe(s));
}

describe('RTP sequence tracking', () => {
  it('sees consecutive numbers across the 16-bit wrap as in order', () => {
    const t = new SequenceTracker();
    const kinds = observeAll(t, [65533, 65534, 65535, 0, 1]).map((o) => o.kind);
    assert.deepEqual(kinds, ['first', 'in-order', 'in-order', 'in-order', 'in-order']);
    assert.equal(t.lost, 0);
    assert.equal(t.received, 5);
  });

  it('counts the exact number of packets lost in a gap, also across the wrap', () => {
    const t = new SequenceTracker();
    assert.deepEqual(observeAll(t, [65530, 65534, 2, 3]).slice(1, 3), [{ kind: 'gap', lost: 3 }, { kind: 'gap', lost: 3 }]);
    assert.equal(t.lost, 6);
    assert.equal(t.gaps, 2);
  });

  it('ignores a repeated number without counting loss', () => {
    const t = new SequenceTracker();
    assert.deepEqual(observeAll(t, [10, 10, 11]).map((o) => o.kind), ['first', 'duplicate', 'in-order']);
    assert.equal(t.duplicates, 1);
    assert.equal(t.received, 2);
  });

  it('takes a step back as a restart of the numbering, with no loss counted', () => {
    const t = new SequenceTracker();
    assert.deepEqual(observeAll(t, [100, 101, 50, 51]).map((o) => o.kind), ['first', 'in-order', 'restart', 'in-order']);
    assert.equal(t.lost, 0);
    assert.equal(t.restarts, 1);
  });

  it('counts a jump below the dropout limit as loss and a larger one as a restart', () => {
    const t = new SequenceTracker(3000);
    assert.deepEqual(observeAll(t, [0, 3000, 6001]).slice(1), [{ kind: 'gap', lost: 2999 }, { kind: 'restart' }]);
    assert.equal(t.lost, 2999);
  });

  it('starts afresh after reset while keeping its counters', () => {
    const t = new SequenceTracker();
    observeAll(t, [1, 5]);
    t.reset();
    assert.equal(t.observe(40000).kind, 'first');
    assert.equal(t.lost, 3);
  });
});
