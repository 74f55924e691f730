import { parseCheckpoint } from '../tlog/checkpoint.ts';
import { leafHashOfText } from '../tlog/merkle.ts';
import { openNote, type Verifier } from '../tlog/signed-note.ts';
import { Frontier } from '../tlog/tree-nodes.ts';
import { parseCheckpointLine, parseLeafLine } from '../siem/replica-format.ts';
import type { ReplicaLines } from '../siem/replica-reader.ts';

/** The database side of a replica check: its committed size and stored leaf hashes. */
export interface ReplicaDatabase {
  readonly size: number;
  /** Stored leaf hashes (hex) with index ≥ `from`, ascending, at most `limit`. */
  leafPage(from: number, limit: number): Promise<{ index: number; hash: string }[]>;
}

/** The outcome of `custos audit verify --replica`. */
export interface ReplicaVerifyReport {
  /** Leaf lines read (a torn last line not counted). */
  readonly leaves: number;
  readonly checkpoints: number;
  /** Checkpoints whose signature verified and whose root equals the root recomputed from the replica's leaves. */
  readonly checkpointsVerified: number;
  /** Whether the replica was compared with the database's tree, and how many leaves it is behind it. */
  readonly database: { readonly size: number; readonly behind: number } | null;
  /** A torn last line (a write a crash cut, never acknowledged) was ignored. */
  readonly tornTail: boolean;
  readonly firstBad: { readonly index: number; readonly reason: string } | null;
  readonly problems: readonly string[];
  readonly ok: boolean;
}

const maxProblems = 50;
const page = 5000;

/**
 * Verifies a ledger replica (LOG-3): recomputes the RFC 9162 tree from its leaf texts and checks
 * it against its own signed checkpoints (signature with the ledger key, origin, root at each
 * size) and, when given, against the database's stored leaf hashes, naming the first bad index.
 *
 * Per line i: it is `i <leaf hash> <text>` (a missing, moved or inserted line is found at its
 * index), the text hashes to the hash written beside it and its JSON `seq` is i (a changed byte
 * is found at its index), and with a database, the hash equals the leaf hash the ledger committed
 * at i. Someone who rewrites a text *and* its hash is still caught by the first checkpoint whose
 * root differs: the index is then the checkpoint's range. A replica holding fewer leaves than a
 * checkpoint claims was truncated; one holding leaves beyond the database's head shows the
 * database lost records. A replica behind the database is only reported (delivery lags).
 */
