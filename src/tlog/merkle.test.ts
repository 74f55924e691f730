import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { EMPTY_ROOT, leafHash, nodeHash, rootOf } from './merkle.ts';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from './merkle-proofs.ts';

const MAX_LEAVES = 40;
const leaves = Array.from({ length: MAX_LEAVES }, (_, i) => leafHash(Buffer.from(`audit event ${i}`)));
const roots = Array.from({ length: MAX_LEAVES + 1 }, (_, n) => rootOf(leaves.slice(0, n)));

/** A copy of `proof` with one bit of hash `at` flipped. */
function flipped(proof: readonly Buffer[], at: number): Buffer[] {
  return proof.map((h, i) => {
    if (i !== at) return h;
    const copy = Buffer.from(h);
    copy[i % copy.length] = (copy[i % copy.length] ?? 0) ^ 0x01;
    return copy;
  });
}

describe('Merkle tree hashing', () => {
  test('the empty tree hashes to SHA-256 of the empty string', () => {
    assert.equal(EMPTY_ROOT.toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.ok(rootOf([]).equals(EMPTY_ROOT));
  });

  test('leaves and interior nodes are hashed with distinct 0x00 and 0x01 prefixes', () => {
    const a = Buffer.from('a');
    assert.ok(leafHash(a).equals(createHash('sha256').update(Buffer.from([0x00, 0x61])).digest()));
    const [l, r] = [leafHash(Buffer.from('l')), leafHash(Buffer.from('r'))];
    assert.ok(nodeHash(l, r).equals(createHash('sha256').update(Buffer.concat([Buffer.from([0x01]), l, r])).digest()));
    assert.ok(!leafHash(Buffer.concat([l, r])).equals(nodeHash(l, r)));
  });

  test('a one-leaf tree has the leaf hash as its root', () => {
    assert.ok(rootOf([leaves[0]!]).equals(leaves[0]!));
  });

  test('the tree splits at the largest power of two below n', () => {
    const [a, b, c, d, e] = leaves as [Buffer, Buffer, Buffer, Buffer, Buffer];
    assert.ok(rootOf([a, b, c]).equals(nodeHash(nodeHash(a, b), c)));
    assert.ok(rootOf([a, b, c, d, e]).equals(nodeHash(nodeHash(nodeHash(a, b), nodeHash(c, d)), e)));
  });

  test('an odd node is carried up, so [A,B,C] and [A,B,C,C] have different roots', () => {
    const [a, b, c] = leaves as [Buffer, Buffer, Buffer];
    assert.ok(!rootOf([a, b, c]).equals(rootOf([a, b, c, c])));
  });
});

describe('Merkle proofs generated for trees of 1 to 40 leaves', () => {
  test('every inclusion proof verifies and a flipped bit in any of its hashes is rejected', () => {
    for (let n = 1; n <= MAX_LEAVES; n++) {
      const tree = leaves.slice(0, n);
      const root = roots[n]!;
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(tree, i);
        const where = `index ${i} of ${n}`;
        assert.ok(proof.length <= Math.ceil(Math.log2(n)), `proof is O(log n) at ${where}`);
        assert.ok(verifyInclusion(i, n, tree[i]!, proof, root), `verifies at ${where}`);
        for (let at = 0; at < proof.length; at++) {
          assert.ok(!verifyInclusion(i, n, tree[i]!, flipped(proof, at), root), `flipped hash ${at} rejected at ${where}`);
        }
        if (n > 1) assert.ok(!verifyInclusion((i + 1) % n, n, tree[i]!, proof, root), `other index rejected at ${where}`);
        if (n < MAX_LEAVES) assert.ok(!verifyInclusion(i, n + 1, tree[i]!, proof, roots[n + 1]!), `other size rejected at ${where}`);
        assert.ok(!verifyInclusion(i, n, tree[i]!, [...proof, root], root), `trailing hash rejected at ${where}`);
        assert.ok(!verifyInclusion(i, n, tree[i]!, [root, ...proof], root), `preceding hash rejected at ${where}`);
        if (proof.length > 0) {
          assert.ok(!verifyInclusion(i, n, tree[i]!, proof.slice(0, -1), root), `truncated proof rejected at ${where}`);
        }
      }
    }
  });

  test('every consistency proof verifies and a flipped bit in any of its hashes is rejected', () => {
    for (let n = 1; n <= MAX_LEAVES; n++) {
      const tree = leaves.slice(0, n);
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(tree, m);
        const [oldRoot, newRoot] = [roots[m]!, roots[n]!];
        const where = `${m} to ${n}`;
        assert.ok(proof.length <= 2 * Math.ceil(Math.log2(n)), `proof is O(log n) from ${where}`);
        assert.ok(verifyConsistency(m, n, oldRoot, newRoot, proof), `verifies from ${where}`);
        for (let at = 0; at < proof.length; at++) {
          assert.ok(!verifyConsistency(m, n, oldRoot, newRoot, flipped(proof, at)), `flipped hash ${at} rejected from ${where}`);
        }
        assert.ok(!verifyConsistency(m, n, oldRoot, newRoot, [...proof, newRoot]), `trailing hash rejected from ${where}`);
        if (m < n) {
          assert.ok(!verifyConsistency(m, n, newRoot, oldRoot, proof), `swapped roots rejected from ${where}`);
          assert.ok(!verifyConsistency(m, n, oldRoot, newRoot, [oldRoot, ...proof]), `preceding hash rejected from ${where}`);
          assert.ok(!verifyConsistency(m, n, oldRoot, newRoot, proof.slice(0, -1)), `truncated proof rejected from ${where}`);
          if (m > 1) assert.ok(!verifyConsistency(m - 1, n, roots[m - 1]!, newRoot, proof), `other old size rejected from ${where}`);
        }
      }
    }
  });

  test('generators refuse impossible indexes and sizes', () => {
    const tree = leaves.slice(0, 5);
    for (const i of [-1, 5, 1.5, Number.NaN]) assert.throws(() => inclusionProof(tree, i), RangeError);
    for (const m of [0, 6, -1, 2.5]) assert.throws(() => consistencyProof(tree, m), RangeError);
    assert.deepEqual(consistencyProof(tree, 5), []);
  });
});

