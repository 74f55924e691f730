import type { Logger } from '../lib/logger.ts';
import { RetryBackoff, settledWithin } from '../lib/retry-backoff.ts';
import { isFencedWrite } from '../db/fencing.ts';

/** A backlog of index writes that could not be made, as the alarm and `/healthz` report it. */
export interface IndexBacklog {
  readonly pending: number;
  /** Wall-clock time the first write of this backlog failed. */
  readonly sinceMs: number;
  readonly reason: string;
}

interface Write {
  readonly label: string;
  readonly op: () => Promise<void>;
  /** The first attempt, when it was still running as the caller moved on. */
  attempt: Promise<boolean> | null;
}

/**
 * Writes the recorder's index rows (segments opened and closed, gaps) so that recording never
 * waits on the database for longer than `attemptMs` and never forgets a write (issue 12, items 6
 * and 7): a write that fails or is slow is kept, in order, and retried with capped backoff until it
 * succeeds; later writes queue behind it, so rows change in the order the recorder made them.
 *
 * Contracts:
 * - `write` MUST be given idempotent operations (an upsert, an update by id): a slow first attempt
 *   may still succeed after the write was queued, and is then awaited before any retry.
 * - `write` never rejects. It resolves once the row is written, or once the write is queued.
 * - The backlog lives in memory: a crash during an outage loses the queued rows, never the vault
 *   objects (start-up recovery finds them).
 * - A write the database refuses for an older lease token (cluster mode, fencing.ts) is dropped,
 *   never retried: another recorder holds the camera now, and `onFenced` is told.
 */
export class IndexWriter {
  readonly #log: Logger;
  readonly #attemptMs: number;
  readonly #backoff: RetryBackoff;
  readonly #onBacklog: (backlog: IndexBacklog | null) => void;
  readonly #onFenced: (label: string) => void;
  readonly #queue: Write[] = [];
  #draining: Promise<void> | null = null;
  #backlog: { sinceMs: number; reason: string } | null = null;
  #closed = false;

  constructor(opts: { log: Logger; attemptMs?: number; retryMaxMs?: number; onBacklog?: (backlog: IndexBacklog | null) => void; onFenced?: (label: string) => void }) {
    this.#log = opts.log;
    this.#attemptMs = opts.attemptMs ?? 2000;
    this.#backoff = new RetryBackoff(opts.retryMaxMs ?? 10_000);
    this.#onBacklog = opts.onBacklog ?? (() => undefined);
    this.#onFenced = opts.onFenced ?? (() => undefined);
  }

  /** Writes now when nothing waits, else (or when the attempt fails or is slow) queues. */
  async write(label: string, op: () => Promise<void>): Promise<void> {
    if (this.#queue.length > 0) {
      this.#queue.push({ label, op, attempt: null });
      return;
    }
    let failure: unknown;
    const attempt = op().then(
      () => true,
      (e: unknown) => {
        failure = e;
        return false;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), this.#attemptMs)));
    const first = await Promise.race([attempt, slow]);
    clearTimeout(timer);
    if (first === true) return;
    if (first === false && isFencedWrite(failure)) return this.#fenced(label);
    this.#queue.push({ label, op, attempt: first === 'slow' ? attempt : null });
    this.#failed(label, first === 'slow' ? `the database did not answer within ${this.#attemptMs} ms` : failure);
    this.#draining ??= this.#drain().finally(() => (this.#draining = null));
  }

  /** Index writes waiting to be made. */
  get pending(): number {
    return this.#queue.length;
  }

  /** One line per problem for `/healthz` (empty when every write was made). */
  problems(): string[] {
    if (this.#backlog === null) return [];
    return [`${this.#queue.length} recording index writes waiting since ${new Date(this.#backlog.sinceMs).toISOString()}: ${this.#backlog.reason}`];
  }

  /**
   * Waits up to `timeoutMs` for the backlog to be written, then stops retrying; returns what is
   * still unwritten (logged by the caller: start-up recovery finds those segments).
   */
  async close(timeoutMs: number): Promise<number> {
    if (this.#draining) {
      // Retry at once and then often, not after the backoff in progress.
      this.#backoff.hurry();
      await settledWithin(this.#draining, timeoutMs);
    }
    this.#closed = true;
    this.#backoff.wake();
    return this.#queue.length;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) {
      const head = this.#queue[0] as Write;
      let ok = head.attempt ? await head.attempt : false;
      head.attempt = null;
      if (!ok) {
        try {
          await head.op();
          ok = true;
        } catch (e) {
          if (isFencedWrite(e)) {
            this.#queue.shift();
            this.#fenced(head.label);
            continue;
          }
          this.#failed(head.label, e);
        }
      }
      if (ok) {
        this.#queue.shift();
        this.#backoff.reset();
        continue;
      }
      await this.#backoff.wait();
    }
    if (this.#queue.length === 0 && this.#backlog !== null) {
      this.#log.warn({ sinceMs: this.#backlog.sinceMs }, 'recording index: every delayed write is now made');
      this.#backlog = null;
      this.#onBacklog(null);
    }
  }

  #fenced(label: string): void {
    this.#log.warn({ write: label, code: 'LEASE_LOST' }, 'recording index: the database refused a write with an older lease token (another recorder holds the camera); dropped');
    this.#onFenced(label);
  }

  #failed(label: string, e: unknown): void {
    const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    if (this.#backlog === null) {
      this.#backlog = { sinceMs: Date.now(), reason };
      this.#log.error({ write: label, reason }, 'recording index: a write failed; recording continues into the vault and the write is retried');
      this.#onBacklog({ pending: this.#queue.length, sinceMs: this.#backlog.sinceMs, reason });
    } else {
      this.#backlog.reason = reason;
    }
  }
}
