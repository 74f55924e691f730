/**
 * `verifyLedger` as it was until 2026-12-07 (src/audit/verify-ledger.ts at f88362f), frozen:
 * one record after the other on one thread. The tamper suite checks that the current verify,
 * inline and on worker threads, reports exactly what this one reports. Test-only.
 */
import { createHash } from 'node:crypto';
import { parseCheckpoint } from '../../src/tlog/checkpoint.ts';
import type { LedgerStore, StoredCheckpoint, StoredEvent } from '../../src/audit/ledger.store.ts';
import { leafHashOfText } from '../../src/tlog/merkle.ts';
import { openNote, type Verifier } from '../../src/tlog/signed-note.ts';
import { Frontier } from '../../src/tlog/tree-nodes.ts';

/** The outcome of a full verification. */
interface LedgerVerifyReport {
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

const page = 5000;
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
 */
export async function verifyLedger2026(opts: {
  store: LedgerStore;
  verifiers: readonly Verifier[];
  origin: string;
  /**
   * The last checkpoint this installation signed, from its pin file (checkpoint-pin.ts): a
   * database rolled back together with its checkpoint rows is still caught, at the pinned size.
   */
  pinned?: { readonly size: number; readonly root: Buffer };
  onProgress?: (done: number, total: number) => void;
}): Promise<LedgerVerifyReport> {
  const { store, verifiers, origin, onProgress, pinned } = opts;
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

  const frontier = new Frontier();
  let nextCheckpoint = 0;
  let checkpointsVerified = 0;
  let events = 0;
  const checkAt = (size: number) => {
    while (nextCheckpoint < checkpoints.length && (checkpoints[nextCheckpoint] as StoredCheckpoint).size <= size) {
      const c = checkpoints[nextCheckpoint++] as StoredCheckpoint;
      const why = checkpointProblem(c, frontier.size === c.size ? frontier.root() : null, verifiers, origin);
      if (why === null) checkpointsVerified++;
      else bad(Math.min(c.size, firstBad?.index ?? c.size), `checkpoint of size ${c.size}: ${why}`);
    }
  };
  checkAt(0);

  let position = 0;
  for (;;) {
    const [rows, leaves] = await Promise.all([store.eventPage(position, page), store.leafPage(position, page)]);
    if (rows.length === 0) break;
    const stored = new Map(leaves.map((l) => [l.index, l.hash]));
    for (const row of rows) {
      // A gap in the indexes: rows were deleted at `position`.
      if (row.seq !== position) {
        bad(position, `the record at index ${position} is missing (the next stored record has index ${row.seq})`);
        position = row.seq;
      }
      const leaf = leafHashOfText(row.record);
      const reason = recordProblem(row, position, leaf, stored.get(position));
      if (reason !== null) bad(position, reason);
      frontier.append(leaf);
      position++;
      events++;
      checkAt(frontier.size);
      if (!pinChecked && pinned !== undefined && frontier.size === pinned.size) {
        pinChecked = true;
        if (!frontier.root().equals(pinned.root)) bad(Math.min(pinned.size, (firstBad as { index: number } | null)?.index ?? pinned.size), `the tree at size ${pinned.size} differs from the last checkpoint this installation signed (pin file)`);
      }
    }
    onProgress?.(Math.min(position, claimed), claimed);
    if (rows.length < page) break;
  }
  if (position < claimed) {
    const who = headSize >= claimed ? 'its head' : (checkpoints.at(-1)?.size ?? 0) >= claimed ? 'a signed checkpoint' : 'the pin file of the last signed checkpoint';
    bad(position, `the ledger ends at ${position} records but ${who} claims ${claimed}: records were removed from the end`);
  }
  if (position > headSize) bad(headSize, `${position - headSize} records beyond the committed size ${headSize}: records were added outside the ledger`);
  checkAt(Number.MAX_SAFE_INTEGER);
  onProgress?.(claimed, claimed);
  const problem = firstBad as { index: number; reason: string } | null;
  return { events, headSize, checkpoints: checkpoints.length, checkpointsVerified, firstBad: problem, problems, ok: problem === null };
}

function recordProblem(row: StoredEvent, index: number, leaf: Buffer, storedLeaf: string | undefined): string | null {
  // A record that hashes to the leaf committed at this index is the record committed there,
  // whose `seq` is this index by construction: the JSON needs parsing only to say what is wrong,
  // or to check the sealed personal fields against their commitment.
  const committed = storedLeaf !== undefined && leaf.toString('hex') === storedLeaf;
  if (committed && row.personal === null) return null;
  let record: { seq?: unknown; personal?: { sha256?: unknown } };
  try {
    record = JSON.parse(row.record) as typeof record;
  } catch {
    return 'the record is not valid JSON (altered)';
  }
  if (record.seq !== index) return `the record says it is index ${String(record.seq)} (records were moved, swapped or inserted)`;
  if (storedLeaf === undefined) return 'no leaf hash was stored for this index';
  if (!committed) return 'the record does not hash to the leaf committed at this index (altered or replaced)';
  if (row.personal !== null) {
    const digest = createHash('sha256').update(row.personal, 'utf8').digest('hex');
    if (record.personal?.sha256 !== digest) return 'the sealed personal fields do not match the record (altered)';
  }
  return null;
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
