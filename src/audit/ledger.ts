import { randomUUID } from 'node:crypto';
import { AppError, isAppError } from '../lib/errors.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { personalFieldsOf, type AuditInput, type LeafRecord } from './audit-event.ts';
import { isAuditEventType } from './catalogue.ts';
import { formatCheckpoint } from '../tlog/checkpoint.ts';
import type { CheckpointPin } from './checkpoint-pin.ts';
import type { LedgerKey } from './ledger-signer.ts';
import { encodeBatch, sealedBatch, type EncodedBatch, type Pending, type RecordedEvent, type Sealed } from './ledger-batch.ts';
import type { LedgerStore, StoredCheckpoint } from './ledger.store.ts';
import { consistencyProofOf, inclusionProofOf } from '../tlog/merkle-proofs.ts';
import type { PersonalSealer } from './personal-sealer.ts';
import { signNote } from '../tlog/signed-note.ts';
import { formatProofBundle } from '../tlog/tlog-proof.ts';
import { Frontier, frontierCoords, nodeKey, rangeHashFrom, withNodes, type NodeCoord } from '../tlog/tree-nodes.ts';

/** What every module is handed to record audit events (one interface, LOG-1). */
export interface AuditSink {
  /**
   * Resolves once the event is durably committed, with its leaf index. Rejects with
   * AUDIT_UNAVAILABLE when the ledger cannot write: the caller MUST then fail the action it
   * was about to audit, not carry it out unlogged.
   */
  record(input: AuditInput): Promise<RecordedEvent>;
}

export type { RecordedEvent } from './ledger-batch.ts';

export interface LedgerDeps {
  readonly store: LedgerStore;
  readonly sealer: PersonalSealer;
  readonly key: LedgerKey;
  readonly pin: CheckpointPin;
  readonly clock: Clock;
  readonly log: Logger;
  /** The log's origin line in checkpoints (also the key name). */
  readonly origin: string;
  /** Events per transaction at most (group commit). */
  readonly maxBatch?: number;
  /** Events waiting at most before `record` waits for room (back-pressure, never drops). */
  readonly maxQueue?: number;
  /** Sign a checkpoint once this many events were appended since the last one. */
  readonly checkpointEntries?: number;
  /** Called with every committed batch, in order (the alarm rules listen here). */
  readonly onCommitted?: (records: readonly LeafRecord[]) => void;
  /** Called with every checkpoint this process newly signed, after it committed (the witnesses listen here). */
  readonly onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
  /**
   * Whether this process signs the periodic checkpoints now (cluster mode: it holds the
   * checkpoint-signer lease). Timed, every-N-entries and closing checkpoints wait for their turn;
   * a checkpoint asked for a proof (`checkpoint()`) is signed by any node, under the same lock and
   * fork guard. Always this process's turn when unset.
   */
  readonly signingTurn?: () => boolean;
}

const systemActor = { kind: 'system', id: 'system:audit-ledger' } as const;

/**
 * The tamper-evident audit ledger (LOG-2): every event is a leaf of an RFC 9162 Merkle tree
 * kept as stored perfect subtrees, committed in batches (group commit), and the tree heads are
 * signed as C2SP checkpoints.
 *
 * Contracts:
 * - `record` resolves only after the transaction holding the event committed; order of leaves
 *   is the order of `record` calls within this process.
 * - The queue is bounded: past `maxQueue` waiting events, `record` waits for room. Nothing is
 *   ever dropped; a failed write rejects every event of its batch (AUDIT_UNAVAILABLE).
 * - Checkpoints: never two inconsistent ones. Before signing size n, the ledger checks that
 *   the stored tree at the size of the last signed checkpoint (from the database and from the
 *   pin file) has that checkpoint's root; otherwise it refuses (AUDIT_CHECKPOINT_REFUSED) and
 *   records an alarm.
 */
