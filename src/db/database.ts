import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import { AppError, isAppError } from '../lib/errors.ts';
import { ensureDataDir, ensurePrivateFile } from '../lib/private-files.ts';
import type { Secret } from '../config/secret.ts';
import { DatabaseHealth, databaseFault, firstLine } from './database-faults.ts';
import { faultAwareDialect } from './fault-aware-dialect.ts';
import { migrations } from './migrations.ts';
import { cachingStatements } from './statement-cache.ts';
import type { Tables } from './tables.ts';

/** The metadata database handle every store receives. */
export type Db = Kysely<Tables>;

/** Which engine a handle talks to (for the rare dialect-specific statement). */
export type DbEngine = 'sqlite' | 'postgres';

/** An open database with its engine. */
export interface OpenDatabase {
  readonly db: Db;
  readonly engine: DbEngine;
  /** Whether the server answers and its disk has room, as the last statements found (`/healthz`). */
  readonly health: DatabaseHealth;
}

/** PostgreSQL time limits; every one of them bounds how long a caller can wait on an outage. */
export interface DatabaseTimeouts {
  /** Opening a connection (TCP, TLS, authentication) or waiting for a free one in the pool. */
  readonly connectMs: number;
  /** One statement: the server cancels it (statement_timeout) and the client stops waiting. */
  readonly statementMs: number;
}

/** The defaults of `database.connectTimeoutSeconds` and `database.statementTimeoutSeconds`. */
export const defaultDatabaseTimeouts: DatabaseTimeouts = { connectMs: 5000, statementMs: 15_000 };

/** The time limits of the `database` config section. */
export function databaseTimeouts(config: { connectTimeoutSeconds: number; statementTimeoutSeconds: number }): DatabaseTimeouts {
  return { connectMs: config.connectTimeoutSeconds * 1000, statementMs: config.statementTimeoutSeconds * 1000 };
}

/** PostgreSQL int8 (20) and numeric (1700) as JS numbers: our values stay below 2^53. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/** Where the database reports trouble that belongs to no query (pino-compatible). */
export interface DatabaseLog {
  warn(obj: object, msg: string): void;
}

/**
 * Opens the metadata database and applies pending migrations: PostgreSQL when `url` is set,
 * else SQLite (WAL) at `<dataDir>/custos.db`, its files mode 0600 (tightened when found looser).
 *
 * PostgreSQL: an idle pooled connection that the server ends (a restart, a failover,
 * `pg_terminate_backend`, `idle_session_timeout`) is reported to `log` and dropped; the pool
 * opens a new one for the next query. Without that listener the pool's 'error' event would be
 * unhandled and end the process: one restart of the database would stop every recording.
 * Every wait is bounded (`timeouts`): a server that stops answering (a network partition, a
 * blackhole) fails statements with DATABASE_UNAVAILABLE instead of hanging their callers, and a
 * connection whose statement timed out is destroyed, never reused.
 *
 * Both engines: faults of the environment (full disk, unreachable server) surface as STORAGE_FULL
 * or DATABASE_UNAVAILABLE and are tracked in `health` (src/db/fault-aware-dialect.ts).
 */
export async function openDatabase(opts: { url: Secret | null; dataDir: string; log?: DatabaseLog; timeouts?: DatabaseTimeouts }): Promise<OpenDatabase> {
  let opened: OpenDatabase;
  const health = new DatabaseHealth();
  if (opts.url !== null) {
    const timeouts = opts.timeouts ?? defaultDatabaseTimeouts;
    const pool = new pg.Pool({
      connectionString: opts.url.reveal(),
      types: pgTypes,
      max: 10,
      connectionTimeoutMillis: timeouts.connectMs,
      // Server side: the server cancels a statement running longer. Client side: a server that does
      // not answer at all (blackholed) cannot cancel anything; the client stops waiting a little later.
      statement_timeout: timeouts.statementMs,
      query_timeout: timeouts.statementMs + 1000,
      idle_in_transaction_session_timeout: timeouts.statementMs * 2,
      keepAlive: true,
    });
    pool.on('error', (e) => opts.log?.warn({ reason: redactedMessage(e) }, 'database: an idle connection was closed by the server; the next query opens a new one'));
    opened = { db: new Kysely<Tables>({ dialect: faultAwareDialect(new PostgresDialect({ pool: discardingBrokenClients(pool, timeouts.connectMs) }), health) }), engine: 'postgres', health };
  } else {
    await ensureDataDir(opts.dataDir);
    const file = join(opts.dataDir, 'custos.db');
    let sqlite: BetterSqlite3.Database | undefined;
    try {
      // The database holds users, password hashes, sealed secrets and who watched what: 0600.
      // SQLite gives the -wal and -shm files it creates the database file's mode; ones an earlier
      // version left readable are tightened too.
      for (const [path, create] of [[file, true], [`${file}-wal`, false], [`${file}-shm`, false]] as const) {
        if (await ensurePrivateFile(path, { create })) opts.log?.warn({ file: path }, 'database: the file was readable by group or others; its mode is now 0600');
      }
      sqlite = new BetterSqlite3(file);
      sqlite.pragma('journal_mode = WAL');
      // FULL: a committed transaction (an audit event above all) survives a power loss, not only a
      // crash; group commit in the ledger keeps the fsyncs per second low (ADR 0009).
      sqlite.pragma('synchronous = FULL');
      sqlite.pragma('busy_timeout = 5000');
    } catch (e) {
      sqlite?.close();
      throw await sqliteOpenError(e, opts.dataDir);
    }
    opened = { db: new Kysely<Tables>({ dialect: faultAwareDialect(new SqliteDialect({ database: cachingStatements(sqlite) }), health) }), engine: 'sqlite', health };
  }
  try {
    await migrate(opened.db);
  } catch (e) {
    await opened.db.destroy();
    if (opened.engine === 'sqlite') throw await sqliteOpenError(e, opts.dataDir);
    throw e instanceof AppError ? e : new AppError('STORAGE_FAILED', `database: ${redactedMessage(e)}`);
  }
  return opened;
}

