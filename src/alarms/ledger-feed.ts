import type { LeafRecord } from '../audit/audit-event.ts';
import type { LedgerStore } from '../audit/ledger.store.ts';
import type { Logger } from '../lib/logger.ts';
import type { FeedCursor } from './feed-cursor.store.ts';

/** Records read per query. */
const pageSize = 500;

/**
 * Hands every committed ledger record of the types the handler wants, in leaf order, to that
 * handler (the alarm inbox and the incident candidates), whichever process committed it.
 *
 * Contracts: the cursor is saved after the handler finished a page, so a crash re-delivers at
 * most one page: handlers MUST be idempotent on `record.seq`. A handler that throws stops the
 * page there; the next `sync` retries from that record. With no saved cursor (first start) the
 * feed starts at the ledger's size: records committed before are not delivered. One sync at a
 * time; a `sync` during one runs once more after it.
 */
export class LedgerFeed {
  readonly #events: Pick<LedgerStore, 'eventPage'>;
  readonly #cursor: FeedCursor;
  readonly #types: ReadonlySet<string>;
  readonly #handle: (record: LeafRecord) => Promise<void>;
  readonly #log: Logger;
  readonly #now: () => number;
  #next: number;
  #running: Promise<void> | null = null;
  #again = false;
  #timer: NodeJS.Timeout | null = null;
  /** Opened with no saved cursor and not saved since. */
  #unsaved = false;

  private constructor(deps: LedgerFeedDeps, next: number) {
    this.#events = deps.events;
    this.#cursor = deps.cursor;
    this.#types = new Set(deps.types);
    this.#handle = deps.handle;
    this.#log = deps.log;
    this.#now = deps.now;
    this.#next = next;
  }

  /**
   * Opens at the saved cursor, or at `ledgerSize()`, saved by `reload` or the first sync (a
   * cluster node may only save under the jobs lease, which it may not hold yet).
   */
  static async open(deps: LedgerFeedDeps, ledgerSize: () => Promise<number>): Promise<LedgerFeed> {
    const saved = await deps.cursor.load();
    if (saved !== undefined) return new LedgerFeed(deps, saved);
    const feed = new LedgerFeed(deps, await ledgerSize());
    feed.#unsaved = true;
    return feed;
  }

  /**
   * Reads the saved cursor again (after `stop`): a cluster node that takes the jobs lease goes on
   * from where the previous holder saved, not from where this node stopped (ADR 0039).
   */
  async reload(): Promise<void> {
    while (this.#running !== null) await this.#running;
    const saved = await this.#cursor.load();
    if (saved !== undefined) this.#next = saved;
    else if (this.#unsaved) await this.#cursor.save(this.#next, this.#now());
    this.#unsaved = false;
  }

  /** Syncs every `tickMs` until `stop`. */
  start(tickMs: number): void {
    this.#timer = setInterval(() => void this.sync(), tickMs);
    this.#timer.unref();
  }

  /** Reads and hands over everything committed since the last record handed over. */
  sync(): Promise<void> {
    if (this.#running !== null) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#run().finally(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        void this.sync();
      }
    });
    return this.#running;
  }

  /** Resolves when no sync is running (after one that covers what was committed before the call). */
  async settled(): Promise<void> {
    await this.sync();
    while (this.#running !== null) await this.#running;
  }

  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    while (this.#running !== null) await this.#running;
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        const page = await this.#events.eventPage(this.#next, pageSize);
        for (const row of page) {
          if (row.seq < this.#next) continue;
          let record: LeafRecord | null = null;
          try {
            record = JSON.parse(row.record) as LeafRecord;
          } catch {
            this.#log.error({ seq: row.seq }, 'an audit record cannot be read for the alarm inbox; skipped');
          }
          if (record !== null && this.#types.has(record.type)) await this.#handle(record);
          this.#next = row.seq + 1;
        }
        if (page.length > 0 || this.#unsaved) {
          await this.#cursor.save(this.#next, this.#now());
          this.#unsaved = false;
        }
        if (page.length < pageSize) return;
      }
    } catch (e) {
      this.#log.warn({ err: e, next: this.#next }, 'the alarm inbox cannot read the ledger or handle a record; retrying');
      await this.#cursor.save(this.#next, this.#now()).catch(() => undefined);
    }
  }
}

export interface LedgerFeedDeps {
  readonly events: Pick<LedgerStore, 'eventPage'>;
  readonly cursor: FeedCursor;
  /** The record types handed over. */
  readonly types: readonly string[];
  readonly handle: (record: LeafRecord) => Promise<void>;
  readonly log: Logger;
  readonly now: () => number;
}
