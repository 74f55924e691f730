import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { leafHash, rootOf } from './merkle.ts';
import { blockCoords, LeafRun } from './leaf-run.ts';
import { Frontier } from './tree-nodes.ts';

const leaves = Array.from({ length: 80 }, (_, i) => leafHash(createHash('sha256').update(`leaf ${i}`).digest()));

test('blocks are aligned, maximal and cover the range left to right', () => {
  assert.deepEqual(blockCoords(0, 8), [{ level: 3, index: 0 }]);
  assert.deepEqual(blockCoords(3, 13), [
    { level: 0, index: 3 },
    { level: 2, index: 1 },
    { level: 2, index: 2 },
    { level: 0, index: 12 },
  ]);
  assert.deepEqual(blockCoords(5, 5), []);
});

test('a run folded into a frontier gives the RFC 9162 root of every prefix, wherever the run starts', () => {
  for (let start = 0; start <= 40; start++) {
    for (const length of [0, 1, 2, 3, 7, 16, 33, 40]) {
      const end = start + length;
      const run = new LeafRun(start, leaves.slice(start, end));
      const before = new Frontier();
      for (const leaf of leaves.slice(0, start)) before.append(leaf);
      for (let cut = start; cut <= end; cut++) {
        const frontier = before.clone();
        for (const b of run.blocks(cut)) frontier.appendSubtree(b.level, b.hash);
        assert.equal(frontier.size, cut);
        assert.deepEqual(frontier.root(), rootOf(leaves.slice(0, cut)), `run [${start}, ${end}) cut ${cut}`);
      }
    }
  }
});

test('a subtree that does not start at a multiple of its width is refused', () => {
  const frontier = new Frontier();
  frontier.append(leaves[0] as Buffer);
  assert.throws(() => frontier.appendSubtree(1, leaves[1] as Buffer), /cannot follow/);
});
