import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { LeaseFence } from '../db/lease-fence.ts';
import { fencedAlarmStateStore } from './alarm-state.store.ts';
import { AlarmWatch } from './alarm-watch.ts';
import { createLedgerStore } from './ledger.store.ts';

/**
 * The alarm rules over the committed ledger, on the metadata database: their saved position and
 * windows, or (first start) the ledger's size now. Built before the ledger opens; in a cluster,
 * again each time this node takes the jobs lease, its saves under the lease's `fence` (ADR 0039).
 */
export async function buildAlarmWatch(deps: { db: Db; clock: Clock; log: Logger; fence?: LeaseFence | null }): Promise<AlarmWatch> {
  const ledger = createLedgerStore(deps.db);
  return AlarmWatch.open({ events: ledger, state: fencedAlarmStateStore(deps.db, deps.fence ?? null), clock: deps.clock, log: deps.log }, () => ledger.size());
}
