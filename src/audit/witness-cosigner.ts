import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { checkCosignatureLine, noteBody, type Cosigner } from '../tlog/cosignature.ts';
import { formatAddCheckpoint, parseSizeBody } from '../tlog/witness-protocol.ts';
import type { CosignatureStore } from './cosignature.store.ts';
import type { AuditSink } from './ledger.ts';
import type { StoredCheckpoint } from './ledger.store.ts';
import type { WitnessTransport } from './witness-client.ts';

/** One configured witness: its key and the transport to its submission prefix. */
export interface WitnessTarget {
  readonly cosigner: Cosigner;
  readonly transport: WitnessTransport;
  /** Host of the witness URL, for the operator (never a credential). */
  readonly host: string;
}

/** How one witness stands, for status pages. */
export interface WitnessStatus {
  readonly witness: string;
  readonly host: string;
  /** Largest size it cosigned (0 when none yet). */
  readonly cosignedSize: number;
  /** 'cosigned', 'refused' (an alarm was raised) or 'unreachable' (retried with the next checkpoint). */
  readonly state: 'pending' | 'cosigned' | 'refused' | 'unreachable';
  readonly reason: string | null;
}

type Outcome = { kind: 'cosigned'; size: number } | { kind: 'refused'; status: number; reason: string } | { kind: 'unreachable'; reason: string };

interface Tracked {
  readonly target: WitnessTarget;
  known: number | undefined;
  state: WitnessStatus['state'];
  reason: string | null;
}

const systemActor = { kind: 'system', id: 'system:witness-client' } as const;

/**
 * Offers every newly signed checkpoint to the configured witnesses (https://c2sp.org/tlog-witness,
 * "add-checkpoint"), keeps their verified cosignatures beside the checkpoint, and raises
 * `audit.witness.refused` when one refuses.
 *
 * Contracts:
 * - Offers are serialised and coalesced: while one is in flight only the newest waiting
 *   checkpoint is offered next (a cosignature of size n vouches for every smaller size).
 * - The old size is the largest size the witness cosigned (from the store); a 409 answer gives
 *   the witness's size, and the request is made once more from it with a fresh consistency proof.
 * - A cosignature is stored only after it verified against the configured witness key
 *   (cosignature/v1 over the checkpoint body); an answer without one is a refusal.
 * - A refusal (403, 404, 409 that does not resolve, 422, a witness size above ours, a bad
 *   cosignature) is an alarm: `audit.witness.refused` (high), recorded when a witness turns from
 *   another state to refused, not for every checkpoint it refuses after that (each event grows
 *   the ledger, which makes a new checkpoint to offer). `audit.witness.cosigned` is recorded at the
 *   first cosignature after start or after a refusal, for the same reason.
 * - Network faults and 5xx answers are not alarms: logged, state `unreachable`, and the next
 *   checkpoint is offered as usual.
 */
export class WitnessCosigner {
  readonly #tracked: Tracked[];
  readonly #deps: { proofs: { consistencyProof(from: number, to: number): Promise<Buffer[]> }; store: CosignatureStore; audit: AuditSink; clock: Clock; log: Logger };
  #waiting: StoredCheckpoint | undefined;
  #running: Promise<void> | null = null;

  constructor(deps: {
    witnesses: readonly WitnessTarget[];
    proofs: { consistencyProof(from: number, to: number): Promise<Buffer[]> };
    store: CosignatureStore;
    audit: AuditSink;
    clock: Clock;
    log: Logger;
  }) {
    this.#tracked = deps.witnesses.map((target) => ({ target, known: undefined, state: 'pending', reason: null }));
    this.#deps = deps;
  }

