// The ledger's Merkle tree kept as stored perfect subtrees (RFC 9162 §2.1.1 hashing), so a root
// or a proof costs O(log n) stored hashes instead of reading every leaf.
//
// A node (level, index) is the root of the perfect subtree of 2^level leaves starting at leaf
// index·2^level; level 0 nodes are the leaf hashes. A node is written once, when its last leaf
// is appended, and never changes. The RFC's recursive split only ever asks for ranges that are
// unions of such aligned perfect subtrees, which is what makes this work.
//
// The "frontier" of a tree of n leaves is, for every set bit L of n, the node
// (L, floor(n / 2^L) - 1): the perfect subtrees the tree's root is folded from, and all an
// append needs.
//
// Pure: node hashes come from a caller's lookup; sizes are JavaScript numbers (< 2^53).

import { EMPTY_ROOT, nodeHash, splitPoint } from './merkle.ts';
import type { RangeHash } from './merkle-proofs.ts';

/** Coordinates of a stored perfect subtree. */
export interface NodeCoord {
  readonly level: number;
  readonly index: number;
}

/** A stored node with its hash. */
export interface TreeNode extends NodeCoord {
  readonly hash: Buffer;
}

/** Looks up a stored node; MUST throw when it is missing (a damaged store is not a small tree). */
export type NodeLookup = (level: number, index: number) => Buffer;

const pow2 = (level: number): number => 2 ** level;

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n === 1 || splitPoint(n + 1) === n);
}

/** MTH(D[start:end]) from stored perfect subtrees. */
export function rangeHashFrom(lookup: NodeLookup): RangeHash {
  const range: RangeHash = (start, end) => {
    const n = end - start;
    if (n === 0) return EMPTY_ROOT;
    if (isPowerOfTwo(n) && start % n === 0) return lookup(Math.log2(n), start / n);
    const k = splitPoint(n);
    return nodeHash(range(start, start + k), range(start + k, end));
  };
  return range;
}

/**
 * Runs `compute` once with a recording lookup to learn which nodes it needs, so a store can
 * fetch them in one query, then once more with the fetched nodes.
 */
export async function withNodes<T>(compute: (lookup: NodeLookup) => T, fetch: (coords: NodeCoord[]) => Promise<Map<string, Buffer>>): Promise<T> {
  const wanted = new Map<string, NodeCoord>();
  const placeholder = Buffer.alloc(32);
  compute((level, index) => {
    wanted.set(nodeKey(level, index), { level, index });
    return placeholder;
  });
  const found = await fetch([...wanted.values()]);
  return compute((level, index) => {
    const hash = found.get(nodeKey(level, index));
    if (hash === undefined) throw new Error(`audit tree node (${level}, ${index}) is missing from the store`);
    return hash;
  });
}

/** Map key of a node coordinate. */
export function nodeKey(level: number, index: number): string {
  return `${level}:${index}`;
}

/** Coordinates of the frontier of a tree of `size` leaves, lowest level first. */
export function frontierCoords(size: number): NodeCoord[] {
  const coords: NodeCoord[] = [];
  for (let level = 0; pow2(level) <= size; level++) {
    const count = Math.floor(size / pow2(level));
    if (count % 2 === 1) coords.push({ level, index: count - 1 });
  }
  return coords;
}

/**
 * The right edge of a growing tree: appends leaves, yielding the nodes each append completes,
 * and folds the root. Holds O(log n) hashes.
 */
export class Frontier {
  #size: number;
  /** Hash of the frontier node at each level, or undefined where the size's bit is clear. */
  readonly #nodes: (Buffer | undefined)[] = [];

  /** A frontier for a tree of `size` leaves from its frontier nodes (see frontierCoords). */
  constructor(size = 0, nodes: readonly TreeNode[] = []) {
    this.#size = size;
    const expected = frontierCoords(size);
    if (nodes.length !== expected.length) throw new Error(`a frontier of ${size} leaves needs ${expected.length} nodes, got ${nodes.length}`);
    for (const [i, coord] of expected.entries()) {
      const node = nodes[i] as TreeNode;
      if (node.level !== coord.level || node.index !== coord.index) throw new Error(`frontier node ${i} of ${size} leaves must be (${coord.level}, ${coord.index})`);
      this.#nodes[coord.level] = node.hash;
    }
  }

  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash; returns every node it completes, the leaf itself first. */
  append(leaf: Buffer): TreeNode[] {
    return this.appendTo(leaf, []);
  }

  /** Appends one leaf hash, pushing every node it completes (the leaf first) onto `made`; returns `made`. */
  appendTo(leaf: Buffer, made: TreeNode[]): TreeNode[] {
    let index = this.#size;
    let level = 0;
    let hash = leaf;
    made.push({ level, index, hash });
    while (index % 2 === 1) {
      hash = nodeHash(this.#nodes[level] as Buffer, hash);
      this.#nodes[level] = undefined;
      index = (index - 1) / 2;
      level++;
      made.push({ level, index, hash });
    }
    this.#nodes[level] = hash;
    this.#size++;
    return made;
  }

  /**
   * Appends a whole perfect subtree of 2^level leaves, given its root: the same tree as appending
   * its leaves one by one. The size MUST be a multiple of 2^level (the subtree is aligned).
   */
  appendSubtree(level: number, hash: Buffer): void {
    const width = pow2(level);
    if (this.#size % width !== 0) throw new Error(`a subtree of ${width} leaves cannot follow ${this.#size} leaves`);
    let index = this.#size / width;
    let at = level;
    let node = hash;
    while (index % 2 === 1) {
      node = nodeHash(this.#nodes[at] as Buffer, node);
      this.#nodes[at] = undefined;
      index = (index - 1) / 2;
      at++;
    }
    this.#nodes[at] = node;
    this.#size += width;
  }

  /** Root of the tree so far (EMPTY_ROOT when empty). */
  root(): Buffer {
    let root: Buffer | undefined;
    for (const hash of this.#nodes) {
      if (hash === undefined) continue;
      root = root === undefined ? hash : nodeHash(hash, root);
    }
    return root ?? EMPTY_ROOT;
  }

  /** An independent copy (so a failed batch can be thrown away). */
  clone(): Frontier {
    const copy = new Frontier();
    copy.#size = this.#size;
    for (const [level, hash] of this.#nodes.entries()) copy.#nodes[level] = hash;
    return copy;
  }
}
