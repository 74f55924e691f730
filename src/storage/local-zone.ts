/**
 * A local directory zone: one file per object under `root`, written to a temporary name, fsynced
 * and renamed into place, so a copy is either whole or absent. The recording zone (the one the
 * recorder writes into, <dataDir>/segments by default) is also a LocalZone over the vault's root.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat, statfs } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { dirname } from 'node:path';
import { fsyncDir, makeParent } from '../lib/durable-files.ts';
import { listObjectKeys, objectPath, removeObject, storageError } from '../vault/object-files.ts';
import { sourceMismatch, type Zone } from './zone.ts';

export class LocalZone implements Zone {
  readonly kind = 'local' as const;
  readonly id: string;
  readonly jurisdiction: string;
  readonly root: string;

  constructor(opts: { id: string; jurisdiction: string; root: string }) {
    this.id = opts.id;
    this.jurisdiction = opts.jurisdiction;
    this.root = opts.root;
  }

  /** The file of `key` in this zone. */
  path(key: string): string {
    return objectPath(this.root, key);
  }

  async put(key: string, file: string, _size: number, sha256?: string): Promise<string> {
    const to = this.path(key);
    const tmp = `${to}.part`;
    try {
      const syncParents = await makeParent(to);
      // One pass: read, hash, write; renamed into place only when whole, synced and matching.
      const hash = createHash('sha256');
      const source = createReadStream(file, { highWaterMark: 1 << 20 });
      source.on('data', (chunk) => hash.update(chunk as Buffer));
      await pipeline(source, createWriteStream(tmp, { mode: 0o600 }));
      const digest = hash.digest('hex');
      if (sha256 !== undefined && digest !== sha256) throw sourceMismatch(this.id, key);
      const fh = await open(tmp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, to);
      await syncParents();
      await fsyncDir(dirname(to));
      return digest;
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw storageError(`copy into zone ${this.id}`, key, e);
    }
  }

  async get(key: string): Promise<AsyncIterable<Buffer> | null> {
    if ((await this.head(key)) === null) return null;
    return createReadStream(this.path(key), { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
  }

  async head(key: string): Promise<number | null> {
    try {
      const s = await stat(this.path(key));
      return s.isFile() ? s.size : null;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') return null;
      throw storageError(`stat in zone ${this.id}`, key, e);
    }
  }

  remove(key: string): Promise<void> {
    return removeObject(this.root, key);
  }

  async *list(): AsyncIterable<string> {
    for await (const key of listObjectKeys(this.root)) if (!key.endsWith('.part')) yield key;
  }

  async probe(): Promise<void> {
    await makeParent(this.path('probe'));
  }

  async fill(): Promise<{ usedBytes: number | null; totalBytes: number | null }> {
    try {
      const fs = await statfs(this.root);
      return { usedBytes: (fs.blocks - fs.bfree) * fs.bsize, totalBytes: fs.blocks * fs.bsize };
    } catch {
      return { usedBytes: null, totalBytes: null };
    }
  }

  async close(): Promise<void> {
    // Nothing held open.
  }
}
