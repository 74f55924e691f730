import { AppError } from '../lib/errors.ts';
import { parseCheckpoint } from '../tlog/checkpoint.ts';
import { openNote, parseVerifierKey } from '../tlog/signed-note.ts';
import { rangeHashFrom, withNodes, type NodeCoord } from '../tlog/tree-nodes.ts';

/** How a restored ledger stands against a checkpoint published before the restore. */
export type PublishedStanding =
  /** The restored tree has the published checkpoint's root at its size: nothing was lost past it. */
  | { readonly kind: 'consistent'; readonly size: number; readonly root: Buffer }
  /** The published checkpoint is larger than the restored tree: `missing` leaves are gone. */
  | { readonly kind: 'behind'; readonly size: number; readonly root: Buffer; readonly missing: number }
  /** The restored tree has another root at the published size: not the published log. */
  | { readonly kind: 'contradicts'; readonly size: number; readonly root: Buffer };

/**
 * Judges a published checkpoint (a C2SP signed note, as witnesses, the SIEM or an evidence
 * package hold it) against a restored ledger. The note MUST be signed by this ledger's key
 * (`vkey`) and carry its `origin`; else VALIDATION_FAILED, since an unrelated checkpoint says
 * nothing about this ledger.
 */
export async function judgePublishedCheckpoint(opts: {
  note: string;
  vkey: string;
  origin: string;
  ledgerSize: number;
  nodes: (coords: NodeCoord[]) => Promise<Map<string, Buffer>>;
}): Promise<PublishedStanding> {
  let body: string;
  try {
    body = openNote(opts.note, [parseVerifierKey(opts.vkey)]).body;
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `the published checkpoint is not signed by this ledger's key: ${e instanceof Error ? e.message : String(e)}`);
  }
  const cp = parseCheckpoint(body);
  if (cp.origin !== opts.origin) throw new AppError('VALIDATION_FAILED', `the published checkpoint is of log "${cp.origin}", this ledger is "${opts.origin}"`);
  if (cp.size > opts.ledgerSize) return { kind: 'behind', size: cp.size, root: cp.root, missing: cp.size - opts.ledgerSize };
  if (cp.size === 0) return { kind: 'consistent', size: 0, root: cp.root };
  const root = await withNodes((lookup) => rangeHashFrom(lookup)(0, cp.size), opts.nodes);
  return root.equals(cp.root) ? { kind: 'consistent', size: cp.size, root: cp.root } : { kind: 'contradicts', size: cp.size, root: cp.root };
}
