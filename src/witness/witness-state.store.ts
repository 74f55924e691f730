import BetterSqlite3 from 'better-sqlite3';
import { ensurePrivateFile } from '../lib/private-files.ts';

/** The latest checkpoint a witness cosigned for one log. */
export interface WitnessedHead {
  readonly size: number;
  readonly root: Buffer;
}

/**
 * A witness's own state: per log origin, the latest cosigned size and root
 * (https://c2sp.org/tlog-witness: "only required to keep track of the latest checkpoint").
 *
 * Contract: `update` runs `decide` and writes what it returns in one immediate SQLite
 * transaction (synchronous FULL), so checking the old size and persisting the new head are one
 * atomic step across every process sharing the file; the new head is on disk before `update`
 * returns (the witness MUST persist before it answers).
 */
export interface WitnessStateStore {
  head(origin: string): WitnessedHead | undefined;
  update<T>(origin: string, decide: (current: WitnessedHead | undefined) => { next?: WitnessedHead; result: T }): T;
  close(): void;
}

/** Opens (creating with mode 0600) the SQLite state file at `path`. */
export async function openWitnessState(path: string): Promise<WitnessStateStore> {
  await ensurePrivateFile(path, { create: true });
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS witnessed (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root TEXT NOT NULL, updated_ms INTEGER NOT NULL)');
  const select = db.prepare<[string], { size: number; root: string }>('SELECT size, root FROM witnessed WHERE origin = ?');
  const upsert = db.prepare<[string, number, string, number]>(
    'INSERT INTO witnessed (origin, size, root, updated_ms) VALUES (?, ?, ?, ?) ON CONFLICT(origin) DO UPDATE SET size = excluded.size, root = excluded.root, updated_ms = excluded.updated_ms',
  );
  const head = (origin: string): WitnessedHead | undefined => {
    const row = select.get(origin);
    return row === undefined ? undefined : { size: Number(row.size), root: Buffer.from(row.root, 'hex') };
  };
  return {
    head,
    update(origin, decide) {
      const run = db.transaction(() => {
        const { next, result } = decide(head(origin));
        if (next !== undefined) upsert.run(origin, next.size, next.root.toString('hex'), Date.now());
        return result;
      });
      return run.immediate();
    },
    close() {
      db.close();
    },
  };
}