export async function verifyReplica(opts: { replica: ReplicaLines; verifiers: readonly Verifier[]; origin: string; database?: ReplicaDatabase; onProgress?: (done: number) => void }): Promise<ReplicaVerifyReport> {
  const { replica, verifiers, origin, database } = opts;
  const problems: string[] = [];
  let firstBad: { index: number; reason: string } | null = null;
  const bad = (index: number, reason: string) => {
    if (firstBad === null || index < firstBad.index) firstBad = { index, reason };
    if (problems.length < maxProblems) problems.push(`index ${index}: ${reason}`);
  };

  // Checkpoints: verified first, then checked against the tree at their sizes.
  const checkpoints: { size: number; root: Buffer }[] = [];
  for (const [n, line] of replica.checkpoints.entries()) {
    const parsed = parseCheckpointLine(line);
    if (parsed === undefined) {
      problems.push(`checkpoints.log line ${n + 1}: not a replica checkpoint line`);
      continue;
    }
    try {
      const cp = parseCheckpoint(openNote(parsed.note, verifiers).body);
      if (cp.origin !== origin) throw new Error(`origin is "${cp.origin}", not "${origin}"`);
      if (cp.size !== parsed.size) throw new Error(`the note says size ${cp.size}, the line ${parsed.size}`);
      checkpoints.push({ size: cp.size, root: cp.root });
    } catch (e) {
      bad(parsed.size, `checkpoint of size ${parsed.size}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  checkpoints.sort((a, b) => a.size - b.size);
  let next = 0;
  let verified = 0;
  let previous = 0;
  const frontier = new Frontier();
  const checkAt = (size: number) => {
    while (next < checkpoints.length && (checkpoints[next] as { size: number }).size <= size) {
      const c = checkpoints[next++] as { size: number; root: Buffer };
      if (c.size === 0) continue;
      if (frontier.size !== c.size) continue; // beyond the leaves: reported at the end
      if (frontier.root().equals(c.root)) verified++;
      else {
        const reason = `the root recomputed at size ${c.size} differs from the signed checkpoint: a leaf from index ${previous} to ${c.size - 1} was changed`;
        // A leaf already named inside this range is the more precise answer.
        const named = firstBad as { index: number } | null;
        if (named !== null && named.index >= previous && named.index < c.size) {
          if (problems.length < maxProblems) problems.push(`index ${previous}..${c.size - 1}: ${reason}`);
        } else bad(previous, reason);
      }
      previous = c.size;
    }
  };

  let dbPage: Map<number, string> = new Map();
  let dbPageEnd = 0;
  const dbHash = async (index: number): Promise<string | undefined> => {
    if (database === undefined || index >= database.size) return undefined;
    if (index >= dbPageEnd || !dbPage.has(index)) {
      const rows = await database.leafPage(index, page);
      dbPage = new Map(rows.map((r) => [r.index, r.hash]));
      dbPageEnd = index + page;
    }
    return dbPage.get(index);
  };

  let index = 0;
  const lines = replica.leaves()[Symbol.asyncIterator]();
  for (let r = await lines.next(); ; ) {
    if (r.done === true) break;
    const line = r.value;
    r = await lines.next();
    // The torn last line (no newline) was never acknowledged: not part of the replica.
    if (r.done === true && replica.tornTail) break;
    const parsed = parseLeafLine(line);
    if (parsed === undefined) {
      bad(index, 'the line is not `<index> <leaf hash> <leaf text>` (altered)');
      frontier.append(leafHashOfText(line));
    } else {
      if (parsed.seq !== index) bad(index, parsed.seq > index ? `the line for index ${index} is missing (the next line is for ${parsed.seq})` : `the line says index ${parsed.seq} (lines were moved or inserted)`);
      const leaf = leafHashOfText(parsed.text);
      if (leaf.toString('base64') !== parsed.hash) bad(index, 'the leaf text does not hash to the leaf hash written beside it (altered)');
      else {
        let seq: unknown;
        try {
          seq = (JSON.parse(parsed.text) as { seq?: unknown }).seq;
        } catch {
          seq = undefined;
        }
        if (seq !== index) bad(index, `the leaf record says it is index ${String(seq)}`);
      }
      const committed = await dbHash(index);
      if (committed !== undefined && committed !== leaf.toString('hex')) bad(index, 'the leaf differs from the one the database committed at this index');
      frontier.append(leaf);
    }
    index++;
    checkAt(frontier.size);
    if (index % page === 0) opts.onProgress?.(index);
  }
  const last = checkpoints.at(-1);
  if (last !== undefined && last.size > index) bad(index, `the replica ends at ${index} leaves but a signed checkpoint covers ${last.size}: leaves were removed from its end`);
  let db: ReplicaVerifyReport['database'] = null;
  if (database !== undefined) {
    db = { size: database.size, behind: Math.max(0, database.size - index) };
    if (index > database.size) bad(database.size, `the replica holds ${index - database.size} leaves beyond the database's head ${database.size}: the database lost records (restored from an older backup?)`);
  }
  opts.onProgress?.(index);
  const problem = firstBad as { index: number; reason: string } | null;
  return { leaves: index, checkpoints: replica.checkpoints.length, checkpointsVerified: verified, database: db, tornTail: replica.tornTail, firstBad: problem, problems, ok: problem === null && problems.length === 0 };
}
