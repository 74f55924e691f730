import { parseCheckpoint } from '../tlog/checkpoint.ts';
import type { LedgerStore, StoredCheckpoint } from './ledger.store.ts';
import { openNote, type Verifier } from '../tlog/signed-note.ts';
import { Frontier } from '../tlog/tree-nodes.ts';
import { pageInput, type PageInput, type PageResult } from './verify-page.ts';
import { inlinePageChecker, type PageChecker } from './verify-workers.ts';

/** The outcome of a full verification. */
export interface LedgerVerifyReport {
  /** Event rows read. */
  readonly events: number;
  /** Committed size the head row claims. */
  readonly headSize: number;
  readonly checkpoints: number;
  /** Checkpoints whose signature verified and whose root equals the tree recomputed from the records. */
  readonly checkpointsVerified: number;
  /** The first index at which the stored ledger departs from what was committed, with why. */
  readonly firstBad: { readonly index: number; readonly reason: string } | null;
  /** Every problem found (at most 50), the first bad index's first. */
  readonly problems: readonly string[];
  readonly ok: boolean;
}

/** Rows per page by default: a power of two, so the pages of an untampered ledger are aligned subtrees. */
const defaultPage = 4096;
const maxProblems = 50;

/**
 * `custos audit verify` (LOG-2): recomputes the whole tree from the stored records and checks it
 * against everything that was committed, naming the first bad leaf index.
 *
 * What is checked, per index i: a row with index i exists (a deleted row is found at its
 * index); its record is JSON whose `seq` is i (a moved or swapped row); the SHA-256 leaf hash
 * of its exact text equals the leaf hash stored at i when it was appended (a changed, inserted
 * or replaced record); its sealed personal fields hash to the record's commitment. Then every
 * stored checkpoint: its signature verifies with a trusted key, its origin is ours, and its root
 * equals the root recomputed from the records at its size, which also proves that all
 * checkpoints are prefixes of one tree (mutual consistency). Finally, fewer records than the
 * head or the latest checkpoint claim is a truncation, found at the first missing index.
 *
 * An attacker who rewrites records *and* their stored leaf hashes is still caught by the signed
 * checkpoints; the index is then bounded by the first checkpoint whose root differs.
 *
 * How: pages of records are read in order, each checked by `checkPage` (verify-page.ts) on this
 * thread or on worker threads (`checker`, startVerifyWorkers), which also hashes the page's
 * leaves into the aligned subtrees of the recomputed tree. The next pages are read while earlier
 * ones are checked; results are taken strictly in order, so the report is the same whichever
 * checker ran, and the same as checking one record after the other.
 */