/** Below this many free bytes, an I/O error of SQLite is reported as the full disk it is. */
const fullDiskBytes = 1 << 20;

/**
 * The error to report when SQLite cannot open: on a full disk SQLite says "disk I/O error"
 * (it cannot create its WAL index) or SQLITE_FULL; both are STORAGE_FULL, stated with the free
 * space, so the operator frees space instead of suspecting a damaged disk.
 */
async function sqliteOpenError(e: unknown, dataDir: string): Promise<AppError> {
  const code = (e as { code?: unknown }).code;
  const cause = e instanceof AppError ? e.message : redactedMessage(e);
  const named = typeof code === 'string' ? code : '';
  if (/^SQLITE_(FULL|IOERR)/.test(named) || /disk I\/O error|disk is full/i.test(cause) || isAppError(e, 'STORAGE_FULL')) {
    const free = await statfs(dataDir).then((fs) => fs.bavail * fs.bsize, () => Number.POSITIVE_INFINITY);
    if (free < fullDiskBytes || named === 'SQLITE_FULL') return new AppError('STORAGE_FULL', `the disk under the database is full (${Math.floor(free / 1024)} KiB free in ${dataDir}): ${cause}${named ? ` (${named})` : ''}`);
  }
  if (e instanceof AppError) return e;
  return new AppError('STORAGE_FAILED', `database: ${cause}${named ? ` (${named})` : ''}`);
}

/**
 * Applies every pending migration; throws AppError STORAGE_FAILED naming the failed one (or
 * STORAGE_FULL / DATABASE_UNAVAILABLE). With none pending nothing is written (the migrator's
 * lock is a write), so a read-only task such as `audit verify` still opens a database whose
 * disk is full.
 */
export async function migrate(db: Db): Promise<void> {
  if (!(await hasPendingMigrations(db))) return;
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    // A full disk or an unreachable server keeps its own code: the operator's fix is not a migration's.
    const fault = databaseFault(error);
    throw new AppError(fault?.code ?? 'STORAGE_FAILED', `database migration ${failed} failed: ${redactedMessage(error)}`);
  }
}

/** False only when every migration is recorded as applied (any doubt: true, and the migrator decides). */
async function hasPendingMigrations(db: Db): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    const applied = new Set(rows.map((r) => r.name));
    return Object.keys(migrations).some((name) => !applied.has(name));
  } catch {
    return true;
  }
}

/**
 * The pool as Kysely sees it, except that a client whose statement failed for a connection-level
 * reason (a read timeout above all: the statement may still be in flight on that socket) is
 * destroyed on release instead of going back to the pool.
 */
function discardingBrokenClients(pool: pg.Pool, endMs: number): PostgresPool {
  return {
    options: pool.options,
    // Ending a connection waits for the server's goodbye; an unreachable server never sends it.
    // Shutdown MUST NOT hang on a database outage: after `endMs` the sockets are left to the OS.
    end: async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([pool.end(), new Promise<void>((resolve) => (timer = setTimeout(resolve, endMs)))]);
      clearTimeout(timer);
    },
    async connect() {
      const client = await pool.connect();
      let broken = false;
      const query = (text: unknown, params?: unknown): unknown => {
        if (typeof text !== 'string') return client.query(text as pg.Submittable);
        return client.query(text, params as unknown[]).catch((e: unknown) => {
          if (databaseFault(e)?.code === 'DATABASE_UNAVAILABLE') broken = true;
          throw e;
        });
      };
      return {
        query: query as PostgresPoolClient['query'],
        get processID() {
          return (client as unknown as { processID?: number }).processID;
        },
        release: (destroy?: boolean) => client.release(destroy === true || broken),
      };
    },
  };
}

/** Driver messages can quote a connection string; keep only the first line, scrubbed. */
function redactedMessage(e: unknown): string {
  return firstLine(e instanceof Error ? e.message : String(e));
}

/** One round trip to the database (`/healthz`); rejects as any statement would. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
