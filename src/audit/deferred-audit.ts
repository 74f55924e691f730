import { AppError, isAppError } from '../lib/errors.ts';
import { RetryBackoff, settledWithin } from '../lib/retry-backoff.ts';
import type { Logger } from '../lib/logger.ts';
import type { AuditInput } from './audit-event.ts';
import type { AuditSink, RecordedEvent } from './ledger.ts';

interface Held {
  readonly input: AuditInput;
  /** When `record` was called (the event happened). */
  readonly atMs: number;
  readonly resolve: (e: RecordedEvent) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * The ledger for events no action waits on: recording interrupted and resumed, alarms, segment
 * leaves (issue 12, item 5). An event the ledger cannot write now (a full disk, a database
 * outage) is held in memory, in order, and written once the ledger can write again, with
 * `details.occurredAt` stating when it happened; it is never dropped while the process runs.
 *
 * Contracts:
 * - Events are written one after another, in the order `record` was called.
 * - `record` resolves with the committed event; it rejects only at `close` with the events that
 *   could not be written by then (AUDIT_UNAVAILABLE), which the caller logs.
 * - Actions that MUST NOT happen unaudited keep using the ledger itself (AuditSink semantics).
 */
export class DeferredAudit implements AuditSink {
  readonly #audit: AuditSink;
  readonly #log: Logger;
  readonly #backoff: RetryBackoff;
  readonly #queue: Held[] = [];
  #draining: Promise<void> | null = null;
  #failing: { sinceMs: number; reason: string } | null = null;
  #closed = false;

  readonly #onFailing: (reason: string) => void;

  constructor(opts: { audit: AuditSink; log: Logger; retryMaxMs?: number; onFailing?: (reason: string) => void }) {
    this.#audit = opts.audit;
    this.#onFailing = opts.onFailing ?? (() => undefined);
    this.#log = opts.log;
    this.#backoff = new RetryBackoff(opts.retryMaxMs ?? 10_000);
  }

  record(input: AuditInput): Promise<RecordedEvent> {
    if (this.#closed) return Promise.reject(new AppError('AUDIT_UNAVAILABLE', 'the audit ledger is closed'));
    return new Promise<RecordedEvent>((resolve, reject) => {
      this.#queue.push({ input, atMs: Date.now(), resolve, reject });
      this.#draining ??= this.#drain().finally(() => (this.#draining = null));
    });
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.#queue.length;
  }

  /** One line per problem for `/healthz` (empty when the ledger writes). */
  problems(): string[] {
    if (this.#failing === null) return [];
    return [`${this.#queue.length} audit events held in memory since ${new Date(this.#failing.sinceMs).toISOString()}: ${this.#failing.reason}`];
  }

  /** Waits up to `timeoutMs` for held events to be written, then rejects the rest. */
  async close(timeoutMs: number): Promise<void> {
    if (this.#draining) {
      // Retry at once and then often, not after the backoff in progress.
      this.#backoff.hurry();
      await settledWithin(this.#draining, timeoutMs);
    }
    this.#closed = true;
    this.#backoff.wake();
    await this.#draining;
    const lost = this.#queue.splice(0);
    if (lost.length > 0) this.#log.error({ events: lost.length, types: [...new Set(lost.map((h) => h.input.type))] }, 'audit events held in memory could not be written before shutdown');
    for (const held of lost) held.reject(new AppError('AUDIT_UNAVAILABLE', 'the audit ledger could not write this event before shutdown'));
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) {
      const head = this.#queue[0] as Held;
      try {
        const recorded = await this.#audit.record(this.#failing === null ? head.input : withOccurredAt(head.input, head.atMs));
        this.#queue.shift();
        head.resolve(recorded);
        if (this.#failing !== null && this.#queue.length === 0) {
          this.#log.warn({ sinceMs: this.#failing.sinceMs }, 'audit ledger: every held event is now written');
          this.#failing = null;
        }
        this.#backoff.reset();
        continue;
      } catch (e) {
        // Only an unavailable ledger is worth waiting for; an event it refuses (not in the
        // catalogue) would block every later one.
        if (!isAppError(e, 'AUDIT_UNAVAILABLE', 'STORAGE_FULL', 'DATABASE_UNAVAILABLE')) {
          this.#queue.shift();
          head.reject(e);
          continue;
        }
        const reason = e.message.split('\n')[0] ?? '';
        if (this.#failing === null) {
          this.#failing = { sinceMs: Date.now(), reason };
          this.#log.error({ reason, type: head.input.type }, 'audit ledger cannot write; events are held in memory and retried');
          this.#onFailing(reason);
        } else this.#failing.reason = reason;
      }
      await this.#backoff.wait();
    }
  }
}

/** The event stating when it happened: the leaf's own `time` is when it was finally written. */
function withOccurredAt(input: AuditInput, atMs: number): AuditInput {
  if (input.details?.occurredAt !== undefined) return input;
  return { ...input, details: { ...input.details, occurredAt: new Date(atMs).toISOString() } };
}
