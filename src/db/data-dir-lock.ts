import BetterSqlite3 from 'better-sqlite3';
import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../lib/errors.ts';
import { ensurePrivateDir, writeFileAtomic } from '../lib/durable-files.ts';

/** The lock file in the data directory (an SQLite file held in an exclusive transaction). */
export const lockFileName = 'custos.lock';
/** Who holds the lock, for the refusal message only (the lock itself is the kernel's). */
const holderFileName = 'custos.lock.holder';

/** An exclusive hold on a data directory; `release` is idempotent. */
export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * Takes the exclusive lock on a data directory for `purpose` (`custos serve`, `custos keys
 * rotate`), or fails at once with AppError DATA_DIR_IN_USE naming the holder.
 *
 * The lock is an fcntl (POSIX record) lock held by SQLite on `custos.lock` inside an open
 * `BEGIN EXCLUSIVE` transaction (docs/decisions/0017-data-dir-lock.md): the kernel drops it when
 * the process dies, however it dies, so there is no stale lock to break and no pid that can be
 * reused. Other connections of the same process are refused too (SQLite tracks its own locks).
 * The holder file is informative and MUST NOT be trusted for exclusion.
 */
export async function lockDataDir(dataDir: string, purpose: string): Promise<DataDirLock> {
  await ensurePrivateDir(dataDir);
  const path = join(dataDir, lockFileName);
  const db = new BetterSqlite3(path, { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db.close();
    if (!isBusy(e)) throw e;
    const holder = await readFile(join(dataDir, holderFileName), 'utf8').then((t) => ` (${describeHolder(t)})`, () => '');
    throw new AppError('DATA_DIR_IN_USE', `data directory ${dataDir} is in use by another Custos process${holder}; stop it first`, { dataDir });
  }
  const holder = { pid: process.pid, host: hostname(), purpose, since: new Date().toISOString() };
  await writeFileAtomic(join(dataDir, holderFileName), `${JSON.stringify(holder)}\n`).catch(() => undefined);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await rm(join(dataDir, holderFileName), { force: true }).catch(() => undefined);
      db.close();
    },
  };
}

function isBusy(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

function describeHolder(text: string): string {
  try {
    const h = JSON.parse(text) as { pid?: unknown; host?: unknown; purpose?: unknown; since?: unknown };
    return `${String(h.purpose)}, pid ${String(h.pid)} on ${String(h.host)}, since ${String(h.since)}`;
  } catch {
    return 'holder unknown';
  }
}
