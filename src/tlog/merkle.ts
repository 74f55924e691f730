// Merkle tree hashing for the audit ledger, as RFC 9162 §2.1 (same tree as RFC 6962 §2.1):
// https://www.rfc-editor.org/rfc/rfc9162#section-2.1
//
// Contracts:
// - Leaves and interior nodes MUST be hashed with distinct prefixes (0x00 / 0x01) so a leaf can
//   never be passed off as an interior node (second-preimage defence).
// - The tree splits at the largest power of two strictly below n; an odd node is carried up
//   unchanged and MUST NOT be duplicated (duplication makes [A,B,C] and [A,B,C,C] collide).
// - This module is pure: no I/O, no state. It works on full leaf-hash arrays and is O(n) per call;
//   it is the reference the ledger's stored tree is checked against, not the ledger itself.
//
// Design note — how the ledger will store interior hashes so proofs are O(log n):
// The log is append-only, so every *complete* subtree (an aligned range [i·2^h, (i+1)·2^h)) has a
// hash that never changes once its last leaf is written. The ledger will persist those hashes in
// a table keyed by (level h, index i) — level 0 being the leaf hashes — written in the same
// transaction as the leaf. Any MTH(D[a:b]) the RFC algorithms ask for decomposes into at most
// 2·log2(n) complete subtrees (a "compact range"), so an inclusion or consistency proof is
// O(log n) reads plus O(log n) hashes to combine the ragged right edge. Appending keeps, in
// memory, the compact range of the whole tree (one hash per set bit of n, the right "frontier"):
// a new leaf merges with equal-height frontier nodes, writing each completed subtree hash once,
// so appends cost amortised O(1) hashes and the current root is the fold of ≤ log2(n) frontier
// hashes. Tiles of 256 hashes per level (as in C2SP tlog-tiles) are a later option for serving
// proofs from static files; the (level, index) addressing is the same.

import { createHash, hash } from 'node:crypto';

/** Length in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** Root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

// One-shot `hash()` over one buffer: the ledger hashes two inputs per leaf, and a Hash object's
// fixed cost is most of the cost of hashing a short input (bench/audit-ledger.ts).

/** Hash of one leaf: SHA-256(0x00 ‖ data). */
export function leafHash(data: Buffer): Buffer {
  return hash('sha256', Buffer.concat([LEAF_PREFIX, data], data.length + 1), 'buffer');
}

/** Leaf hash of a text's UTF-8 bytes, without an intermediate copy of the text. */
export function leafHashOfText(text: string): Buffer {
  const bytes = Buffer.allocUnsafe(1 + Buffer.byteLength(text, 'utf8'));
  bytes[0] = 0x00;
  bytes.write(text, 1, 'utf8');
  return hash('sha256', bytes, 'buffer');
}

/** Hash of an interior node: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right], 1 + left.length + right.length), 'buffer');
}

/** Largest power of two strictly smaller than n; n MUST be at least 2. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[start:end]) over already-hashed leaves (RFC 9162 §2.1.1); the range MUST be valid. */
export function rangeRoot(leafHashes: readonly Buffer[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leafHashes[start] as Buffer;
  const k = splitPoint(n);
  return nodeHash(rangeRoot(leafHashes, start, start + k), rangeRoot(leafHashes, start + k, end));
}

/** Merkle Tree Hash of a list of leaf hashes (RFC 9162 §2.1.1); the empty list gives EMPTY_ROOT. */
export function rootOf(leafHashes: readonly Buffer[]): Buffer {
  return rangeRoot(leafHashes, 0, leafHashes.length);
}
