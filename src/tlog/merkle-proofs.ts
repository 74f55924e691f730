// Inclusion and consistency proofs for the audit ledger's Merkle tree:
// generation per RFC 9162 §2.1.3.1 (PATH) and §2.1.4.1 (PROOF/SUBPROOF), verification per the
// algorithms of §2.1.3.2 and §2.1.4.2. https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3
//
// Contracts:
// - Generators take the full list of leaf hashes, or a RangeHash over stored subtrees, and throw
//   RangeError on an impossible request (they run on the log's own data, so a bad argument is a
//   programming error).
// - Verifiers take untrusted input and MUST NOT throw: anything malformed (sizes that are not
//   non-negative safe integers, non-Buffer values, proof hashes that are not 32 bytes, a proof
//   that is too short, too long, or has garbage before or after) yields false.
// - Sizes and indexes are JavaScript numbers, so trees are limited to 2^53 - 1 leaves; the
//   verifiers use arithmetic, not 32-bit bitwise operators, for that reason.

import { HASH_SIZE, nodeHash, rangeRoot, splitPoint } from './merkle.ts';

/**
 * MTH(D[start:end]) of some tree, however it is stored: over a list of leaf hashes
 * ({@link rangeRoot}) or over stored perfect subtrees (tree-nodes.ts).
 */
export type RangeHash = (start: number, end: number) => Buffer;

/** Audit path for leaf `index` in the tree of `leafHashes` (RFC 9162 §2.1.3.1), leaf-side first. */
export function inclusionProof(leafHashes: readonly Buffer[], index: number): Buffer[] {
  return inclusionProofOf((s, e) => rangeRoot(leafHashes, s, e), leafHashes.length, index);
}

/** Audit path for leaf `index` in the tree of `size` leaves whose subtree hashes `range` gives. */
export function inclusionProofOf(range: RangeHash, size: number, index: number): Buffer[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is outside a tree of ${size} leaves`);
  }
  return path(range, index, 0, size);
}

function path(range: RangeHash, m: number, start: number, end: number): Buffer[] {
  const n = end - start;
  if (n === 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...path(range, m, start, start + k), range(start + k, end)];
  return [...path(range, m - k, start + k, end), range(start, start + k)];
}

/**
 * Consistency proof from the first `oldSize` leaves to the whole of `leafHashes`
 * (RFC 9162 §2.1.4.1); empty when the sizes are equal. `oldSize` MUST be in 1..n.
 */
export function consistencyProof(leafHashes: readonly Buffer[], oldSize: number): Buffer[] {
  return consistencyProofOf((s, e) => rangeRoot(leafHashes, s, e), leafHashes.length, oldSize);
}

/** Consistency proof from `oldSize` to `size` leaves of the tree whose subtree hashes `range` gives. */
export function consistencyProofOf(range: RangeHash, size: number, oldSize: number): Buffer[] {
  if (!Number.isSafeInteger(oldSize) || oldSize < 1 || oldSize > size) {
    throw new RangeError(`old size ${oldSize} is not in 1..${size}`);
  }
  return subproof(range, oldSize, 0, size, true);
}

function subproof(range: RangeHash, m: number, start: number, end: number, whole: boolean): Buffer[] {
  const n = end - start;
  if (m === n) return whole ? [] : [range(start, end)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(range, m, start, start + k, whole), range(start + k, end)];
  return [...subproof(range, m - k, start + k, end, false), range(start, start + k)];
}

const isSize = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isHash = (x: unknown): x is Buffer => Buffer.isBuffer(x) && x.length === HASH_SIZE;
const isProof = (x: unknown): x is readonly Buffer[] => Array.isArray(x) && x.every(isHash);
const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);
const isPowerOfTwo = (x: number): boolean => x > 0 && splitPoint(x + 1) === x;

/**
 * True when `proof` shows that `leafHash` is leaf `index` of the tree of `size` leaves whose root
 * is `root` (RFC 9162 §2.1.3.2). Never throws; malformed input gives false.
 */
export function verifyInclusion(index: number, size: number, leafHash: Buffer, proof: readonly Buffer[], root: Buffer): boolean {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  if (!isHash(leafHash) || !Buffer.isBuffer(root) || !isProof(proof)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false; // trailing proof hashes beyond the root
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/**
 * True when `proof` shows that the tree of `oldSize` leaves with root `oldRoot` is a prefix of the
 * tree of `newSize` leaves with root `newRoot` (RFC 9162 §2.1.4.2). Equal sizes need an empty
 * proof and identical roots. An old size of 0 is rejected: the empty tree is a prefix of every
 * tree, so such a proof proves nothing and a caller asking for one has a bug. Never throws.
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Buffer, newRoot: Buffer, proof: readonly Buffer[]): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize === 0 || oldSize > newSize) return false;
  if (!Buffer.isBuffer(oldRoot) || !Buffer.isBuffer(newRoot) || !isProof(proof)) return false;
  if (oldSize === newSize) return proof.length === 0 && oldRoot.equals(newRoot);
  if (proof.length === 0) return false;

  // Step 2: when the old tree is a complete subtree its root is the first node of the path.
  const c = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = c[0] as Buffer;
  let sr = fr;
  for (const node of c.slice(1)) {
    if (sn === 0) return false; // trailing proof hashes beyond the root
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(node, fr);
      sr = nodeHash(node, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, node);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}
