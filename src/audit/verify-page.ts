import { hash } from 'node:crypto';
import { leafHashOfText } from '../tlog/merkle.ts';
import { LeafRun } from '../tlog/leaf-run.ts';

/** A stored record as verify reads it. */
export interface VerifyRow {
  readonly seq: number;
  readonly record: string;
  readonly personal: string | null;
}

/**
 * One page of the stored ledger to check. Plain data in columns: it may cross to a worker thread,
 * and arrays of numbers and strings are copied there several times faster than row objects.
 */
export interface PageInput {
  /** The leaf index the page's first row should have: the index after the previous page's last row. */
  readonly position: number;
  /** Leaves of the recomputed tree before this page's first row (rows read so far). */
  readonly treeStart: number;
  /** The rows, ascending by seq: their seqs, record texts and sealed personal fields. */
  readonly seqs: readonly number[];
  readonly records: readonly string[];
  readonly personal: readonly (string | null)[];
  /** Stored leaf hashes from `position` on: their indexes, ascending, and their hex hashes concatenated (64 characters each). */
  readonly leafIndexes: readonly number[];
  readonly leafHashes: string;
  /** Tree sizes in (treeStart, treeStart + rows) whose root the caller needs. */
  readonly cuts: readonly number[];
}

/** A page of rows and stored leaves as the store reads them, in columns. */
export function pageInput(at: { position: number; treeStart: number; cuts: number[] }, rows: readonly VerifyRow[], leaves: readonly { index: number; hash: string }[]): PageInput {
  const seqs = new Array<number>(rows.length);
  const records = new Array<string>(rows.length);
  const personal = new Array<string | null>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as VerifyRow;
    seqs[i] = row.seq;
    records[i] = row.record;
    personal[i] = row.personal;
  }
  let leafHashes = '';
  const leafIndexes = new Array<number>(leaves.length);
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i] as { index: number; hash: string };
    leafIndexes[i] = leaf.index;
    // A stored hash of another length is kept apart from its neighbours: it can never match.
    leafHashes += leaf.hash.length === 64 ? leaf.hash : '-'.repeat(64);
  }
  return { ...at, seqs, records, personal, leafIndexes, leafHashes };
}

/** An aligned perfect subtree of the recomputed tree, its hash in hex (plain data). */
export interface PageBlock {
  readonly level: number;
  readonly hash: string;
}

/** What checking a page found. */
export interface PageResult {
  /** Problems in the order a sequential reading meets them; `row` is the position in the page. */
  readonly problems: readonly { readonly row: number; readonly index: number; readonly reason: string }[];
  /** The page's leaves as blocks: appended to the tree of `treeStart` leaves they give the tree after the page. */
  readonly blocks: readonly PageBlock[];
  /** For each cut, the blocks of the page's leaves up to that tree size. */
  readonly cuts: readonly { readonly size: number; readonly blocks: readonly PageBlock[] }[];
}

/**
 * Checks one page of stored records (verify-ledger.ts states what is checked and why): per row,
 * that its index follows the previous row's (else the rows in between were deleted), and
 * `recordProblem`; and hashes the page's leaves into the recomputed tree's blocks. Pure and
 * synchronous: the same function runs on the calling thread or on a worker thread.
 */
export function checkPage(input: PageInput): PageResult {
  const problems: { row: number; index: number; reason: string }[] = [];
  const count = input.seqs.length;
  const leafHashes: Buffer[] = new Array<Buffer>(count);
  const { leafIndexes } = input;
  let position = input.position;
  let next = 0;
  for (let r = 0; r < count; r++) {
    const seq = input.seqs[r] as number;
    const record = input.records[r] as string;
    const personal = input.personal[r] as string | null;
    // A gap in the indexes: rows were deleted at `position`.
    if (seq !== position) {
      problems.push({ row: r, index: position, reason: `the record at index ${position} is missing (the next stored record has index ${seq})` });
      position = seq;
    }
    const leaf = leafHashOfText(record);
    // Stored leaves ascend by index: the one for `position`, if read, is at or after `next`.
    while (next < leafIndexes.length && (leafIndexes[next] as number) < position) next++;
    const stored = next < leafIndexes.length && leafIndexes[next] === position;
    const committed = stored && input.leafHashes.startsWith(leaf.toString('hex'), next * 64);
    const reason = recordProblem(record, personal, position, { stored, committed });
    if (reason !== null) problems.push({ row: r, index: position, reason });
    leafHashes[r] = leaf;
    position++;
  }
  const run = new LeafRun(input.treeStart, leafHashes);
  const hex = (blocks: ReturnType<LeafRun['blocks']>): PageBlock[] => blocks.map((b) => ({ level: b.level, hash: b.hash.toString('hex') }));
  return { problems, blocks: hex(run.blocks()), cuts: input.cuts.map((size) => ({ size, blocks: hex(run.blocks(size)) })) };
}

/**
 * What is wrong with the record text (and sealed personal fields) stored at `index`, or null.
 * `stored`: a leaf hash was stored at `index`; `committed`: the text hashes to it.
 */
export function recordProblem(text: string, personal: string | null, index: number, leaf: { readonly stored: boolean; readonly committed: boolean }): string | null {
  // A record that hashes to the leaf committed at this index is the record committed there,
  // whose `seq` is this index by construction: the JSON needs parsing only to say what is wrong,
  // or to check the sealed personal fields against their commitment.
  const { stored, committed } = leaf;
  if (committed && personal === null) return null;
  let record: { seq?: unknown; personal?: { sha256?: unknown } };
  try {
    // JSON that is not an object (`null`, a number) has no `seq` either.
    record = (JSON.parse(text) as typeof record | null) ?? {};
  } catch {
    return 'the record is not valid JSON (altered)';
  }
  if (record.seq !== index) return `the record says it is index ${String(record.seq)} (records were moved, swapped or inserted)`;
  if (!stored) return 'no leaf hash was stored for this index';
  if (!committed) return 'the record does not hash to the leaf committed at this index (altered or replaced)';
  if (personal !== null) {
    const digest = hash('sha256', personal, 'hex');
    if (record.personal?.sha256 !== digest) return 'the sealed personal fields do not match the record (altered)';
  }
  return null;
}
