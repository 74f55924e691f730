import type { LedgerStore } from '../audit/ledger.store.ts';
import type { SiemConfig } from '../config/siem.schema.ts';
import type { Db } from '../db/database.ts';
import type { LeaseFence } from '../db/lease-fence.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { MonotonicClock } from '../lib/monotonic-clock.ts';
import { buildDestination } from './build-destination.ts';
import { SiemShipper, type ConfiguredDestination, type ShipperDeps } from './delivery/shipper.ts';
import { fencedSiemDeliveryStore } from './delivery/siem-delivery.store.ts';

/**
 * SIEM shipping's assembly (issue 16): the shipper, built with the destinations' configurations
 * only, so it answers status everywhere and ships nothing until `resume`; and `connect`, which
 * builds the enabled destinations' adapters, each time the jobs start (ADR 0039: a stopped
 * adapter is closed for good). Cursor steps run under the jobs lease's `fence` in a cluster.
 */
export async function buildSiem(deps: {
  config: SiemConfig;
  db: Db;
  fence: LeaseFence | null;
  ledger: LedgerStore;
  record: ShipperDeps['record'];
  clock: Clock;
  monotonic: MonotonicClock;
  log: Logger;
  product: { version: string; hostname: string };
}): Promise<{ shipper: SiemShipper; connect: () => Promise<ConfiguredDestination[]> }> {
  const product = { vendor: 'Custos', vendorName: 'Custos', product: 'Custos VMS', ...deps.product };
  const connect = () => Promise.all(deps.config.destinations.map(async (c) => ({ config: c, ...(c.enabled ? { destination: await buildDestination(c, { product }) } : {}) })));
  const shipper = await SiemShipper.start({
    destinations: deps.config.destinations.map((c) => ({ config: c })),
    settings: deps.config,
    ledger: deps.ledger,
    store: fencedSiemDeliveryStore(deps.db, deps.fence),
    record: deps.record,
    clock: deps.clock,
    monotonic: deps.monotonic,
    log: deps.log,
  });
  return { shipper, connect };
}
