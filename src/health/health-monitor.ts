import type { AuditInput } from '../audit/audit-event.ts';
import type { Logger } from '../lib/logger.ts';

/** One part of Custos that can say what is wrong with it: one line per problem, none when healthy. */
export type ProblemSource = () => string[] | Promise<string[]>;

const systemActor = { kind: 'system', id: 'system:health' } as const;

/**
 * What `/healthz` reports and what raises the `storage-fault` alarm (issue 12, items 5 and 6):
 * the database (unreachable, disk full), the recording index (writes waiting), the audit ledger
 * (events held in memory), the master key provider (keys), the data directory's disk. A source that throws or does not answer
 * within `probeMs` is itself a problem: health MUST answer quickly and MUST NOT say "ok" because
 * it could not look.
 */
export class HealthMonitor {
  readonly #sources: ReadonlyMap<string, ProblemSource>;
  readonly #probeMs: number;
  #timer: NodeJS.Timeout | null = null;
  #alarmed = false;
  #lastReportMs = Number.NEGATIVE_INFINITY;
  #record: ((alarm: AuditInput) => void) | null = null;
  #log: Logger | null = null;

  constructor(opts: { sources: Record<string, ProblemSource>; probeMs?: number }) {
    this.#sources = new Map(Object.entries(opts.sources));
    this.#probeMs = opts.probeMs ?? 2000;
  }

  /** Every current problem, each prefixed with its source. */
  async problems(): Promise<string[]> {
    return (await this.parts()).flatMap((part) => part.problems.map((p) => `${part.name}: ${p}`));
  }

  /** Each source with its current problems (none: it works), in the order the sources were given. */
  async parts(): Promise<{ name: string; problems: string[] }[]> {
    return Promise.all([...this.#sources].map(async ([name, source]) => ({ name, problems: await this.#ask(name, source) })));
  }

  /**
   * Checks every `intervalMs` and raises the alarm when problems appear; `report` raises it at
   * once for faults too short for a check to see (a write that failed and succeeded on retry a
   * moment later still means the disk or the database failed). One alarm per episode: an episode
   * ends when a check finds nothing wrong and nothing was reported for two intervals.
   */
  watch(intervalMs: number, record: (alarm: AuditInput) => void, log: Logger): void {
    this.#record = record;
    this.#log = log;
    const check = async () => {
      const problems = await this.problems();
      if (problems.length > 0) this.#raise(problems);
      else if (this.#alarmed && performance.now() - this.#lastReportMs > 2 * intervalMs) {
        this.#alarmed = false;
        log.warn('storage fault cleared: every held write is made');
      }
    };
    this.#timer = setInterval(() => void check().catch((e: unknown) => log.error({ err: e }, 'health check failed')), intervalMs);
    this.#timer.unref();
  }

  /** A fault seen by a component as it happened (a failed write), alarmed at once. */
  report(source: string, problem: string): void {
    this.#lastReportMs = performance.now();
    this.#raise([`${source}: ${problem}`]);
  }

  #raise(problems: string[]): void {
    if (this.#alarmed || this.#record === null) return;
    this.#alarmed = true;
    this.#log?.error({ problems }, 'storage fault: recording continues, writes are held in memory and retried');
    this.#record({
      type: 'alarm.raised',
      actor: systemActor,
      outcome: 'success',
      details: { rule: 'storage-fault', title: 'The database, the disk or the master key provider cannot take writes', problems },
    });
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  async #ask(name: string, source: ProblemSource): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve().then(source),
        new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([`did not answer within ${this.#probeMs} ms`]), this.#probeMs))),
      ]);
    } catch (e) {
      return [e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)];
    } finally {
      clearTimeout(timer);
    }
  }
}
