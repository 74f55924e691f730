import { chmod, mkdir, open, stat } from 'node:fs/promises';

/** Bits that give the group or others any access. */
const othersBits = 0o077;

/**
 * Makes `path` a private file (mode 0600): created empty with that mode when missing, and
 * tightened when an earlier version or the operator left it readable by group or others.
 * Files holding secrets or personal data (the SQLite database and its `-wal`/`-shm`) MUST go
 * through this before anything writes to them. Returns true when it tightened a file.
 */
export async function ensurePrivateFile(path: string, opts: { create: boolean }): Promise<boolean> {
  if (opts.create) await (await open(path, 'a', 0o600)).close();
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  if ((mode & othersBits) === 0) return false;
  await chmod(path, 0o600);
  return true;
}

/**
 * Creates the data directory with mode 0700 when missing. Returns its mode when it exists with
 * access for group or others (the caller warns), else null. An existing directory is not
 * changed: the operator may have reasons (a backup agent in the group) we cannot see.
 */
export async function ensureDataDir(dir: string): Promise<number | null> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const mode = (await stat(dir)).mode & 0o777;
  return (mode & othersBits) === 0 ? null : mode;
}
