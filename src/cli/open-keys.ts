import { resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import { databaseTimeouts, openDatabase, type OpenDatabase } from '../db/database.ts';
import { systemClock } from '../lib/clock.ts';
import { systemMonotonicClock } from '../lib/monotonic-clock.ts';
import { DataKeys } from '../keys/data-keys.ts';
import { createDataKeyStore } from '../keys/data-keys.store.ts';
import { openKeyProvider } from '../keys/open-key-provider.ts';
import type { KeyProvider } from '../keys/key-provider.ts';
import { buildLedger } from '../audit/build-ledger.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { LedgerStore } from '../audit/ledger.store.ts';
import { lockDataDir, type DataDirLock } from '../db/data-dir-lock.ts';
import { createLogger } from '../lib/logger.ts';

/** The database, the master key provider and the data keys, as CLI commands need them. */
export interface OpenKeys {
  readonly database: OpenDatabase;
  readonly provider: KeyProvider;
  readonly dataKeys: DataKeys;
  /** The audit ledger, opened at first use (commands that change state record through it). */
  ledger(): Promise<AuditLedger>;
  /** The ledger's store, for reading events (opened with the ledger). */
  ledgerStore(): Promise<LedgerStore>;
  close(): Promise<void>;
}

/**
 * Opens what key commands need from the configuration; `close` releases it all. With `lockFor`
 * (a command name) the data directory is locked first, so no server or other rotation runs
 * meanwhile: DATA_DIR_IN_USE otherwise.
 */
export async function openKeys(config: Config, opts: { lockFor?: string } = {}): Promise<OpenKeys> {
  const dataDir = resolve(config.dataDir);
  const lock: DataDirLock | null = opts.lockFor === undefined ? null : await lockDataDir(dataDir, opts.lockFor);
  let database: OpenDatabase;
  let provider: KeyProvider;
  try {
    database = await openDatabase({ url: config.database.url, dataDir, timeouts: databaseTimeouts(config.database) });
  } catch (e) {
    await lock?.release();
    throw e;
  }
  try {
    provider = await openKeyProvider(config.keys, dataDir, { exclusive: lock !== null });
  } catch (e) {
    await database.db.destroy();
    await lock?.release();
    throw e;
  }
  const dataKeys = new DataKeys({
    provider,
    store: createDataKeyStore(database.db),
    clock: systemClock,
    monotonic: systemMonotonicClock,
    hours: config.keys.dataKeyHours,
    cacheMs: config.keys.cacheSeconds * 1000,
  });
  let built: ReturnType<typeof buildLedger> | undefined;
  const build = () =>
    (built ??= buildLedger({
      db: database.db,
      dataKeys,
      dataDir,
      audit: config.audit,
      clock: systemClock,
      log: createLogger({ level: 'warn', destination: process.stderr }),
      announce: false,
    }));
  return {
    database,
    provider,
    dataKeys,
    async ledger() {
      return (await build()).ledger;
    },
    async ledgerStore() {
      return (await build()).store;
    },
    async close() {
      if (built) await (await built.catch(() => undefined))?.ledger.close();
      await provider.close();
      await database.db.destroy();
      await lock?.release();
    },
  };
}
