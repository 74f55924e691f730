import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import { AppError } from '../lib/errors.ts';
import { ensureDataDir, ensurePrivateFile } from '../lib/private-files.ts';
import type { Secret } from '../config/secret.ts';
import { migrations } from './migrations.ts';
import type { Tables } from './tables.ts';

/** The metadata database handle every store receives. */
export type Db = Kysely<Tables>;

/** Which engine a handle talks to (for the rare dialect-specific statement). */
export type DbEngine = 'sqlite' | 'postgres';

/** An open database with its engine. */
export interface OpenDatabase {
  readonly db: Db;
  readonly engine: DbEngine;
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
 */
export async function openDatabase(opts: { url: Secret | null; dataDir: string; log?: DatabaseLog }): Promise<OpenDatabase> {
  let opened: OpenDatabase;
  if (opts.url !== null) {
    const pool = new pg.Pool({ connectionString: opts.url.reveal(), types: pgTypes, max: 10 });
    pool.on('error', (e) => opts.log?.warn({ reason: redactedMessage(e) }, 'database: an idle connection was closed by the server; the next query opens a new one'));
    opened = { db: new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }), engine: 'postgres' };
  } else {
    await ensureDataDir(opts.dataDir);
    const file = join(opts.dataDir, 'custos.db');
    // The database holds users, password hashes, sealed secrets and who watched what: 0600.
    // SQLite gives the -wal and -shm files it creates the database file's mode; ones an earlier
    // version left readable are tightened too.
    for (const [path, create] of [[file, true], [`${file}-wal`, false], [`${file}-shm`, false]] as const) {
      if (await ensurePrivateFile(path, { create })) opts.log?.warn({ file: path }, 'database: the file was readable by group or others; its mode is now 0600');
    }
    const sqlite = new BetterSqlite3(file);
    sqlite.pragma('journal_mode = WAL');
    // FULL: a committed transaction (an audit event above all) survives a power loss, not only a
    // crash; group commit in the ledger keeps the fsyncs per second low (ADR 0009).
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    opened = { db: new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) }), engine: 'sqlite' };
  }
  try {
    await migrate(opened.db);
  } catch (e) {
    await opened.db.destroy();
    throw e instanceof AppError ? e : new AppError('STORAGE_FAILED', `database: ${redactedMessage(e)}`);
  }
  return opened;
}

/** Applies every pending migration; throws AppError STORAGE_FAILED naming the failed one. */
export async function migrate(db: Db): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError('STORAGE_FAILED', `database migration ${failed} failed: ${redactedMessage(error)}`);
  }
}

/** Driver messages can quote a connection string; keep only the first line, scrubbed. */
function redactedMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (text.split('\n')[0] ?? '').replace(/\/\/[^@/\s]*@/g, '//***@');
}
