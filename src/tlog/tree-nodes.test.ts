import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { leafHash, rootOf } from './merkle.ts';
import { consistencyProof, consistencyProofOf, inclusionProof, inclusionProofOf } from './merkle-proofs.ts';
import { Frontier, frontierCoords, nodeKey, rangeHashFrom, withNodes, type TreeNode } from './tree-nodes.ts';

const leaves = Array.from({ length: 70 }, (_, i) => leafHash(createHash('sha256').update(`leaf ${i}`).digest()));

/** Every node a frontier writes, by coordinate, for sizes up to `n`. */
function grow(n: number): { frontier: Frontier; nodes: Map<string, Buffer>; roots: Buffer[] } {
  const frontier = new Frontier();
  const nodes = new Map<string, Buffer>();
  const roots = [frontier.root()];
  for (const leaf of leaves.slice(0, n)) {
    for (const node of frontier.append(leaf)) {
      assert.equal(nodes.has(nodeKey(node.level, node.index)), false, 'a node is written once');
      nodes.set(nodeKey(node.level, node.index), node.hash);
    }
    roots.push(frontier.root());
  }
  return { frontier, nodes, roots };
}

test('the frontier root equals the RFC 9162 root at every size from 0 to 70', () => {
  const { roots } = grow(70);
  for (let n = 0; n <= 70; n++) assert.deepEqual(roots[n], rootOf(leaves.slice(0, n)), `size ${n}`);
});

test('proofs from stored nodes equal proofs from the leaf list, for every index and size', () => {
  const { nodes } = grow(70);
  const range = rangeHashFrom((level, index) => {
    const hash = nodes.get(nodeKey(level, index));
    if (!hash) throw new Error(`missing (${level}, ${index})`);
    return hash;
  });
  for (let size = 1; size <= 70; size++) {
    const list = leaves.slice(0, size);
    assert.deepEqual(range(0, size), rootOf(list), `root ${size}`);
    for (let i = 0; i < size; i++) assert.deepEqual(inclusionProofOf(range, size, i), inclusionProof(list, i), `inclusion ${i}/${size}`);
    for (let m = 1; m <= size; m++) assert.deepEqual(consistencyProofOf(range, size, m), consistencyProof(list, m), `consistency ${m}->${size}`);
  }
});

test('a frontier rebuilt from its stored frontier nodes continues the same tree', () => {
  const { nodes } = grow(70);
  for (const size of [0, 1, 2, 3, 5, 8, 13, 31, 32, 33, 64, 69]) {
    const stored: TreeNode[] = frontierCoords(size).map((c) => ({ ...c, hash: nodes.get(nodeKey(c.level, c.index)) as Buffer }));
    const resumed = new Frontier(size, stored);
    assert.deepEqual(resumed.root(), rootOf(leaves.slice(0, size)), `resumed root ${size}`);
    for (const leaf of leaves.slice(size)) resumed.append(leaf);
    assert.deepEqual(resumed.root(), rootOf(leaves), `continued from ${size}`);
  }
});

test('a frontier refuses nodes that are not its frontier', () => {
  assert.throws(() => new Frontier(3, []), /needs 2 nodes/);
  assert.throws(() => new Frontier(2, [{ level: 0, index: 1, hash: Buffer.alloc(32) }]), /must be \(1, 0\)/);
});

test('withNodes asks the store once for exactly the nodes a proof needs, and fails on a missing one', async () => {
  const { nodes } = grow(70);
  let calls = 0;
  const fetch = async (coords: { level: number; index: number }[]): Promise<Map<string, Buffer>> => {
    calls++;
    const found = new Map<string, Buffer>();
    for (const c of coords) {
      const hash = nodes.get(nodeKey(c.level, c.index));
      if (hash) found.set(nodeKey(c.level, c.index), hash);
    }
    return found;
  };
  const proof = await withNodes((lookup) => inclusionProofOf(rangeHashFrom(lookup), 70, 37), fetch);
  assert.equal(calls, 1);
  assert.deepEqual(proof, inclusionProof(leaves, 37));
  await assert.rejects(
    withNodes((lookup) => rangeHashFrom(lookup)(0, 71), fetch),
    /missing from the store/,
  );
});
