import { hash } from 'node:crypto';
import { leafHashOfText } from '../tlog/merkle.ts';
import { LeafRun } from '../tlog/leaf-run.ts';

/** A stored record as verify reads it. */
export interface VerifyRow {
  readonly seq: number;
  readonly record: string;
  readonly personal: string | null;
}

/** One page of the stored ledger to check (plain data: it may cross to a worker thread). */
export interface PageInput {
  /** The leaf index the page's first row should have: the index after the previous page's last row. */
  readonly position: number;
  /** Leaves of the recomputed tree before this page's first row (rows read so far). */
  readonly treeStart: number;
  readonly rows: readonly VerifyRow[];
  /** Stored leaf hashes (hex) from `position` on, ascending by index. */
  readonly leaves: readonly { readonly index: number; readonly hash: string }[];
  /** Tree sizes in (treeStart, treeStart + rows.length] whose root the caller needs. */
  readonly cuts: readonly number[];
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
  const leafHashes: Buffer[] = new Array<Buffer>(input.rows.length);
  const { leaves } = input;
  let position = input.position;
  let next = 0;
  for (let r = 0; r < input.rows.length; r++) {
    const row = input.rows[r] as VerifyRow;
    // A gap in the indexes: rows were deleted at `position`.
    if (row.seq !== position) {
      problems.push({ row: r, index: position, reason: `the record at index ${position} is missing (the next stored record has index ${row.seq})` });
      position = row.seq;
    }
    const leaf = leafHashOfText(row.record);
    // Stored leaves ascend by index: the one for `position`, if read, is at or after `next`.
    while (next < leaves.length && (leaves[next] as { index: number }).index < position) next++;
    const stored = next < leaves.length && (leaves[next] as { index: number }).index === position ? (leaves[next] as { hash: string }).hash : undefined;
    const reason = recordProblem(row, position, leaf, stored);
    if (reason !== null) problems.push({ row: r, index: position, reason });
    leafHashes[r] = leaf;
    position++;
  }
  const run = new LeafRun(input.treeStart, leafHashes);
  const hex = (blocks: ReturnType<LeafRun['blocks']>): PageBlock[] => blocks.map((b) => ({ level: b.level, hash: b.hash.toString('hex') }));
  return { problems, blocks: hex(run.blocks()), cuts: input.cuts.map((size) => ({ size, blocks: hex(run.blocks(size)) })) };
}

/** What is wrong with the record stored at `index`, or null. */
export function recordProblem(row: VerifyRow, index: number, leaf: Buffer, storedLeaf: string | undefined): string | null {
  // A record that hashes to the leaf committed at this index is the record committed there,
  // whose `seq` is this index by construction: the JSON needs parsing only to say what is wrong,
  // or to check the sealed personal fields against their commitment.
  const committed = storedLeaf !== undefined && leaf.toString('hex') === storedLeaf;
  if (committed && row.personal === null) return null;
  let record: { seq?: unknown; personal?: { sha256?: unknown } };
  try {
    // JSON that is not an object (`null`, a number) has no `seq` either.
    record = (JSON.parse(row.record) as typeof record | null) ?? {};
  } catch {
    return 'the record is not valid JSON (altered)';
  }
  if (record.seq !== index) return `the record says it is index ${String(record.seq)} (records were moved, swapped or inserted)`;
  if (storedLeaf === undefined) return 'no leaf hash was stored for this index';
  if (!committed) return 'the record does not hash to the leaf committed at this index (altered or replaced)';
  if (row.personal !== null) {
    const digest = hash('sha256', row.personal, 'hex');
    if (record.personal?.sha256 !== digest) return 'the sealed personal fields do not match the record (altered)';
  }
  return null;
}
