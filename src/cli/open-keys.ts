import { resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import { databaseTimeouts, openDatabase, type OpenDatabase } from '../db/database.ts';
import { systemClock } from '../lib/clock.ts';
import { DataKeys } from '../keys/data-keys.ts';
import { createDataKeyStore } from '../keys/data-keys.store.ts';
import { openKeyProvider } from '../keys/open-key-provider.ts';
import type { KeyProvider } from '../keys/key-provider.ts';
import { buildLedger } from '../audit/build-ledger.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import { createLogger } from '../lib/logger.ts';

/** The database, the master key provider and the data keys, as CLI commands need them. */
export interface OpenKeys {
  readonly database: OpenDatabase;
  readonly provider: KeyProvider;
  readonly dataKeys: DataKeys;
  /** The audit ledger, opened at first use (commands that change state record through it). */
  ledger(): Promise<AuditLedger>;
  close(): Promise<void>;
}

/** Opens what key commands need from the configuration; `close` releases it all. */
export async function openKeys(config: Config): Promise<OpenKeys> {
  const dataDir = resolve(config.dataDir);
  const database = await openDatabase({ url: config.database.url, dataDir, timeouts: databaseTimeouts(config.database) });
  let provider: KeyProvider;
  try {
    provider = await openKeyProvider(config.keys, dataDir);
  } catch (e) {
    await database.db.destroy();
    throw e;
  }
  const dataKeys = new DataKeys({
    provider,
    store: createDataKeyStore(database.db),
    clock: systemClock,
    hours: config.keys.dataKeyHours,
    cacheMs: config.keys.cacheSeconds * 1000,
  });
  let ledger: Promise<AuditLedger> | undefined;
  return {
    database,
    provider,
    dataKeys,
    ledger() {
      ledger ??= buildLedger({
        db: database.db,
        dataKeys,
        dataDir,
        audit: config.audit,
        clock: systemClock,
        log: createLogger({ level: 'warn', destination: process.stderr }),
        announce: false,
      }).then((built) => built.ledger);
      return ledger;
    },
    async close() {
      if (ledger) await (await ledger.catch(() => undefined))?.close();
      await provider.close();
      await database.db.destroy();
    },
  };
}
