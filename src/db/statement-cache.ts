import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Prepared statements kept at most (least recently used dropped first). */
const defaultCapacity = 200;

/**
 * The better-sqlite3 handle as Kysely's SqliteDialect sees it, with its prepared statements
 * re-used: Kysely prepares every statement it runs, and preparing costs more than running for the
 * audit ledger's bulk INSERTs (hundreds of rows, one compiled text re-used per batch) and its
 * verify pages (bench/audit-ledger.ts). Statements are keyed by their exact SQL text.
 *
 * Contracts: a statement that is busy (an unfinished `iterate`) is never handed out twice; a
 * fresh one is prepared instead. SQLite re-prepares a cached statement by itself after a schema
 * change (migrations), and closing the handle finalises every statement.
 */
export function cachingStatements(sqlite: BetterSqlite3.Database, capacity = defaultCapacity): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached !== undefined && !cached.busy) {
        // Map order is insertion order: re-inserting marks it most recently used.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      if (cached === undefined) {
        cache.set(sql, statement);
        if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
      }
      return statement;
    },
  };
}
