import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditContext } from '../../src/audit/audit-event.ts';
import { buildLedger, type BuiltLedger } from '../../src/audit/build-ledger.ts';
import type { StoredCheckpoint } from '../../src/audit/ledger.store.ts';
import type { Db } from '../../src/db/database.ts';
import type { DataKeys } from '../../src/keys/data-keys.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/logger.ts';

/** The actor tests act as when they call services directly (their events land in the real ledger). */
export const testActor: AuditContext = { actor: { kind: 'system', id: 'system:test' } };

/** The custody fields an export request needs. */
export const testCustody = { reason: 'integration test of exports', requestedFor: 'the test suite' } as const;

/** A real audit ledger over a test database (its checkpoint pin in a temporary directory). */
export async function createTestLedger(
  db: Db,
  dataKeys: DataKeys,
  opts: { clock?: Clock; checkpointEntries?: number; announce?: boolean; onCheckpoint?: (checkpoint: StoredCheckpoint) => void } = {},
): Promise<BuiltLedger & { dataDir: string; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'custos-ledger-'));
  const built = await buildLedger({
    db,
    dataKeys,
    dataDir,
    audit: { origin: 'test.custos.local/audit', checkpointSeconds: 60, checkpointEntries: opts.checkpointEntries ?? 1_000_000, heartbeatSeconds: 300 },
    clock: opts.clock ?? { now: () => Date.now() },
    log: createLogger({ level: 'silent' }),
    announce: opts.announce ?? false,
    ...(opts.onCheckpoint === undefined ? {} : { onCheckpoint: opts.onCheckpoint }),
  });
  return {
    ...built,
    dataDir,
    async close() {
      await built.ledger.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
