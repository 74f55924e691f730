/**
 * A SIEM shipping rig for tests: a real database (SQLite or PostgreSQL), real data keys, the
 * real audit ledger, the real delivery store, and SiemShipper instances started over them with
 * the destinations and settings a test gives. The shipper records its own events (alarms,
 * recoveries, dead letters, config changes) into the same ledger.
 */
import { createTestLedger } from './audit.ts';
import { createTestDatabase } from './databases.ts';
import { createTestDataKeys } from './keys.ts';
import type { Defer } from './teardown.ts';
import type { AuditInput, LeafRecord } from '../../src/audit/audit-event.ts';
import type { AuditLedger } from '../../src/audit/ledger.ts';
import type { LedgerStore } from '../../src/audit/ledger.store.ts';
import { siem as siemSchema, type SiemConfig } from '../../src/config/siem.schema.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { systemMonotonicClock } from '../../src/lib/monotonic-clock.ts';
import type { SiemDestination } from '../../src/siem/destination.ts';
import { buildDestination } from '../../src/siem/build-destination.ts';
import { SiemShipper } from '../../src/siem/delivery/shipper.ts';
import { createSiemDeliveryStore, type SiemDeliveryStore } from '../../src/siem/delivery/siem-delivery.store.ts';

export const testProduct = { vendor: 'Custos', vendorName: 'Custos', product: 'Custos VMS', version: '0.1.0', hostname: 'nvr-test' } as const;

export interface ShippingRig {
  readonly ledger: AuditLedger;
  readonly ledgerStore: LedgerStore;
  readonly store: SiemDeliveryStore;
  /** Parses `raw` (the `siem` config section) and starts a shipper; `adapters` replaces built ones by id. */
  start(raw: Record<string, unknown>, adapters?: Record<string, SiemDestination>): Promise<SiemShipper>;
  /** Every committed record, in leaf order. */
  records(): Promise<LeafRecord[]>;
}

export async function shippingRig(defer: Defer, engine: 'sqlite' | 'postgres' = 'sqlite'): Promise<ShippingRig> {
  const database = await createTestDatabase(engine);
  defer(() => database.close());
  const keys = await createTestDataKeys(database.db);
  defer(() => keys.close());
  const built = await createTestLedger(database.db, keys.dataKeys);
  defer(() => built.close());
  const store = createSiemDeliveryStore(database.db);
  return {
    ledger: built.ledger,
    ledgerStore: built.store,
    store,
    async start(raw, adapters = {}) {
      const settings: SiemConfig = siemSchema.parse(raw);
      const s = await SiemShipper.start({
        destinations: await Promise.all(settings.destinations.map(async (config) => ({ config, destination: adapters[config.id] ?? (await buildDestination(config, { product: testProduct })) }))),
        settings,
        ledger: built.store,
        store,
        record: (input: AuditInput) => built.ledger.record(input),
        clock: { now: () => Date.now() },
        monotonic: systemMonotonicClock,
        log: createLogger({ level: process.env.CUSTOS_TEST_LOG ?? 'silent' }),
        idlePollMs: 100,
      });
      defer(() => s.stop());
      return s;
    },
    async records() {
      const out: LeafRecord[] = [];
      for (let after = -1; ; ) {
        const page = await built.store.events({ afterSeq: after, limit: 5000 });
        if (page.length === 0) return out;
        for (const e of page) out.push(JSON.parse(e.record) as LeafRecord);
        after = page[page.length - 1]!.seq;
      }
    },
  };
}

/** Records `n` events of a few types and severities; resolves when all are committed. */
export async function recordBurst(ledger: AuditLedger, n: number, tag = 'burst'): Promise<void> {
  const chunk = 500;
  for (let from = 0; from < n; from += chunk) {
    await Promise.all(
      Array.from({ length: Math.min(chunk, n - from) }, (_, k) => {
        const i = from + k;
        return ledger.record(
          i % 10 === 0
            ? { type: 'auth.login.failed', actor: { kind: 'user', id: `user:${i % 7}` }, outcome: 'failure', reason: `bad password ${tag} ${i}` }
            : { type: 'camera.updated', actor: { kind: 'system', id: 'system:test' }, target: { kind: 'camera', id: `cam-${i % 5}`, name: `Gate ${i} | = \\ ü` }, cameraId: `cam-${i % 5}`, outcome: 'success', details: { i, tag } },
        );
      }),
    );
  }
}
