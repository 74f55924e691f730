import { AppError } from '../lib/errors.ts';
import { leafRecordOf, leafText, type AuditInput, type LeafRecord } from './audit-event.ts';
import type { StoredEvent } from './ledger.store.ts';
import { sealedDigest } from './personal-sealer.ts';
import { leafHashOfText } from '../tlog/merkle.ts';
import type { Frontier, TreeNode } from '../tlog/tree-nodes.ts';

/** A committed event. */
export interface RecordedEvent {
  readonly seq: number;
  readonly id: string;
  /** The canonical leaf text. */
  readonly text: string;
  readonly record: LeafRecord;
}

/** An event waiting in the ledger's queue. */
export interface Pending {
  readonly input: AuditInput;
  readonly id: string;
  readonly timeMs: number;
  /** Sealing of the personal fields, started at `record` and settled (never rejects); null without any. */
  readonly sealing: Promise<{ sealed: string } | { error: unknown }> | null;
  readonly resolve: (e: RecordedEvent) => void;
  readonly reject: (e: unknown) => void;
}

/** A pending event whose personal fields are sealed, ready to append. */
export interface Sealed {
  readonly pending: Pending;
  readonly personal: LeafRecord['personal'];
  readonly sealed: string | null;
}

/** A batch encoded as the leaves following one tree: the rows only belong on top of exactly `base`. */
export interface EncodedBatch {
  readonly base: Frontier;
  /** The tree once the batch is appended. */
  readonly after: Frontier;
  readonly rows: StoredEvent[];
  /** Every stored node the batch completes, leaves included. */
  readonly nodes: TreeNode[];
  readonly events: RecordedEvent[];
}

/** The batch with its personal fields sealed; an event that could not be sealed is rejected and left out. */
export async function sealedBatch(batch: readonly Pending[]): Promise<Sealed[]> {
  const ready: Sealed[] = [];
  for (const pending of batch) {
    if (pending.sealing === null) {
      ready.push({ pending, personal: undefined, sealed: null });
      continue;
    }
    const outcome = await pending.sealing;
    if ('error' in outcome) {
      const e = outcome.error;
      pending.reject(new AppError('AUDIT_UNAVAILABLE', `the audit ledger could not seal personal fields: ${e instanceof Error ? e.message : String(e)}`));
      continue;
    }
    ready.push({ pending, personal: { subject: pending.input.actor.id, sha256: sealedDigest(outcome.sealed) }, sealed: outcome.sealed });
  }
  return ready;
}

/**
 * Encodes a batch as the leaves following `base` (which is not changed): each record with its
 * leaf index, its canonical text, its leaf hash and the tree nodes its append completes. Pure and
 * synchronous, so the ledger can encode the next batch while the previous one commits.
 */
export function encodeBatch(batch: readonly Sealed[], base: Frontier): EncodedBatch {
  const after = base.clone();
  const rows: StoredEvent[] = new Array<StoredEvent>(batch.length);
  const events: RecordedEvent[] = new Array<RecordedEvent>(batch.length);
  const nodes: TreeNode[] = [];
  for (let i = 0; i < batch.length; i++) {
    const { pending: p, personal, sealed } = batch[i] as Sealed;
    const seq = after.size;
    const record = leafRecordOf(p.input, { id: p.id, timeMs: p.timeMs, personal }, seq);
    const text = leafText(record);
    after.appendTo(leafHashOfText(text), nodes);
    rows[i] = {
      seq,
      eventId: p.id,
      timeMs: p.timeMs,
      type: p.input.type,
      actorId: p.input.actor.id,
      cameraId: p.input.cameraId ?? null,
      targetId: p.input.target?.id ?? null,
      record: text,
      personal: sealed,
    };
    events[i] = { seq, id: p.id, text, record };
  }
  return { base, after, rows, nodes, events };
}
