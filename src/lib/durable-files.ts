import { chmod, link, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Creates `dir` (and parents) with mode 0700 when missing; an existing directory is kept as it is. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (first !== undefined) await chmod(dir, 0o700);
}

/**
 * Durably writes `text` to `path` with mode 0600: temp file → fsync → rename (or link when
 * `exclusive`) → fsync of the directory. A crash leaves the old file or the new one, never a
 * mix. With `exclusive` the write MUST NOT replace an existing file: it fails with EEXIST.
 */
export async function writeFileAtomic(path: string, text: string, opts: { exclusive?: boolean } = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(tmp, 'wx', 0o600);
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } catch (e) {
    await file.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await file.close();
  try {
    if (opts.exclusive) await link(tmp, path);
    else await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
  await fsyncDir(dir);
}

/**
 * Removes the temp files a killed {@link writeFileAtomic} of `path` left behind
 * (`.<name>.<12 hex>.tmp` beside it); returns how many. The caller MUST be sure no other
 * process is writing `path` at the same time.
 */
export async function removeAtomicLeftovers(path: string): Promise<number> {
  const dir = dirname(path);
  const name = basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\.${name}\\.[0-9a-f]{12}\\.tmp$`);
  const leftovers = (await readdir(dir)).filter((f) => pattern.test(f));
  for (const f of leftovers) await rm(join(dir, f), { force: true });
  if (leftovers.length > 0) await fsyncDir(dir);
  return leftovers.length;
}

/** fsyncs a directory, so the entries created, renamed or removed in it survive power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/**
 * Makes the parent directory of `path`; returns a function that, once the file exists in it,
 * fsyncs that directory and every directory made for it, so the new name MUST reach stable
 * storage with its parents.
 */
export async function makeParent(path: string): Promise<() => Promise<void>> {
  const dir = dirname(path);
  const firstCreated = await mkdir(dir, { recursive: true });
  return async () => {
    await fsyncDir(dir);
    if (firstCreated !== undefined) {
      for (let d = dir; d !== dirname(firstCreated); d = dirname(d)) await fsyncDir(dirname(d));
    }
  };
}
