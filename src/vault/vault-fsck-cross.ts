/**
 * The second half of `vault fsck`: objects ↔ index ↔ ledger, both ways. Pure.
 * - An indexed object that is not there is `missing`; an object no row names is `unindexed`
 *   (start-up recovery indexes it again or quarantines it).
 * - A closed or recovered segment MUST hold the init and every indexed fragment as authentic
 *   chunks: fewer is corruption, even where the walk alone reads it as a tear (a damaged header
 *   or last chunk of a recovered segment); a closed one MUST also have its final chunk.
 * - A sealed segment leaf whose segment is neither indexed nor deleted or quarantined on record
 *   has `vanished`; an indexed closed segment without a leaf is `unsealed`.
 */
import { segmentIdOfKey } from '../recording/orphan-objects.ts';
import type { CorruptChunk, ObjectVerdict } from './fsck-verdict.ts';

/** What the database says should exist (fsck-expectations.store.ts reads it). */
export interface FsckExpectations {
  /** Indexed segments by object key. */
  readonly indexed: ReadonlyMap<string, { readonly segmentId: string; readonly state: 'open' | 'closed' | 'recovered'; readonly fragments: number }>;
  /** Segment ids with a `footage.segment.sealed` leaf, with its stated span. */
  readonly sealed: ReadonlyMap<string, { readonly start: string; readonly end: string }>;
  /** Segment ids whose deletion or quarantine is on record. */
  readonly accounted: ReadonlySet<string>;
}

/** Findings of the cross-check. */
export interface CrossFindings {
  readonly missing: { readonly key: string; readonly segmentId: string }[];
  readonly unindexed: { readonly key: string }[];
  readonly unsealed: { readonly key: string; readonly segmentId: string }[];
  readonly vanished: { readonly segmentId: string; readonly start: string; readonly end: string }[];
  /** Corruption only the index reveals, by object key. */
  readonly corrupt: { readonly key: string; readonly chunk: number | null; readonly reason: string }[];
}

/** Compares the walked objects (`verdicts` by key; empty leftovers excluded) with `expected`. */
export function crossCheck(verdicts: ReadonlyMap<string, ObjectVerdict>, empties: ReadonlySet<string>, expected: FsckExpectations): CrossFindings {
  const out: CrossFindings = { missing: [], unindexed: [], unsealed: [], vanished: [], corrupt: [] };
  for (const [key, row] of expected.indexed) {
    const v = verdicts.get(key);
    if (v === undefined) {
      if (!empties.has(key)) out.missing.push({ key, segmentId: row.segmentId });
      continue;
    }
    if (row.state !== 'open' && !expected.sealed.has(row.segmentId)) out.unsealed.push({ key, segmentId: row.segmentId });
    if (row.state === 'open' || v.unavailable !== undefined || v.corrupt.length > 0) continue;
    const needed = 1 + row.fragments;
    if (v.torn !== undefined && v.torn.wholeChunks < needed) {
      const chunk: CorruptChunk = { chunk: v.torn.wholeChunks === 0 ? null : v.torn.wholeChunks, reason: `the index names ${row.fragments} fragments (${needed} chunks) but only ${v.torn.wholeChunks} authenticate` };
      out.corrupt.push({ key, ...chunk });
    } else if (v.torn !== undefined && row.state === 'closed') {
      out.corrupt.push({ key, chunk: v.chunks, reason: 'indexed as closed but has no final chunk' });
    }
  }
  for (const key of verdicts.keys()) if (!expected.indexed.has(key)) out.unindexed.push({ key });
  // A segment whose object is still here (only its row is gone) is unindexed, not vanished.
  const present = new Set([...[...expected.indexed.values()].map((r) => r.segmentId), ...out.unindexed.map((u) => segmentIdOfKey(u.key))]);
  for (const [segmentId, span] of expected.sealed) {
    if (!present.has(segmentId) && !expected.accounted.has(segmentId)) out.vanished.push({ segmentId, ...span });
  }
  return out;
}
