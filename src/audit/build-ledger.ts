import type { Config } from '../config/schema.ts';
import type { Db } from '../db/database.ts';
import type { DataKeys } from '../keys/data-keys.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { LeafRecord } from './audit-event.ts';
import { fileCheckpointPin } from './checkpoint-pin.ts';
import { AuditLedger } from './ledger.ts';
import { loadLedgerKey } from './ledger-signer.ts';
import { createLedgerStore, type LedgerStore, type StoredCheckpoint } from './ledger.store.ts';
import { createPersonalSealer, type PersonalSealer } from './personal-sealer.ts';

/** The ledger with the adapters it was built on. */
export interface BuiltLedger {
  readonly ledger: AuditLedger;
  readonly store: LedgerStore;
  readonly sealer: PersonalSealer;
}

/**
 * Builds and opens the audit ledger over the metadata database and the data keys: the one
 * assembly shared by the server (announce: true), the CLI and the tests (announce: false).
 */
export async function buildLedger(deps: {
  db: Db;
  dataKeys: DataKeys;
  dataDir: string;
  audit: Config['audit'];
  clock: Clock;
  log: Logger;
  announce: boolean;
  onCommitted?: (records: readonly LeafRecord[]) => void;
  onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
  signingTurn?: () => boolean;
}): Promise<BuiltLedger> {
  const store = createLedgerStore(deps.db);
  const sealer = createPersonalSealer(deps.dataKeys);
  const ledger = new AuditLedger({
    store,
    sealer,
    key: await loadLedgerKey(deps.dataKeys, deps.audit.origin),
    pin: fileCheckpointPin(deps.dataDir),
    clock: deps.clock,
    log: deps.log,
    origin: deps.audit.origin,
    checkpointEntries: deps.audit.checkpointEntries,
    ...(deps.onCommitted === undefined ? {} : { onCommitted: deps.onCommitted }),
    ...(deps.onCheckpoint === undefined ? {} : { onCheckpoint: deps.onCheckpoint }),
    ...(deps.signingTurn === undefined ? {} : { signingTurn: deps.signingTurn }),
  });
  await ledger.open({ announce: deps.announce });
  return { ledger, store, sealer };
}
