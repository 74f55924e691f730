import type { ClockWatch } from '../lib/clock-watch.ts';
import type { Logger } from '../lib/logger.ts';
import type { ScrubReport } from '../storage/scrub.ts';

/** The server's periodic upkeep: clock sampling, retention and the storage scrub. */
export interface HousekeepingTimers {
  /** Runs a scrub now (the CLI's and the API's trigger); a timer tick skips while one runs. */
  scrubNow(): Promise<ScrubReport>;
  /** Clears every timer; what is running goes on (see `idle`). */
  stop(): void;
  /** Settles once a running scrub ends (never rejects). */
  idle(): Promise<void>;
}

/**
 * Starts the timers. Contract: a retention tick runs only when `retentionTurn()` says so (in
 * cluster mode one node applies retention for all cameras); a scrub tick is skipped while a scrub
 * runs; failures are logged, never thrown. Timers are unref'd: they never hold the process.
 */
export function startHousekeeping(deps: {
  clockWatch: ClockWatch;
  clockSampleMs: number;
  retentionMs: number;
  retentionTurn: () => boolean;
  retention: () => Promise<unknown>;
  scrub: () => Promise<ScrubReport>;
  /** null: no periodic scrub (one zone only: nothing to repair from). */
  scrubEveryMs: number | null;
  log: Logger;
}): HousekeepingTimers {
  const { log } = deps;
  const clockTimer = setInterval(() => deps.clockWatch.sample(), deps.clockSampleMs);
  clockTimer.unref();
  const retentionTimer = setInterval(() => {
    if (deps.retentionTurn()) deps.retention().catch((e: unknown) => log.error({ err: e }, 'retention failed'));
  }, deps.retentionMs);
  retentionTimer.unref();
  let scrubbing: Promise<void> | null = null;
  const scrubNow = (): Promise<ScrubReport> => {
    const work = deps.scrub();
    scrubbing = work.then(
      () => undefined,
      () => undefined,
    ).finally(() => (scrubbing = null));
    return work;
  };
  const scrubTimer =
    deps.scrubEveryMs === null
      ? null
      : setInterval(() => {
          if (scrubbing === null) void scrubNow().catch((e: unknown) => log.error({ err: e }, 'storage scrub failed'));
        }, deps.scrubEveryMs);
  scrubTimer?.unref();
  return {
    scrubNow,
    stop() {
      if (scrubTimer) clearInterval(scrubTimer);
      clearInterval(retentionTimer);
      clearInterval(clockTimer);
    },
    idle: async () => {
      await scrubbing;
    },
  };
}
