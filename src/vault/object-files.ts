/**
 * Filesystem pieces shared by the segment stores (plain and vault): safe key → path mapping,
 * error wrapping, listing, digests, quarantine and removal (durable directory creation is
 * lib/durable-files.ts). One object is
 * one file under the store's root, named by its key.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { opendir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { AppError, isAppError } from '../lib/errors.ts';
import { fsyncDir, makeParent } from '../lib/durable-files.ts';

/** A key segment: letters, digits, `.`, `_`, `-`; not `.` or `..`. */
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Checks a key: relative, `/`-separated, no empty, `.` or `..` segment, no backslash.
 * MUST run before any path is built, so no key can reach outside the root.
 */
export function validateKey(key: string): string[] {
  const parts = key.split('/');
  const ok = key.length > 0 && key.length <= 1024 && parts.every((p) => SEGMENT.test(p) && p !== '.' && p !== '..');
  if (!ok) throw new AppError('STORAGE_FAILED', 'segment key is not a safe relative path', { key: key.slice(0, 200) });
  return parts;
}

/** The file of `key` under `root` (after `validateKey`). */
export function objectPath(root: string, key: string): string {
  return join(root, ...validateKey(key));
}

/** Wraps a failure as STORAGE_FAILED naming the key and errno code, never the host path; AppErrors pass through. */
export function storageError(op: string, key: string, e: unknown): AppError {
  if (isAppError(e)) return e;
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'EUNKNOWN';
  return new AppError('STORAGE_FAILED', `segment store cannot ${op} ${key}: ${code}`, { key, op, errno: code });
}

/** Deletes the object's file; a missing one is not an error. */
export async function removeObject(root: string, key: string): Promise<void> {
  try {
    await rm(objectPath(root, key), { force: true });
  } catch (e) {
    throw storageError('remove', key, e);
  }
}

/** Every object key under `root`; an absent root holds none. */
export async function* listObjectKeys(root: string): AsyncIterable<string> {
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    let entries;
    try {
      entries = await opendir(dir);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') continue; // nothing written yet
      throw storageError('list', relative(root, dir) || '.', e);
    }
    for await (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) yield relative(root, full).split(sep).join('/');
    }
  }
}

/** SHA-256 (hex) of an object's bytes exactly as stored (for the vault: the ciphertext file). */
export async function digestObject(root: string, key: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(objectPath(root, key), { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (e) {
    throw storageError('hash', key, e);
  }
  return hash.digest('hex');
}

/**
 * Moves the object's file to `<parent of root>/quarantine/<name of root>/<key>` (a numbered
 * suffix when that name is taken), durably; returns that path relative to the root's parent.
 * Quarantined objects are kept for the operator, never deleted by Custos.
 */
export async function quarantineObject(root: string, key: string): Promise<string> {
  const from = objectPath(root, key);
  const base = join(dirname(root), 'quarantine', basename(root), ...validateKey(key));
  try {
    let to = base;
    for (let n = 1; await stat(to).then(() => true, () => false); n++) to = `${base}.${n}`;
    const syncParents = await makeParent(to);
    await rename(from, to);
    await syncParents();
    await fsyncDir(dirname(from));
    return relative(dirname(root), to).split(sep).join('/');
  } catch (e) {
    throw storageError('quarantine', key, e);
  }
}