export class AuditLedger implements AuditSink {
  readonly #deps: LedgerDeps;
  readonly #maxBatch: number;
  readonly #maxQueue: number;
  readonly #checkpointEntries: number;
  readonly #queue: Pending[] = [];
  readonly #roomWaiters: (() => void)[] = [];
  /** The tree as last committed by this process; undefined until loaded or after a failure. */
  #frontier: Frontier | undefined;
  #flushing: Promise<void> | null = null;
  #signing: Promise<unknown> = Promise.resolve();
  #lastSignedSize = 0;
  #closed = false;
  #announced = false;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(deps: LedgerDeps) {
    this.#deps = deps;
    this.#maxBatch = deps.maxBatch ?? 1000;
    this.#maxQueue = deps.maxQueue ?? 10_000;
    this.#checkpointEntries = deps.checkpointEntries ?? 1000;
  }

  /** Committed size as this process knows it. */
  get size(): number {
    return this.#frontier?.size ?? 0;
  }

  /** The verifier key (C2SP vkey) of this ledger's checkpoints. */
  get vkey(): string {
    return this.#deps.key.vkey;
  }

  get origin(): string {
    return this.#deps.origin;
  }

  /**
   * Loads the tree head. The server's ledger `announce`s itself: `audit.ledger.started` now and
   * `audit.ledger.stopped` at close (so an unclean stop shows as a start without a stop). A CLI
   * command writes into the same ledger without announcing.
   */
  async open(opts: { announce: boolean }): Promise<void> {
    const size = await this.#deps.store.size();
    this.#frontier = await loadFrontier((c) => this.#deps.store.nodes(c), size);
    const last = await this.#deps.store.latestCheckpoint();
    this.#lastSignedSize = last?.size ?? 0;
    this.#announced = opts.announce;
    if (opts.announce) await this.record({ type: 'audit.ledger.started', actor: systemActor, outcome: 'success', details: { resumedAtSize: size, lastCheckpointSize: last?.size ?? 0 } });
  }

  /** Starts the heartbeat and the periodic checkpoint. */
  startTimers(opts: { heartbeatMs: number; checkpointMs: number }): void {
    const beat = setInterval(() => {
      this.record({ type: 'audit.ledger.heartbeat', actor: systemActor, outcome: 'success' }).catch((e: unknown) => this.#deps.log.error({ err: e }, 'audit heartbeat failed'));
    }, opts.heartbeatMs);
    const sign = setInterval(() => {
      if (this.#deps.signingTurn?.() === false) return;
      this.checkpoint().catch((e: unknown) => this.#deps.log.error({ err: e }, 'audit checkpoint failed'));
    }, opts.checkpointMs);
    beat.unref();
    sign.unref();
    this.#timers.push(beat, sign);
  }

  async record(input: AuditInput): Promise<RecordedEvent> {
    if (this.#closed) throw new AppError('AUDIT_UNAVAILABLE', 'the audit ledger is closed');
    if (!isAuditEventType(input.type)) throw new AppError('VALIDATION_FAILED', `audit event type "${String(input.type)}" is not in the catalogue`);
    while (this.#queue.length >= this.#maxQueue) await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    const fields = personalFieldsOf(input);
    // Queued now, sealed meanwhile: an event with personal fields keeps its place in call order.
    const sealing =
      fields === undefined
        ? null
        : this.#deps.sealer.seal(input.actor.id, fields).then(
            (sealed) => ({ sealed }),
            (error: unknown) => ({ error }),
          );
    return new Promise<RecordedEvent>((resolve, reject) => {
      this.#queue.push({ input, id: randomUUID(), timeMs: this.#deps.clock.now(), sealing, resolve, reject });
      this.#flushing ??= this.#flushAll();
    });
  }

  /**
   * Writes the queue in batches, in order. Pipelined: while one batch commits, the next full one
   * is sealed and encoded against the tree the first will leave (its predicted base). It is only
   * written after the first settled: encoded again before that if the first failed or was itself
   * encoded again, and inside the lock if another process appended meanwhile.
   */
  async #flushAll(): Promise<void> {
    let writing: Promise<void> | null = null;
    /** The tree the write in flight leaves if it commits (undefined: not known). */
    let predicted: Frontier | undefined;
    try {
      for (;;) {
        // Only a full batch is taken while another commits: otherwise the events arriving during
        // the commit join this batch (group commit, as few transactions as possible).
        if (writing !== null && this.#queue.length < this.#maxBatch) {
          await writing;
          writing = null;
        }
        if (this.#queue.length === 0) break;
        const batch = this.#queue.splice(0, this.#maxBatch);
        for (const wake of this.#roomWaiters.splice(0)) wake();
        const sealed = await sealedBatch(batch);
        if (sealed.length === 0) continue;
        const base = writing === null ? this.#frontier : predicted;
        let encoded = base === undefined ? null : encodeBatch(sealed, base);
        if (writing !== null) {
          await writing;
          // The write before did not leave the predicted tree (it failed, or was encoded again):
          // encode this batch on the tree it did leave, so the next prediction holds again.
          if (encoded?.base !== this.#frontier) encoded = this.#frontier === undefined ? null : encodeBatch(sealed, this.#frontier);
        }
        predicted = encoded?.after;
        writing = this.#write(sealed, encoded);
        // A synchronous driver (better-sqlite3) commits without ever returning to the event loop:
        // without this, a backlog of batches would starve timers, I/O and checkpoint signing.
        if (this.#queue.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#flushing = null;
    }
  }

  /**
   * Appends a batch in one transaction and settles its events (never rejects). `encoded` is used
   * only when it was encoded on top of exactly the tree committed now; otherwise the batch is
   * encoded again inside the lock.
   */
  async #write(batch: Sealed[], encoded: EncodedBatch | null): Promise<void> {
    let committed: EncodedBatch;
    try {
      committed = await this.#deps.store.locked(async (tx, size) => {
        if (encoded !== null && encoded.base === this.#frontier && encoded.base.size === size) {
          await tx.append(encoded.rows, encoded.nodes, encoded.after.size);
          return encoded;
        }
        const base = this.#frontier?.size === size ? this.#frontier : await loadFrontier((c) => tx.nodes(c), size);
        const fresh = encodeBatch(batch, base);
        await tx.append(fresh.rows, fresh.nodes, fresh.after.size);
        return fresh;
      });
    } catch (e) {
      this.#frontier = undefined;
      // A full disk or an unreachable database is the ledger being unavailable (the contract of
      // `record`); the message keeps the real cause.
      const error = isAppError(e, 'AUDIT_UNAVAILABLE') ? e : new AppError('AUDIT_UNAVAILABLE', `the audit ledger could not write: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      this.#deps.log.error({ err: e, events: batch.length }, 'audit ledger write failed');
      for (const s of batch) s.pending.reject(error);
      return;
    }
    this.#frontier = committed.after;
    for (let i = 0; i < batch.length; i++) (batch[i] as Sealed).pending.resolve(committed.events[i] as RecordedEvent);
    try {
      this.#deps.onCommitted?.(committed.events.map((e) => e.record));
    } catch (e) {
      this.#deps.log.error({ err: e }, 'audit listener failed');
    }
    if (committed.after.size - this.#lastSignedSize >= this.#checkpointEntries && this.#deps.signingTurn?.() !== false) {
      this.checkpoint().catch((e: unknown) => this.#deps.log.error({ err: e }, 'audit checkpoint failed'));
    }
  }

  /** Waits until every event recorded so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /**
   * Signs a checkpoint of the committed tree unless the latest one already covers it; returns
   * the latest checkpoint (undefined while the ledger is empty). Calls are serialised.
   */
  checkpoint(): Promise<StoredCheckpoint | undefined> {
    const run = this.#signing.then(() => this.#sign());
    this.#signing = run.catch(() => undefined);
    return run;
  }

  async #sign(): Promise<StoredCheckpoint | undefined> {
    const { store, pin, key, clock, origin } = this.#deps;
    const pinned = await pin.read();
    let signed: StoredCheckpoint | undefined;
    let fresh = false;
    try {
      signed = await store.locked(async (tx, size) => {
        const last = await tx.latestCheckpoint();
        if (size === 0 || last?.size === size) return last;
        const references = [last, pinned].filter((r): r is { size: number; root: Buffer } => r !== undefined && r.size > 0);
        for (const ref of references) {
          if (ref.size > size) throw refused(`the ledger holds ${size} events but a checkpoint of ${ref.size} was signed`);
        }
        const roots = await withNodes((lookup) => {
          const range = rangeHashFrom(lookup);
          return { root: range(0, size), refs: references.map((r) => range(0, r.size)) };
        }, (c) => tx.nodes(c));
        for (const [i, ref] of references.entries()) {
          if (!(roots.refs[i] as Buffer).equals(ref.root)) throw refused(`the stored tree at size ${ref.size} does not match the checkpoint signed at that size`);
        }
        const note = signNote(formatCheckpoint({ origin, size, root: roots.root }), key.signer);
        const checkpoint: StoredCheckpoint = { size, root: roots.root, note, signedMs: clock.now() };
        await tx.insertCheckpoint(checkpoint);
        fresh = true;
        return checkpoint;
      });
    } catch (e) {
      if (isAppError(e, 'AUDIT_CHECKPOINT_REFUSED')) {
        this.#deps.log.error({ reason: e.message }, 'audit checkpoint refused');
        await this.record({
          type: 'alarm.raised',
          actor: systemActor,
          outcome: 'success',
          details: { rule: 'checkpoint-refused', title: 'The ledger refused to sign an inconsistent checkpoint', reason: e.message },
        }).catch(() => undefined);
      }
      throw e;
    }
    if (signed !== undefined) {
      this.#lastSignedSize = Math.max(this.#lastSignedSize, signed.size);
      if (pinned === undefined || signed.size > pinned.size) await pin.write(signed.size, signed.root);
      if (fresh) {
        try {
          this.#deps.onCheckpoint?.(signed);
        } catch (e) {
          this.#deps.log.error({ err: e }, 'checkpoint listener failed');
        }
      }
    }
    return signed;
  }

  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.#deps.store.latestCheckpoint();
  }

  /** Signed checkpoints, newest first, below `beforeSize` when given. */
  checkpoints(limit: number, beforeSize?: number): Promise<StoredCheckpoint[]> {
    return this.#deps.store.checkpoints(limit, beforeSize);
  }

  /** Inclusion proof of leaf `seq` in the tree of `size` leaves (size ≤ committed size). */
  async inclusionProof(seq: number, size: number): Promise<Buffer[]> {
    await this.#assertSize(size);
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= size) throw new AppError('VALIDATION_FAILED', `leaf ${seq} is not in a tree of ${size} leaves`);
    return withNodes((lookup) => inclusionProofOf(rangeHashFrom(lookup), size, seq), (c) => this.#deps.store.nodes(c));
  }

  /** Consistency proof from `from` to `to` leaves (1 ≤ from ≤ to ≤ committed size). */
  async consistencyProof(from: number, to: number): Promise<Buffer[]> {
    await this.#assertSize(to);
    if (!Number.isSafeInteger(from) || from < 1 || from > to) throw new AppError('VALIDATION_FAILED', `a consistency proof needs 1 ≤ from ≤ to, got ${from} and ${to}`);
    return withNodes((lookup) => consistencyProofOf(rangeHashFrom(lookup), to, from), (c) => this.#deps.store.nodes(c));
  }

  /**
   * A C2SP tlog-proof bundle for leaf `seq` against the latest checkpoint, signing a new
   * checkpoint first when the latest does not cover the leaf yet.
   */
  async proofBundle(seq: number): Promise<{ bundle: string; checkpoint: StoredCheckpoint }> {
    let checkpoint = await this.#deps.store.latestCheckpoint();
    if (checkpoint === undefined || checkpoint.size <= seq) checkpoint = await this.checkpoint();
    if (checkpoint === undefined || checkpoint.size <= seq) throw new AppError('NOT_FOUND', `audit event ${seq} does not exist`);
    const proof = await this.inclusionProof(seq, checkpoint.size);
    return { bundle: formatProofBundle({ index: seq, proof, checkpoint: checkpoint.note }), checkpoint };
  }

  /** The first leaf of `type` for each target id that has one (e.g. the leaves of segments). */
  async leavesOfTargets(type: AuditInput['type'], targetIds: readonly string[]): Promise<Map<string, { seq: number; text: string }>> {
    const found = new Map<string, { seq: number; text: string }>();
    for (const e of await this.#deps.store.eventsByTarget(type, targetIds)) {
      if (e.targetId !== null && !found.has(e.targetId)) found.set(e.targetId, { seq: e.seq, text: e.record });
    }
    return found;
  }

  /** Inclusion proof bundles of `seqs` against one checkpoint covering all of them (signed if needed). */
  async proofsFor(seqs: readonly number[]): Promise<{ checkpoint: StoredCheckpoint; bundles: Map<number, string> }> {
    const highest = Math.max(-1, ...seqs);
    let checkpoint = await this.#deps.store.latestCheckpoint();
    if (checkpoint === undefined || checkpoint.size <= highest) checkpoint = await this.checkpoint();
    if (checkpoint === undefined || checkpoint.size <= highest) throw new AppError('AUDIT_UNAVAILABLE', `no checkpoint covers audit event ${highest}`);
    const bundles = new Map<number, string>();
    for (const seq of seqs) {
      bundles.set(seq, formatProofBundle({ index: seq, proof: await this.inclusionProof(seq, checkpoint.size), checkpoint: checkpoint.note }));
    }
    return { checkpoint, bundles };
  }

  async #assertSize(size: number): Promise<void> {
    const committed = await this.#deps.store.size();
    if (!Number.isSafeInteger(size) || size < 1 || size > committed) throw new AppError('VALIDATION_FAILED', `tree size ${size} is not in 1..${committed}`);
  }

  /** Records `audit.ledger.stopped` (when announced), commits everything, signs a final checkpoint, closes. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const t of this.#timers) clearInterval(t);
    if (this.#announced) await this.record({ type: 'audit.ledger.stopped', actor: systemActor, outcome: 'success' }).catch((e: unknown) => this.#deps.log.error({ err: e }, 'could not record ledger stop'));
    this.#closed = true;
    await this.drain();
    if (this.#deps.signingTurn?.() === false) return;
    await this.checkpoint().catch((e: unknown) => this.#deps.log.error({ err: e }, 'final audit checkpoint failed'));
  }
}

function refused(message: string): AppError {
  return new AppError('AUDIT_CHECKPOINT_REFUSED', message);
}

/** The frontier of the stored tree at `size`. */
async function loadFrontier(fetch: (coords: NodeCoord[]) => Promise<Map<string, Buffer>>, size: number): Promise<Frontier> {
  const coords = frontierCoords(size);
  const found = await fetch(coords);
  const nodes = coords.map((c) => {
    const hash = found.get(nodeKey(c.level, c.index));
    if (hash === undefined) throw new AppError('AUDIT_UNAVAILABLE', `the audit tree is damaged: node (${c.level}, ${c.index}) of size ${size} is missing; run custos audit verify`);
    return { ...c, hash };
  });
  return new Frontier(size, nodes);
}

