import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, open, readdir, readFile, stat } from 'node:fs/promises';
import { constants, createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../lib/errors.ts';
import { ensurePrivateDir, writeFileAtomic } from '../lib/durable-files.ts';

/**
 * The filesystem side of backups: an empty private directory to write into, private copies,
 * and SHA-256 of files. Every file a backup writes is mode 0600 (it holds the index, users and
 * password hashes), its directory 0700.
 */

/** Creates `dir` (0700) or accepts it empty; CONFLICT when it holds anything. */
export async function claimEmptyDir(dir: string, what: string): Promise<void> {
  const entries = await readdir(dir).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  });
  if (entries !== null && entries.length > 0) throw new AppError('CONFLICT', `${what} ${dir} is not empty; give a new or empty directory`);
  await mkdir(dirname(dir), { recursive: true });
  await ensurePrivateDir(dir);
}

/** SHA-256 (hex) and length of a file. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Copies a file (never over an existing one), makes the copy 0600 and flushes it to disk. */
export async function copyPrivate(from: string, to: string): Promise<void> {
  await ensurePrivateDir(dirname(to));
  await copyFile(from, to, constants.COPYFILE_EXCL);
  await chmod(to, 0o600);
  await syncFile(to);
}

/** fsync of a file written by another writer (SQLite, pg_dump) before its hash is trusted. */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes text durably (temp, fsync, rename), mode 0600. */
export async function writePrivateText(path: string, text: string): Promise<void> {
  await ensurePrivateDir(dirname(path));
  await writeFileAtomic(path, text, { exclusive: true });
}

/** Reads a text file; undefined when it does not exist. */
export async function readOptionalText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `name` inside `dir`. */
export function inside(dir: string, name: string): string {
  return join(dir, name);
}
