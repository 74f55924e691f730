import { chmod, link, mkdir, open, rename, rm } from 'node:fs/promises';
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
  } finally {
    await file.close();
  }
  try {
    if (opts.exclusive) await link(tmp, path);
    else await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
