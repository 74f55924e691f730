// A contiguous run of leaves at any position of an RFC 9162 tree, hashed into the aligned perfect
// subtrees it contains (tree-nodes.ts), so that a run can be hashed apart from the rest of the
// tree (on another thread) and folded into a Frontier with a few `appendSubtree` calls.
//
// Pure. The blocks of [start, end) are the maximal aligned perfect subtrees, left to right: each
// starts at a multiple of its width, so appending them in order to a Frontier of `start` leaves
// gives exactly the Frontier of `end` leaves.

import { nodeHash } from './merkle.ts';

/** An aligned perfect subtree: 2^level leaves from index·2^level. */
export interface Block {
  readonly level: number;
  readonly index: number;
  readonly hash: Buffer;
}

/** The aligned blocks covering [start, end), left to right. */
export function blockCoords(start: number, end: number): { level: number; index: number }[] {
  const out: { level: number; index: number }[] = [];
  let at = start;
  while (at < end) {
    let width = 1;
    let level = 0;
    while (at % (width * 2) === 0 && at + width * 2 <= end) {
      width *= 2;
      level++;
    }
    out.push({ level, index: at / width });
    at += width;
  }
  return out;
}

/**
 * Every perfect subtree inside the run [start, start + leaves.length), hashed once (about one
 * node hash per leaf), so the blocks of any prefix of the run cost nothing more.
 */
export class LeafRun {
  readonly start: number;
  readonly end: number;
  /** levels[l][k] is node (l, first[l] + k). */
  readonly #levels: (readonly Buffer[])[] = [];
  readonly #first: number[] = [];

  /** `leaves` is kept as the run's level 0 (not copied): the caller MUST NOT change it afterwards. */
  constructor(start: number, leaves: readonly Buffer[]) {
    this.start = start;
    this.end = start + leaves.length;
    let level = leaves;
    let first = start;
    while (level.length > 0) {
      this.#levels.push(level);
      this.#first.push(first);
      const next: Buffer[] = [];
      const nextFirst = Math.ceil(first / 2);
      for (let i = nextFirst; 2 * i + 1 < first + level.length; i++) next.push(nodeHash(level[2 * i - first] as Buffer, level[2 * i + 1 - first] as Buffer));
      level = next;
      first = nextFirst;
    }
  }

  /** The blocks of [start, end) for an `end` within the run, with their hashes. */
  blocks(end: number = this.end): Block[] {
    if (end < this.start || end > this.end) throw new Error(`${end} is outside the run [${this.start}, ${this.end}]`);
    return blockCoords(this.start, end).map(({ level, index }) => ({ level, index, hash: this.#levels[level]?.[index - (this.#first[level] as number)] as Buffer }));
  }
}
