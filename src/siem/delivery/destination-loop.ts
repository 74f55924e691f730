/**
 * The delivery loop of one SIEM destination (issue 16, "delivery that loses nothing").
 *
 * Contract:
 * - reads committed events from the ledger store in leaf order from the durable cursor
 *   (`next_seq`), applies the destination's filter, and sends them in batches of at most the
 *   destination's `maxBatch`;
 * - the cursor advances only after the destination accepted the batch (or the events were
 *   filtered out, or dead-lettered), in the same transaction as the counters: at-least-once,
 *   and a restart resumes from the cursor; a receiver deduplicates by event id;
 * - a retryable failure waits (exponential backoff with jitter, delivery-rules.ts) and resends
 *   from the cursor; a non-retryable one is narrowed to the one event refused (batches are split
 *   into single events) which becomes a dead letter, and the cursor moves past it;
 * - failing for longer than `alarmAfterMs` raises the `siem-destination-failing` alarm once per
 *   episode, and the end of an alarmed episode is recorded as `siem.destination.recovered`;
 * - every `heartbeatMs` the destination receives a heartbeat with the latest signed checkpoint,
 *   whatever its filter (LOG-5);
 * - a destination that takes checkpoints (`sendCheckpoint`, the replica) receives every signed
 *   checkpoint in size order once every leaf it covers was accepted; after a restart they are
 *   offered again from the first (the destination skips those it holds).
 */
import { randomUUID } from 'node:crypto';
import type { AuditInput, LeafRecord } from '../../audit/audit-event.ts';
import type { StoredCheckpoint, StoredEvent } from '../../audit/ledger.store.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import type { MonotonicClock } from '../../lib/monotonic-clock.ts';
import type { SendOutcome, ShippedEvent, SiemDestination } from '../destination.ts';
import { afterFailure, afterSuccess, alarmDue, healthy, passesFilter, retryDelayMs, type DeliveryFilter, type FailureState } from './delivery-rules.ts';
import type { SiemCursor, SiemDeliveryStore } from './siem-delivery.store.ts';

const systemActor = { kind: 'system', id: 'system:siem' } as const;

/** What one loop needs. */
export interface DestinationLoopDeps {
  readonly destination: SiemDestination;
  readonly filter: DeliveryFilter;
  /** Committed events with seq > afterSeq, ascending (LedgerStore.events). */
  readonly events: (afterSeq: number, limit: number) => Promise<StoredEvent[]>;
  readonly latestCheckpoint: () => Promise<StoredCheckpoint | undefined>;
  /** Signed checkpoints with `afterSize` < size ≤ `uptoSize`, ascending (for destinations that take checkpoints). */
  readonly checkpoints: (afterSize: number, uptoSize: number) => Promise<StoredCheckpoint[]>;
  readonly store: SiemDeliveryStore;
  /** Records an audit event (the deferred sink: never blocks delivery on the ledger). */
  readonly record: (input: AuditInput) => Promise<unknown>;
  readonly clock: Clock;
  readonly monotonic: MonotonicClock;
  readonly log: Logger;
  readonly alarmAfterMs: number;
  readonly heartbeatMs: number;
  readonly retryMaxMs: number;
  readonly batchSize: number;
  /** How often an idle loop looks for events committed by other processes. */
  readonly idlePollMs?: number;
  readonly random?: () => number;
}

/** What status and metrics show of one loop. */
export interface LoopStatus {
  readonly cursor: SiemCursor;
  readonly failure: FailureState;
  /** Wall-clock ms of the last heartbeat accepted, or null. */
  readonly lastHeartbeatMs: number | null;
}

export class DestinationLoop {
  readonly #d: DestinationLoopDeps;
  readonly #abort = new AbortController();
  #cursor: SiemCursor | null = null;
  #failure: FailureState = healthy;
  #running: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #woken = false;
  #nextHeartbeatMs = Number.NEGATIVE_INFINITY;
  #lastHeartbeatMs: number | null = null;
  /** Send single events up to and including this seq (narrowing a refused batch). */
  #singleUntil = -1;
  /** Size of the last checkpoint the destination accepted (in memory: a restart offers them again). */
  #checkpointSize = -1;

  constructor(deps: DestinationLoopDeps) {
    this.#d = deps;
  }

  get id(): string {
    return this.#d.destination.id;
  }

  /** Loads the cursor and starts the loop. */
  async start(): Promise<void> {
    this.#cursor = await this.#d.store.cursor(this.id);
    this.#running = this.#run().catch((e: unknown) => this.#d.log.error({ err: e, destination: this.id }, 'SIEM delivery loop stopped by an error'));
  }

  /** New events were committed: look now instead of at the next poll. */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  status(): LoopStatus | null {
    return this.#cursor === null ? null : { cursor: this.#cursor, failure: this.#failure, lastHeartbeatMs: this.#lastHeartbeatMs };
  }