  /** Schedules `checkpoint` to be offered (see the coalescing contract). */
  offer(checkpoint: StoredCheckpoint): void {
    if (this.#tracked.length === 0) return;
    if (this.#waiting === undefined || checkpoint.size > this.#waiting.size) this.#waiting = checkpoint;
    this.#running ??= this.#drain();
  }

  /** Resolves when no offer is waiting or in flight. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  status(): WitnessStatus[] {
    return this.#tracked.map((t) => ({ witness: t.target.cosigner.name, host: t.target.host, cosignedSize: t.known ?? 0, state: t.state, reason: t.reason }));
  }

  /** Waits for what is in flight, then closes the transports. */
  async close(): Promise<void> {
    await this.idle();
    for (const t of this.#tracked) t.target.transport.close();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting !== undefined) {
        const checkpoint = this.#waiting;
        this.#waiting = undefined;
        await Promise.all(this.#tracked.map((t) => this.#offerTo(t, checkpoint)));
      }
    } finally {
      this.#running = null;
    }
  }

  async #offerTo(t: Tracked, checkpoint: StoredCheckpoint): Promise<void> {
    let outcome: Outcome;
    try {
      t.known ??= await this.#deps.store.latestSizeOf(t.target.cosigner.name);
      outcome = await this.#exchange(t, checkpoint);
    } catch (e) {
      outcome = { kind: 'unreachable', reason: e instanceof Error ? e.message.split('\n')[0] ?? 'error' : String(e) };
    }
    await this.#settle(t, checkpoint, outcome);
  }

  async #exchange(t: Tracked, checkpoint: StoredCheckpoint): Promise<Outcome> {
    const name = t.target.cosigner.name;
    const body = noteBody(checkpoint.note);
    if (body === undefined) return { kind: 'refused', status: 0, reason: 'the stored checkpoint is not a signed note' };
    let old = t.known ?? 0;
    for (let attempt = 0; ; attempt++) {
      if (old > checkpoint.size) {
        return { kind: 'refused', status: 409, reason: `the witness cosigned size ${old}, above this checkpoint's ${checkpoint.size}: the ledger was rolled back or forked` };
      }
      const proof = old > 0 && old < checkpoint.size ? await this.#deps.proofs.consistencyProof(old, checkpoint.size) : [];
      const reply = await t.target.transport.addCheckpoint(formatAddCheckpoint({ oldSize: old, proof, note: checkpoint.note }));
      switch (reply.status) {
        case 200: {
          for (const line of reply.body.split('\n').filter((l) => l.length > 0)) {
            const checked = checkCosignatureLine(line, body, t.target.cosigner);
            if (checked === undefined) continue;
            if ('error' in checked) return { kind: 'refused', status: 200, reason: checked.error };
            await this.#deps.store.insert({ size: checkpoint.size, witness: name, line: checked.line, timeS: checked.time, receivedMs: this.#deps.clock.now() });
            return { kind: 'cosigned', size: checkpoint.size };
          }
          return { kind: 'refused', status: 200, reason: 'the answer holds no cosignature by the configured witness key' };
        }
        case 409: {
          let theirs: number;
          try {
            theirs = parseSizeBody(reply.body);
          } catch {
            return { kind: 'refused', status: 409, reason: 'the witness answered 409 without a valid size' };
          }
          if (attempt === 0 && theirs !== old) {
            old = theirs;
            continue;
          }
          return {
            kind: 'refused',
            status: 409,
            reason: theirs === checkpoint.size ? `the witness holds another root at size ${theirs}: the ledger forked` : `the witness holds size ${theirs} and does not accept ${old}`,
          };
        }
        case 422:
          return { kind: 'refused', status: 422, reason: `the consistency proof from size ${old} to ${checkpoint.size} does not verify for the witness: the ledger does not extend the checkpoint it witnessed` };
        case 403:
          return { kind: 'refused', status: 403, reason: 'the witness does not trust the ledger key that signed the checkpoint' };
        case 404:
          return { kind: 'refused', status: 404, reason: 'the witness does not witness this log origin' };
        case 400:
          return { kind: 'refused', status: 400, reason: `the witness rejected the request: ${reply.body.split('\n')[0]?.slice(0, 200) ?? ''}` };
        default:
          return { kind: 'unreachable', reason: `the witness answered HTTP ${reply.status}` };
      }
    }
  }

  async #settle(t: Tracked, checkpoint: StoredCheckpoint, outcome: Outcome): Promise<void> {
    const name = t.target.cosigner.name;
    const was = t.state;
    const target = { kind: 'witness', id: name } as const;
    if (outcome.kind === 'cosigned') {
      t.known = outcome.size;
      t.state = 'cosigned';
      t.reason = null;
      if (was !== 'cosigned') {
        await this.#record({ type: 'audit.witness.cosigned', actor: systemActor, target, outcome: 'success', details: { witness: name, host: t.target.host, size: checkpoint.size } });
      }
      return;
    }
    t.reason = outcome.reason;
    if (outcome.kind === 'unreachable') {
      t.state = 'unreachable';
      this.#deps.log.warn({ witness: name, host: t.target.host, size: checkpoint.size, reason: outcome.reason }, 'witness unreachable; the next checkpoint is offered as usual');
      return;
    }
    t.state = 'refused';
    this.#deps.log.error({ witness: name, host: t.target.host, size: checkpoint.size, status: outcome.status, reason: outcome.reason }, 'witness refused the audit checkpoint');
    if (was !== 'refused') {
      await this.#record({
        type: 'audit.witness.refused',
        actor: systemActor,
        target,
        outcome: 'failure',
        reason: outcome.reason.slice(0, 300),
        details: { witness: name, host: t.target.host, size: checkpoint.size, status: outcome.status },
      });
    }
  }

  async #record(input: Parameters<AuditSink['record']>[0]): Promise<void> {
    await this.#deps.audit.record(input).catch((e: unknown) => this.#deps.log.error({ err: e }, 'could not record a witness event'));
  }
}