export async function verifyLedger(opts: {
  store: LedgerStore;
  verifiers: readonly Verifier[];
  origin: string;
  /**
   * The last checkpoint this installation signed, from its pin file (checkpoint-pin.ts): a
   * database rolled back together with its checkpoint rows is still caught, at the pinned size.
   */
  pinned?: { readonly size: number; readonly root: Buffer };
  onProgress?: (done: number, total: number) => void;
  /** Where pages are checked (default: on this thread). The caller closes it. */
  checker?: PageChecker;
  /** Rows per page (default 4096). */
  pageSize?: number;
}): Promise<LedgerVerifyReport> {
  const { store, verifiers, origin, onProgress, pinned } = opts;
  const checker = opts.checker ?? inlinePageChecker;
  const page = opts.pageSize ?? defaultPage;
  const headSize = await store.size();
  const checkpoints = await store.allCheckpoints();
  const claimed = Math.max(headSize, checkpoints.at(-1)?.size ?? 0, pinned?.size ?? 0);
  let pinChecked = pinned === undefined || pinned.size === 0;
  const problems: string[] = [];
  let firstBad: { index: number; reason: string } | null = null;
  const bad = (index: number, reason: string) => {
    firstBad ??= { index, reason };
    if (problems.length < maxProblems) problems.push(`index ${index}: ${reason}`);
  };

  let frontier = new Frontier();
  let nextCheckpoint = 0;
  let checkpointsVerified = 0;
  /** Checks every checkpoint up to `size`, the tree at exactly `size` having `root` (null: the records end before). */
  const checkAt = (size: number, root: () => Buffer | null) => {
    while (nextCheckpoint < checkpoints.length && (checkpoints[nextCheckpoint] as StoredCheckpoint).size <= size) {
      const c = checkpoints[nextCheckpoint++] as StoredCheckpoint;
      const why = checkpointProblem(c, c.size === size ? root() : null, verifiers, origin);
      if (why === null) checkpointsVerified++;
      else bad(Math.min(c.size, firstBad?.index ?? c.size), `checkpoint of size ${c.size}: ${why}`);
    }
  };
  const checkPin = (size: number, root: () => Buffer) => {
    if (pinChecked || pinned === undefined || size !== pinned.size) return;
    pinChecked = true;
    if (!root().equals(pinned.root)) bad(Math.min(pinned.size, (firstBad as { index: number } | null)?.index ?? pinned.size), `the tree at size ${pinned.size} differs from the last checkpoint this installation signed (pin file)`);
  };
  checkAt(0, () => frontier.root());

  /** Tree sizes inside (start, start + n) at which a checkpoint or the pin needs the root (the page's end comes with every page). */
  const cutsIn = (start: number, n: number): number[] => {
    const inside = (size: number) => size > start && size < start + n;
    const sizes = checkpoints.map((c) => c.size).filter(inside);
    if (pinned !== undefined && inside(pinned.size) && !sizes.includes(pinned.size)) sizes.push(pinned.size);
    return sizes.sort((a, b) => a - b);
  };
  const read = (from: number) => store.verifyPage(from, page);

  // Reading runs ahead of checking by up to `checker.parallel` pages; results are used in order.
  const inFlight: { input: PageInput; result: Promise<PageResult> }[] = [];
  let events = 0;
  /** The index after the last row read: where the next page starts, and in the end where the records end. */
  let position = 0;
  let treeSize = 0;
  let reading: ReturnType<typeof read> | null = read(0);
  const take = async (): Promise<void> => {
    const { input, result } = inFlight.shift() as { input: PageInput; result: Promise<PageResult> };
    const checked = await result;
    const start = frontier;
    const end = input.treeStart + input.seqs.length;
    const rootAt = (size: number) => (): Buffer => {
      const cut = checked.cuts.find((c) => c.size === size) as PageResult['cuts'][number];
      const tree = start.clone();
      for (const b of cut.blocks) tree.appendSubtree(b.level, Buffer.from(b.hash, 'hex'));
      return tree.root();
    };
    // Problems, checkpoints and the pin in the order a record-by-record reading meets them: the
    // problems of row r before the checks at tree size treeStart + r + 1.
    let p = 0;
    const problemsBefore = (size: number) => {
      while (p < checked.problems.length && input.treeStart + (checked.problems[p] as { row: number }).row < size) {
        const problem = checked.problems[p++] as PageResult['problems'][number];
        bad(problem.index, problem.reason);
      }
    };
    for (const size of input.cuts) {
      problemsBefore(size);
      checkAt(size, rootAt(size));
      checkPin(size, rootAt(size));
    }
    problemsBefore(end);
    const after = start.clone();
    for (const b of checked.blocks) after.appendSubtree(b.level, Buffer.from(b.hash, 'hex'));
    frontier = after;
    checkAt(end, () => after.root());
    checkPin(end, () => after.root());
    events += input.seqs.length;
    onProgress?.(Math.min((input.seqs.at(-1) as number) + 1, claimed), claimed);
  };
  try {
    while (reading !== null || inFlight.length > 0) {
      if (reading !== null && inFlight.length <= checker.parallel) {
        const { rows, leaves } = await reading;
        reading = null;
        if (rows.length === 0) continue;
        const input = pageInput({ position, treeStart: treeSize, cuts: cutsIn(treeSize, rows.length) }, rows, leaves);
        treeSize += rows.length;
        position = (input.seqs.at(-1) as number) + 1;
        if (rows.length === page) reading = read(position);
        const result = checker.check(input);
        // Taken (and its failure thrown) in order; until then a failure must not count as unhandled.
        result.catch(() => undefined);
        inFlight.push({ input, result });
        continue;
      }
      await take();
    }
  } finally {
    // Nothing left running behind a failure: a page still being checked or read is waited for.
    await Promise.allSettled([...inFlight.map((f) => f.result), ...(reading === null ? [] : [reading])]);
  }
  if (position < claimed) {
    const who = headSize >= claimed ? 'its head' : (checkpoints.at(-1)?.size ?? 0) >= claimed ? 'a signed checkpoint' : 'the pin file of the last signed checkpoint';
    bad(position, `the ledger ends at ${position} records but ${who} claims ${claimed}: records were removed from the end`);
  }
  if (position > headSize) bad(headSize, `${position - headSize} records beyond the committed size ${headSize}: records were added outside the ledger`);
  checkAt(Number.MAX_SAFE_INTEGER, () => null);
  onProgress?.(claimed, claimed);
  const problem = firstBad as { index: number; reason: string } | null;
  return { events, headSize, checkpoints: checkpoints.length, checkpointsVerified, firstBad: problem, problems, ok: problem === null };
}

function checkpointProblem(c: StoredCheckpoint, recomputed: Buffer | null, verifiers: readonly Verifier[], origin: string): string | null {
  let body: string;
  try {
    body = openNote(c.note, verifiers).body;
  } catch (e) {
    return `signature does not verify (${e instanceof Error ? e.message : String(e)})`;
  }
  let parsed;
  try {
    parsed = parseCheckpoint(body);
  } catch (e) {
    return `body is not a checkpoint (${e instanceof Error ? e.message : String(e)})`;
  }
  if (parsed.origin !== origin) return `origin is "${parsed.origin}", not "${origin}"`;
  if (parsed.size !== c.size || !parsed.root.equals(c.root)) return 'the signed note does not match its stored size and root';
  if (recomputed === null) return 'the ledger holds fewer records than this checkpoint';
  if (!recomputed.equals(parsed.root)) return 'its root differs from the root recomputed from the records';
  return null;
}
