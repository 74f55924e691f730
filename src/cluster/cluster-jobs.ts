import type { Logger } from '../lib/logger.ts';
import type { Claimed } from './leases.store.ts';

/** The running jobs (alarm rules, alarm inbox feed and notifications, SIEM shipping), stopped as one. */
export interface RunningJobs {
  stop(): Promise<void>;
}

/** How long a failed start waits before it is tried again while the lease is still held. */
const retryMs = 5_000;

/**
 * Starts and stops the once-per-cluster jobs as the jobs lease comes and goes (ADR 0039); in a
 * one-process install it is told `held` once at start-up.
 *
 * Contracts: starts and stops are serialised, and the latest word wins (held, lost, held again
 * while a start runs: one run ends up started; a new claim restarts a run started under an older
 * one). Each start reopens every job from its durable
 * cursor (`start` builds them anew), so a successor goes on where the previous holder saved.
 * After `close` nothing starts again. A failed start is logged and retried every 5 s while the
 * lease is still held.
 */
export class JobsSwitch {
  readonly #start: (claim: Claimed | null) => Promise<RunningJobs>;
  readonly #log: Logger;
  /** The jobs running here and the claim they started under (null token: no cluster). */
  #running: { jobs: RunningJobs; token: number | null } | null = null;
  #want: { claim: Claimed | null } | null = null;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  #retry: NodeJS.Timeout | null = null;

  constructor(deps: { start: (claim: Claimed | null) => Promise<RunningJobs>; log: Logger }) {
    this.#start = deps.start;
    this.#log = deps.log;
  }

  /** The jobs lease was taken (`claim`, null without a cluster) or lost (`held: false`). */
  change(change: { held: true; claim: Claimed | null } | { held: false }): Promise<void> {
    this.#want = change.held ? { claim: change.claim } : null;
    return this.#settle();
  }

  /** True while the jobs run here. */
  running(): boolean {
    return this.#running !== null;
  }

  /** Stops the jobs for good (shutdown); resolves once they stopped. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#want = null;
    if (this.#retry !== null) clearTimeout(this.#retry);
    await this.#settle();
  }

  #settle(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#apply());
    return this.#chain;
  }

  async #apply(): Promise<void> {
    const want = this.#closed ? null : this.#want;
    const token = want?.claim?.token ?? null;
    if (this.#running !== null && (want === null || this.#running.token !== token)) {
      const running = this.#running;
      this.#running = null;
      await running.jobs.stop().catch((e: unknown) => this.#log.error({ err: e }, 'the cluster jobs did not stop cleanly'));
      this.#log.info('the cluster jobs stopped on this node');
    }
    if (want !== null && this.#running === null) {
      try {
        this.#running = { jobs: await this.#start(want.claim), token };
      } catch (e) {
        this.#log.error({ err: e }, 'the cluster jobs could not start; trying again in 5 s');
        this.#retry ??= setTimeout(() => {
          this.#retry = null;
          void this.#settle();
        }, retryMs);
        this.#retry.unref();
        return;
      }
      // Lost, retaken or closed while starting: bring it in line at once.
      if (this.#closed || (this.#want?.claim?.token ?? null) !== token) await this.#apply();
    }
  }
}
