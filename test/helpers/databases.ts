import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type OpenDatabase } from '../../src/db/database.ts';
import { Secret } from '../../src/config/secret.ts';

/**
 * Real databases for store tests: a fresh SQLite file and a fresh PostgreSQL database on
 * 127.0.0.1:5432 (CUSTOS_TEST_PG_URL overrides the server). Both are dropped afterwards.
 */
export interface TestDatabase extends OpenDatabase {
  readonly name: 'sqlite' | 'postgres';
  /** Connection URL (PostgreSQL) or data directory (SQLite), to reopen the same database. */
  readonly location: string;
  close(): Promise<void>;
}

/** Base URL of the PostgreSQL server used by tests. */
export const pgAdminUrl = process.env.CUSTOS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Creates an empty database of the given engine, migrated. */
export async function createTestDatabase(engine: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'custos-db-'));
    const opened = await openDatabase({ url: null, dataDir: dir });
    return {
      ...opened,
      name: 'sqlite',
      location: dir,
      async close() {
        await opened.db.destroy();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const dbName = `custos_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(pgAdminUrl);
  url.pathname = `/${dbName}`;
  const opened = await openDatabase({ url: new Secret(url.href), dataDir: tmpdir() });
  return {
    ...opened,
    name: 'postgres',
    location: url.href,
    async close() {
      await opened.db.destroy();
      const a = new pg.Client({ connectionString: pgAdminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** Both engines, for `for (const engine of engines)` loops in store tests. */
export const engines = ['sqlite', 'postgres'] as const;
