import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { AlarmRules } from './alarm-rules.ts';
import type { AlarmStateStore } from './alarm-state.store.ts';
import type { AuditInput, LeafRecord } from './audit-event.ts';
import type { AuditSink } from './ledger.ts';
import type { LedgerStore } from './ledger.store.ts';

/** Committed records read per query while catching up. */
const pageSize = 500;

/**
 * Runs the alarm rules over the committed ledger, so they see every event whichever process
 * wrote it (the server, a `custos user` or `custos keys` command): it tails the ledger by leaf
 * index and persists its position with the rules' windows (alarm-state.store.ts).
 *
 * Contracts:
 * - Every committed record is evaluated once, in leaf order: the server's own commits at once
 *   (handed over by the ledger, no read), everything else by reading the ledger from the next
 *   index (on `wake`, on every tick, and at `start`).
 * - A restart resumes at the saved index with the saved windows: neither are the windows empty
 *   nor are alarms of records already evaluated raised again. The position is saved with the
 *   windows right after a record raised an alarm, otherwise on the next tick and at `stop`; a
 *   crash can re-evaluate at most the records of the last tick that raised nothing.
 * - With no saved state (first start, or an upgrade) evaluation starts at the ledger's size when
 *   the watch is opened: old events are never alarmed.
 * - Alarms go to the sink given to `start` (the deferred audit: held while the ledger cannot
 *   write); records committed before `start` are evaluated then.
 */
export class AlarmWatch {
  readonly #events: Pick<LedgerStore, 'eventPage'>;
  readonly #state: AlarmStateStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  #rules: AlarmRules;
  /** The next leaf index to evaluate. */
  #next: number;
  #sink: AuditSink | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** The catch-up read in flight, if any. */
  #reading: Promise<void> | null = null;
  /** Asked to read again while a read was in flight. */
  #again = false;
  /** Evaluated past the saved position. */
  #dirty = false;
  #saving: Promise<void> | null = null;
  #failing = false;
  #stopped = false;

  private constructor(deps: AlarmWatchDeps, rules: AlarmRules, next: number) {
    this.#events = deps.events;
    this.#state = deps.state;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#rules = rules;
    this.#next = next;
  }

