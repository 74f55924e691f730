import BetterSqlite3 from 'better-sqlite3';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../lib/errors.ts';

/** What a database snapshot holds, read from the snapshot itself (so the manifest tells the truth). */
export interface SnapshotFacts {
  /** Leaves of the audit ledger (the committed tree size). */
  readonly ledgerSize: number;
  /** Size of the newest signed checkpoint, 0 without any. */
  readonly checkpointSize: number;
  /** Index rows of segments. */
  readonly segments: number;
  /** Master key (KEK) versions that wrap live data keys: a key backup MUST hold each of them. */
  readonly kekVersions: readonly number[];
}

/**
 * Copies the live SQLite database `<dataDir>/custos.db` to `dest` with SQLite's online backup
 * API while a server may be writing it. The server's lock is not taken: the backup opens its
 * own connection, and SQLite gives it a consistent snapshot (a write by another process between
 * steps restarts the copy, so the result is one committed state, never a mix). The copy is then
 * switched to a rollback journal so it is one self-contained file, and its facts are read from it.
 */
export async function snapshotSqlite(dataDir: string, dest: string): Promise<SnapshotFacts> {
  const source = join(dataDir, 'custos.db');
  let live: BetterSqlite3.Database;
  try {
    live = new BetterSqlite3(source, { fileMustExist: true });
  } catch (e) {
    throw new AppError('STORAGE_FAILED', `backup: cannot open ${source}: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    // Created first with mode 0600: the copy holds users, password hashes and sealed secrets.
    await writeFile(dest, '', { mode: 0o600, flag: 'wx' });
    live.pragma('busy_timeout = 5000');
    // Everything left in one step: a small index copies in one read transaction.
    await live.backup(dest, { progress: () => 1 << 30 });
  } finally {
    live.close();
  }
  const copy = new BetterSqlite3(dest, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const integrity = copy.pragma('quick_check', { simple: true });
    if (integrity !== 'ok') throw new AppError('STORAGE_FAILED', `backup: the copied database fails its integrity check (${String(integrity)})`);
    return factsOf(copy);
  } finally {
    copy.close();
  }
}

/** The facts of a database file (a snapshot or a restored copy). */
export function sqliteFileFacts(file: string): SnapshotFacts {
  const db = new BetterSqlite3(file, { fileMustExist: true, readonly: true });
  try {
    return factsOf(db);
  } finally {
    db.close();
  }
}

function factsOf(db: BetterSqlite3.Database): SnapshotFacts {
  const one = (q: string): number => Number((db.prepare(q).get() as { n: number | null } | undefined)?.n ?? 0);
  return {
    ledgerSize: one('select size as n from audit_head where id = 1'),
    checkpointSize: one('select max(size) as n from audit_checkpoints'),
    segments: one('select count(*) as n from segments'),
    kekVersions: (db.prepare("select distinct kek_version as v from data_keys where wrapped <> '' order by v").all() as { v: number }[]).map((r) => r.v),
  };
}
