import { resolve } from 'node:path';
import type { Config } from './config/schema.ts';
import { databaseTimeouts, openDatabase, type OpenDatabase } from './db/database.ts';
import { lockDataDir, type DataDirLock } from './db/data-dir-lock.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { systemMonotonicClock, type MonotonicClock } from './lib/monotonic-clock.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { DataKeys } from './keys/data-keys.ts';
import { createDataKeyStore } from './keys/data-keys.store.ts';
import { openKeyProvider } from './keys/open-key-provider.ts';
import type { KeyProvider } from './keys/key-provider.ts';
import { closeInterruptedRotation } from './audit/rotation-intent.ts';
import type { LeafRecord } from './audit/audit-event.ts';
import { buildLedger, type BuiltLedger } from './audit/build-ledger.ts';
import type { AuditLedger } from './audit/ledger.ts';
import type { LedgerStore, StoredCheckpoint } from './audit/ledger.store.ts';

/**
 * The core every Custos process stands on: the metadata database, the master key provider, the
 * data keys and the audit ledger. One assembly for `custos serve` (app.ts) and every CLI command.
 */
export interface Core {
  /** The data directory, absolute. */
  readonly dataDir: string;
  readonly database: OpenDatabase;
  readonly provider: KeyProvider;
  readonly dataKeys: DataKeys;
  /** The audit ledger with its store and sealer, opened at first use (commands that only read keys never open it). */
  openLedger(): Promise<BuiltLedger>;
  /** The audit ledger (opened at first use). */
  ledger(): Promise<AuditLedger>;
  /** The ledger's store, for reading events (opened with the ledger). */
  ledgerStore(): Promise<LedgerStore>;
  /** Closes the ledger, the key provider and the database and releases the lock, in that order. */
  close(): Promise<void>;
}

/** How a process opens the core. */
export interface CoreOptions {
  /**
   * Locks the data directory first in the name of this purpose (`custos serve`, `custos keys
   * rotate`): DATA_DIR_IN_USE while another locking process holds it. The key provider is then
   * opened exclusively, and a key rotation killed before its outcome is closed when the ledger
   * opens (no rotation can be running). Read-only commands do not lock.
   */
  readonly lockFor?: string;
  /** Logs the database's health changes and the core's start lines; the CLI passes none. */
  readonly log?: Logger;
  /** The wall clock (tests inject one); the system's by default. */
  readonly clock?: Clock;
  /** The monotonic clock; the system's by default. */
  readonly monotonic?: MonotonicClock;
  /** Records `audit.ledger.started` when the ledger opens (the server). */
  readonly announce?: boolean;
  /** Told about every committed batch of ledger records. */
  readonly onCommitted?: (records: readonly LeafRecord[]) => void;
  /** Told about every checkpoint this process newly signed (the witness client). */
  readonly onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
  /** Whether this process signs the periodic checkpoints now (cluster mode: the signer lease). */
  readonly signingTurn?: () => boolean;
}

/**
 * Opens the core from the configuration. A failure part-way undoes what was opened, in reverse
 * order, and rethrows: a failed start leaves no lock, connection or provider session behind.
 */
export async function openCore(config: Config, opts: CoreOptions = {}): Promise<Core> {
  const dataDir = resolve(config.dataDir);
  const clock = opts.clock ?? systemClock;
  const monotonic = opts.monotonic ?? systemMonotonicClock;
  const undo: (() => Promise<unknown>)[] = [];
  try {
    // Before anything touches the directory: a second server would recover the first one's open
    // segments, and a rotation under a server would leave keys wrapped by a retired version.
    const lock: DataDirLock | null = opts.lockFor === undefined ? null : await lockDataDir(dataDir, opts.lockFor);
    if (lock !== null) undo.push(() => lock.release());
    const database = await openDatabase({ url: config.database.url, dataDir, ...(opts.log === undefined ? {} : { log: opts.log }), timeouts: databaseTimeouts(config.database) });
    undo.push(() => database.db.destroy());
    opts.log?.info({ engine: database.engine, dataDir }, 'database open');
    const provider = await openKeyProvider(config.keys, dataDir, { exclusive: lock !== null });
    undo.push(() => provider.close());
    opts.log?.info({ provider: provider.kind, kekVersion: provider.currentVersion() }, 'master key available');
    const dataKeys = new DataKeys({
      provider,
      store: createDataKeyStore(database.db),
      clock,
      monotonic,
      hours: config.keys.dataKeyHours,
      cacheMs: config.keys.cacheSeconds * 1000,
    });

    let built: Promise<BuiltLedger> | undefined;
    const openLedger = async (): Promise<BuiltLedger> => {
      const ledger = await buildLedger({
        db: database.db,
        dataKeys,
        dataDir,
        audit: config.audit,
        clock,
        log: opts.log ?? createLogger({ level: 'warn', destination: process.stderr }),
        announce: opts.announce ?? false,
        ...(opts.onCommitted === undefined ? {} : { onCommitted: opts.onCommitted }),
        ...(opts.onCheckpoint === undefined ? {} : { onCheckpoint: opts.onCheckpoint }),
        ...(opts.signingTurn === undefined ? {} : { signingTurn: opts.signingTurn }),
      });
      try {
        // A rotation killed before its outcome ends its intent now (we hold the lock: none is running).
        if (lock !== null) await closeInterruptedRotation(ledger.store, ledger.ledger, provider.kind);
      } catch (e) {
        await ledger.ledger.close().catch(() => undefined);
        throw e;
      }
      return ledger;
    };
    let closing: Promise<void> | undefined;
    return {
      dataDir,
      database,
      provider,
      dataKeys,
      openLedger: () => (built ??= openLedger()),
      async ledger() {
        return (await (built ??= openLedger())).ledger;
      },
      async ledgerStore() {
        return (await (built ??= openLedger())).store;
      },
      close() {
        closing ??= (async () => {
          if (built) await (await built.catch(() => undefined))?.ledger.close();
          for (const step of undo.reverse()) await step();
        })();
        return closing;
      },
    };
  } catch (e) {
    for (const step of undo.reverse()) await step().catch((err: unknown) => opts.log?.error({ err }, 'cleanup after a failed start failed'));
    throw e;
  }
}