  /**
   * Loads the saved position and windows, or (none saved) starts at `ledgerSize`, saving it at
   * once. MUST run before the ledger opens, so the server's first events are evaluated.
   */
  static async open(deps: AlarmWatchDeps, ledgerSize: () => Promise<number>): Promise<AlarmWatch> {
    const saved = await deps.state.load();
    if (saved !== undefined) {
      let rules: AlarmRules;
      try {
        rules = AlarmRules.restore(saved.state);
      } catch (e) {
        deps.log.error({ err: e }, 'the saved alarm windows cannot be read; the windows start empty');
        rules = new AlarmRules();
      }
      return new AlarmWatch(deps, rules, saved.nextSeq);
    }
    const next = await ledgerSize();
    const watch = new AlarmWatch(deps, new AlarmRules(), next);
    await deps.state.save({ nextSeq: next, state: watch.#rules.snapshot() }, deps.clock.now());
    return watch;
  }

  /** The next leaf index to evaluate (for tests and diagnostics). */
  get next(): number {
    return this.#next;
  }

  /** Starts raising alarms into `sink`: catches up now, then reads every `tickMs`. */
  start(sink: AuditSink, tickMs: number): void {
    this.#sink = sink;
    this.#timer = setInterval(() => {
      this.wake();
      if (this.#dirty && this.#reading === null) void this.#save();
    }, tickMs);
    this.#timer.unref();
    this.wake();
  }

  /**
   * The server's ledger committed `records` (in leaf order): evaluated at once when they are the
   * next ones and no read is in flight; otherwise a read fetches them in order.
   */
  committed(records: readonly LeafRecord[]): void {
    if (this.#sink === null || this.#stopped) return;
    const fresh = records.filter((r) => r.seq >= this.#next);
    if (fresh.length === 0) return;
    if (this.#reading !== null || fresh[0]?.seq !== this.#next || fresh.some((r, i) => r.seq !== this.#next + i)) {
      this.wake();
      return;
    }
    this.#evaluate(fresh.map((record) => ({ seq: record.seq, record })));
  }

  /** Reads and evaluates what was committed since the last record evaluated. */
  wake(): void {
    if (this.#sink === null || this.#stopped) return;
    if (this.#reading !== null) {
      this.#again = true;
      return;
    }
    this.#reading = this.#catchUp().finally(() => {
      this.#reading = null;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.wake();
      }
    });
  }

  /** Resolves once every record committed before the call has been evaluated (tests, shutdown). */
  async settled(): Promise<void> {
    this.wake();
    while (this.#reading !== null) await this.#reading;
    await this.#saving;
  }

  /** Stops reading and saves the position reached. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#stopped = true;
    while (this.#reading !== null) await this.#reading;
    if (this.#dirty) await this.#save();
    else await this.#saving;
  }

  async #catchUp(): Promise<void> {
    try {
      for (;;) {
        const page = await this.#events.eventPage(this.#next, pageSize);
        const records: Leaf[] = [];
        for (const row of page) {
          if (row.seq < this.#next) continue;
          try {
            records.push({ seq: row.seq, record: JSON.parse(row.record) as LeafRecord });
          } catch (e) {
            // `custos audit verify` reports a damaged record; the rules skip it rather than stop for good.
            this.#log.error({ err: e, seq: row.seq }, 'an audit record cannot be read for the alarm rules; skipped');
            records.push({ seq: row.seq, record: null });
          }
        }
        if (records.length > 0) this.#evaluate(records);
        if (this.#dirty) await this.#save();
        if (this.#failing) this.#log.info({ next: this.#next }, 'the alarm rules read the ledger again');
        this.#failing = false;
        if (page.length < pageSize) return;
      }
    } catch (e) {
      // A database outage: the next tick tries again from the same index.
      if (!this.#failing) this.#log.warn({ err: e, next: this.#next }, 'the alarm rules cannot read the ledger; retrying');
      this.#failing = true;
    }
  }

  #evaluate(leaves: readonly Leaf[]): void {
    let raised = false;
    for (const { seq, record } of leaves) {
      for (const alarm of record === null ? [] : this.#rules.evaluate(record)) {
        raised = true;
        this.#raise(alarm);
      }
      this.#next = seq + 1;
    }
    this.#dirty = true;
    if (raised) void this.#save();
  }

  #raise(alarm: AuditInput): void {
    this.#log.warn({ rule: alarm.details?.['rule'], cameraId: alarm.cameraId }, 'audit alarm raised');
    this.#sink?.record(alarm).catch((e: unknown) => this.#log.error({ err: e }, 'could not record an alarm'));
  }

  /** Saves the position with the windows it was reached with; one save at a time, the latest wins. */
  #save(): Promise<void> {
    const run = async (): Promise<void> => {
      while (this.#dirty) {
        this.#dirty = false;
        const saved = { nextSeq: this.#next, state: this.#rules.snapshot() };
        try {
          await this.#state.save(saved, this.#clock.now());
        } catch (e) {
          this.#dirty = true;
          if (!this.#failing) this.#log.warn({ err: e }, 'the alarm rules cannot save their position; retrying');
          return;
        }
      }
    };
    this.#saving ??= run().finally(() => (this.#saving = null));
    return this.#saving;
  }
}

/** One committed leaf: its index and its record (null when the stored text cannot be read). */
interface Leaf {
  readonly seq: number;
  readonly record: LeafRecord | null;
}

/** What the watch reads and writes. */
export interface AlarmWatchDeps {
  /** The committed ledger, read by leaf index. */
  readonly events: Pick<LedgerStore, 'eventPage'>;
  readonly state: AlarmStateStore;
  readonly clock: Clock;
  readonly log: Logger;
}