  /** Stops after the step in progress (an in-flight send is aborted and resent on the next start), then closes the destination. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await this.#running;
    await this.#d.destination.close().catch((e: unknown) => this.#d.log.warn({ err: e, destination: this.id }, 'closing a SIEM destination failed'));
  }

  get #stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        if (this.#d.monotonic.now() >= this.#nextHeartbeatMs && !(await this.#heartbeat())) continue;
        const progressed = await this.#step();
        if (!(await this.#checkpointsDue())) continue;
        if (!progressed) await this.#sleep(Math.min(this.#d.idlePollMs ?? 1000, Math.max(0, this.#nextHeartbeatMs - this.#d.monotonic.now())), true);
      } catch (e) {
        // A store or ledger read failed (database outage): count it as a failure and retry.
        await this.#failed(`internal: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** One batch: true when the cursor moved (or a failure was handled), false when idle. */
  async #step(): Promise<boolean> {
    const cursor = this.#cursor!;
    const rows = await this.#d.events(cursor.nextSeq - 1, this.#d.batchSize);
    if (rows.length === 0) return false;
    const all = rows.map((r): ShippedEvent => ({ record: JSON.parse(r.record) as LeafRecord, text: r.record }));
    const endSeq = rows[rows.length - 1]!.seq + 1;
    const wanted = all.filter((e) => passesFilter(e.record, this.#d.filter));
    let from = 0;
    while (from < wanted.length) {
      if (this.#stopped) return true;
      const single = wanted[from]!.record.seq <= this.#singleUntil;
      const chunk = wanted.slice(from, from + (single ? 1 : Math.max(1, this.#d.destination.maxBatch)));
      const outcome = await this.#send(chunk);
      const next = from + chunk.length;
      // The cursor after this chunk: past the filtered-out rows up to the next wanted event.
      const nextSeq = next < wanted.length ? wanted[next]!.record.seq : endSeq;
      if (outcome.ok) {
        await this.#advance({ nextSeq, sent: chunk.length, lastSuccessMs: this.#d.clock.now(), lastError: null });
        await this.#succeeded();
      } else if (!outcome.retryable && chunk.length > 1) {
        // Find the event refused: resend this range one event at a time.
        this.#singleUntil = chunk[chunk.length - 1]!.record.seq;
        continue;
      } else if (!outcome.retryable) {
        const event = chunk[0]!;
        const reason = oneLine(outcome.reason);
        await this.#advance({ nextSeq, lastError: reason, deadLetters: [{ seq: event.record.seq, eventId: event.record.id, reason, timeMs: this.#d.clock.now() }] });
        this.#d.log.warn({ destination: this.id, seq: event.record.seq, reason }, 'SIEM destination refused an event for good: dead-lettered');
        // A dead-lettered dead-letter notice is not announced again (no loop of notices).
        if (event.record.type !== 'siem.events.dead-lettered') {
          void this.#d.record({
            type: 'siem.events.dead-lettered',
            actor: systemActor,
            outcome: 'failure',
            target: { kind: 'siem-destination', id: this.id },
            reason,
            details: { seqs: [event.record.seq], eventIds: [event.record.id] },
          }).catch((e: unknown) => this.#d.log.error({ err: e }, 'could not record a SIEM dead letter'));
        }
        await this.#succeeded();
      } else {
        await this.#failed(outcome.reason, outcome.retryAfterMs);
        return true;
      }
      from = next;
    }
    if (this.#cursor!.nextSeq < endSeq) await this.#advance({ nextSeq: endSeq });
    return true;
  }

  async #send(chunk: readonly ShippedEvent[]): Promise<SendOutcome> {
    try {
      return await this.#d.destination.send(chunk, this.#abort.signal);
    } catch (e) {
      // The contract says send does not reject; one that does is a retryable fault, not a crash.
      return { ok: false, retryable: true, reason: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Sends the checkpoints whose leaves were all accepted; false when one failed (the failure is handled). */
  async #checkpointsDue(): Promise<boolean> {
    const send = this.#d.destination.sendCheckpoint?.bind(this.#d.destination);
    if (send === undefined) return true;
    const due = await this.#d.checkpoints(this.#checkpointSize, this.#cursor!.nextSeq);
    for (const checkpoint of due) {
      if (this.#stopped) return false;
      const outcome = await send({ size: checkpoint.size, note: checkpoint.note }, this.#abort.signal).catch(
        (e: unknown): SendOutcome => ({ ok: false, retryable: true, reason: e instanceof Error ? e.message : String(e) }),
      );
      if (!outcome.ok) {
        if (this.#stopped) return false;
        await this.#failed(`checkpoint: ${outcome.reason}`, outcome.retryAfterMs);
        return false;
      }
      this.#checkpointSize = checkpoint.size;
    }
    return true;
  }

  /** Sends a heartbeat; false when it failed (the failure is handled). */
  async #heartbeat(): Promise<boolean> {
    const send = this.#d.destination.sendHeartbeat?.bind(this.#d.destination);
    this.#nextHeartbeatMs = this.#d.monotonic.now() + this.#d.heartbeatMs;
    if (send === undefined) return true;
    const latest = await this.#d.latestCheckpoint();
    const outcome = await send(
      {
        id: randomUUID(),
        time: new Date(this.#d.clock.now()).toISOString(),
        destinationId: this.id,
        nextSeq: this.#cursor!.nextSeq,
        checkpoint: latest === undefined ? null : { size: latest.size, rootHex: latest.root.toString('hex'), note: latest.note },
      },
      this.#abort.signal,
    ).catch((e: unknown): SendOutcome => ({ ok: false, retryable: true, reason: e instanceof Error ? e.message : String(e) }));
    if (outcome.ok) {
      this.#lastHeartbeatMs = this.#d.clock.now();
      await this.#succeeded();
      return true;
    }
    if (this.#stopped) return false;
    // Retried before the next batch: a heartbeat that cannot go is a failing destination.
    this.#nextHeartbeatMs = Number.NEGATIVE_INFINITY;
    await this.#failed(`heartbeat: ${outcome.reason}`, outcome.retryAfterMs);
    return false;
  }

  async #advance(step: Parameters<SiemDeliveryStore['advance']>[1]): Promise<void> {
    await this.#d.store.advance(this.id, step, this.#d.clock.now());
    const c = this.#cursor!;
    this.#cursor = {
      ...c,
      nextSeq: Math.max(c.nextSeq, step.nextSeq),
      sent: c.sent + (step.sent ?? 0),
      failed: c.failed + (step.failed ?? 0),
      dead: c.dead + (step.deadLetters?.length ?? 0),
      lastSuccessMs: step.lastSuccessMs ?? c.lastSuccessMs,
      lastError: step.lastError === undefined ? c.lastError : step.lastError,
    };
  }

  async #succeeded(): Promise<void> {
    const { state, verdict } = afterSuccess(this.#failure);
    const failedForMs = this.#failure.failingSinceMs === null ? 0 : this.#d.monotonic.now() - this.#failure.failingSinceMs;
    this.#failure = state;
    if (verdict === 'recovered') {
      this.#d.log.warn({ destination: this.id, failedForMs }, 'SIEM destination recovered');
      void this.#d.record({
        type: 'siem.destination.recovered',
        actor: systemActor,
        outcome: 'success',
        target: { kind: 'siem-destination', id: this.id },
        details: { failedForSeconds: Math.round(failedForMs / 1000) },
      }).catch((e: unknown) => this.#d.log.error({ err: e }, 'could not record a SIEM recovery'));
    }
  }

  async #failed(reason: string, retryAfterMs?: number): Promise<void> {
    if (this.#stopped) return;
    const line = oneLine(reason);
    const { state, verdict } = afterFailure(this.#failure, this.#d.monotonic.now(), this.#d.alarmAfterMs);
    this.#failure = state;
    if (verdict === 'alarm') this.#alarm(line);
    await this.#advance({ nextSeq: this.#cursor!.nextSeq, failed: 1, lastError: line }).catch((e: unknown) => this.#d.log.error({ err: e, destination: this.id }, 'could not save SIEM delivery counters'));
    const delay = retryDelayMs(state.failures, this.#d.retryMaxMs, (this.#d.random ?? Math.random)(), retryAfterMs);
    // Sleep in slices so the alarm fires on time even during a long Retry-After.
    const until = this.#d.monotonic.now() + delay;
    while (!this.#stopped && this.#d.monotonic.now() < until) {
      await this.#sleep(Math.min(until - this.#d.monotonic.now(), 1000), false);
      if (alarmDue(this.#failure, this.#d.monotonic.now(), this.#d.alarmAfterMs)) {
        this.#failure = { ...this.#failure, alarmed: true };
        this.#alarm(line);
      }
    }
  }

  #alarm(reason: string): void {
    this.#d.log.error({ destination: this.id, reason }, 'SIEM destination failing: alarm raised');
    void this.#d.record({
      type: 'alarm.raised',
      actor: systemActor,
      outcome: 'success',
      target: { kind: 'siem-destination', id: this.id },
      reason,
      details: {
        rule: 'siem-destination-failing',
        title: 'A SIEM destination has been failing longer than siem.alarmAfterSeconds',
        alarmAfterSeconds: this.#d.alarmAfterMs / 1000,
      },
    }).catch((e: unknown) => this.#d.log.error({ err: e }, 'could not record a SIEM alarm'));
  }

  /** Waits `ms`, or less when stopped (or woken, when `wakeable`). */
  async #sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.#stopped) return;
    if (wakeable && this.#woken) {
      this.#woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        if (!wakeable && !this.#stopped) return;
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = null;
    if (wakeable) this.#woken = false;
  }
}

/** One line, bounded: reasons go to logs, the API and dead letters. */
function oneLine(reason: string): string {
  return reason.replace(/[\r\n\t]+/g, ' ').slice(0, 500);
}