describe('Merkle proof verifiers on malformed input', () => {
  const tree = leaves.slice(0, 7);
  const root = roots[7]!;
  const proof = inclusionProof(tree, 3);
  const cproof = consistencyProof(tree, 3);

  test('inclusion verification returns false instead of throwing on junk', () => {
    const junk: unknown[] = [null, undefined, 'x', -1, Number.NaN, Infinity, 2 ** 64, {}, [null], [Buffer.alloc(31)], [Buffer.alloc(33)]];
    for (const j of junk) {
      assert.equal(verifyInclusion(j as never, 7, tree[3]!, proof, root), false);
      assert.equal(verifyInclusion(3, j as never, tree[3]!, proof, root), false);
      assert.equal(verifyInclusion(3, 7, j as never, proof, root), false);
      assert.equal(verifyInclusion(3, 7, tree[3]!, j as never, root), false);
      assert.equal(verifyInclusion(3, 7, tree[3]!, proof, j as never), false);
    }
  });

  test('consistency verification returns false instead of throwing on junk', () => {
    const junk: unknown[] = [null, undefined, 'x', -1, Number.NaN, Infinity, 2 ** 64, {}, [null], [Buffer.alloc(31)], [Buffer.alloc(33)]];
    for (const j of junk) {
      assert.equal(verifyConsistency(j as never, 7, roots[3]!, root, cproof), false);
      assert.equal(verifyConsistency(3, j as never, roots[3]!, root, cproof), false);
      assert.equal(verifyConsistency(3, 7, j as never, root, cproof), false);
      assert.equal(verifyConsistency(3, 7, roots[3]!, j as never, cproof), false);
      assert.equal(verifyConsistency(3, 7, roots[3]!, root, j as never), false);
    }
  });

  test('a consistency proof from the empty tree is rejected because it proves nothing', () => {
    assert.equal(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, []), false);
    assert.equal(verifyConsistency(0, 7, EMPTY_ROOT, root, []), false);
  });
});
