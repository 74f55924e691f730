/**
 * The storage module's own file operations (the fs adapter of src/storage/ besides the zones):
 * hashing a local copy, fetching a zone's copy into the scratch directory (0600 files in a 0700
 * directory, removed after use), and reading an S3 secret key file.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Zone } from './zone.ts';

/** SHA-256 and size of a local file, or null when it is missing. */
export async function fileDigest(path: string): Promise<{ sha256: string; size: number } | null> {
  const h = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      h.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return null;
    throw e;
  }
  return { sha256: h.digest('hex'), size };
}

/** A copy fetched into the scratch directory; `release` removes it. */
export interface ScratchCopy {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  release(): Promise<void>;
}

/** Creates the scratch directory (0700) when missing. */
export async function ensureScratchDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Fetches `key` from `zone` into `dir/name` and hashes it; null when the zone holds no such object. */
export async function fetchToScratch(zone: Zone, key: string, dir: string, name: string): Promise<ScratchCopy | null> {
  const body = await zone.get(key);
  if (body === null) return null;
  await ensureScratchDir(dir);
  const path = join(dir, name);
  const release = () => rm(path, { force: true });
  try {
    await pipeline(body, createWriteStream(path, { mode: 0o600 }));
    const digest = await fileDigest(path);
    if (digest === null) throw new Error(`scratch copy ${name} vanished`);
    return { path, ...digest, release };
  } catch (e) {
    await release();
    throw e;
  }
}

/** The trimmed text of a secret file; a short reason (errno code) when it cannot be read. */
export async function readSecretFile(path: string): Promise<{ value: string } | { error: string }> {
  try {
    return { value: (await readFile(path, 'utf8')).trim() };
  } catch (e) {
    return { error: (e as { code?: string }).code ?? 'error' };
  }
}
