import { createHash, type Hash } from 'node:crypto';
/**
 * SegmentStore over a local directory: object `key` is the plain fMP4 file `root/<key>`.
 * Durability (FIELD-NOTES, "Recording format"): `append` resolves after write(2), so a killed
 * process loses nothing written; fsync happens when a segment is created (its directory entry)
 * and closed (its bytes), not per fragment, so a power cut can lose the fragments of open
 * segments since their creation, which `recover` then cuts back to the last whole fragment.
 */
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { AppError, isAppError } from '../../src/lib/errors.ts';
import { makeParent } from '../../src/lib/durable-files.ts';
import { digestObject, listObjectKeys, objectPath, quarantineObject, removeObject, storageError } from '../../src/vault/object-files.ts';
import { Fmp4Reader } from '../../src/media/fmp4/fmp4-reader.ts';
import type { ObjectInfo, ObjectMeta, RecoveredObject, SegmentStore, SegmentWriter, StoredFragment } from '../../src/recording/segment-store.ts';

/** Bytes read per call by `stream` and `recover`. */
const READ_CHUNK = 1 << 20;

/** Writes all of `buf` at `position`; loops on a short write, which regular files rarely give. */
async function writeAll(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

/** The plain-file SegmentStore (this issue); the encrypted vault replaces it behind the same interface. */
export class FileSegmentStore implements SegmentStore {
  readonly #root: string;

  /** `root` MUST be an absolute directory owned by the recorder; it is created on first write. */
  constructor(root: string) {
    this.#root = root;
  }

  #path(key: string): string {
    return objectPath(this.#root, key);
  }

  async create(key: string, init: Buffer, _meta: ObjectMeta): Promise<SegmentWriter> {
    const path = this.#path(key);
    let fh: FileHandle | undefined;
    try {
      const syncParents = await makeParent(path);
      fh = await open(path, 'wx');
      await writeAll(fh, init, 0);
      await syncParents();
    } catch (e) {
      await fh?.close().catch(() => undefined);
      throw storageError('create', key, e);
    }
    return new FileSegmentWriter(fh, key, init);
  }

  async read(key: string, offset: number, length: number): Promise<Buffer> {
    const path = this.#path(key);
    try {
      const fh = await open(path, 'r');
      try {
        const buf = Buffer.alloc(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        if (got < length) {
          throw new AppError('STORAGE_FAILED', `segment store cannot read ${key}: range ends past the object`, { key, offset, length });
        }
        return buf;
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw storageError('read', key, e);
    }
  }

  async *stream(key: string, offset = 0, length = Number.POSITIVE_INFINITY): AsyncIterable<Buffer> {
    const path = this.#path(key);
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      throw storageError('stream', key, e);
    }
    try {
      let position = offset;
      let left = length;
      while (left > 0) {
        const buf = Buffer.alloc(Math.min(READ_CHUNK, left));
        let bytesRead: number;
        try {
          ({ bytesRead } = await fh.read(buf, 0, buf.length, position));
        } catch (e) {
          throw storageError('stream', key, e);
        }
        if (bytesRead === 0) break;
        yield buf.subarray(0, bytesRead);
        position += bytesRead;
        left -= bytesRead;
      }
    } finally {
      await fh.close();
    }
  }

  digest(key: string): Promise<string> {
    return digestObject(this.#root, key);
  }

  remove(key: string): Promise<void> {
    return removeObject(this.#root, key);
  }

  list(): AsyncIterable<string> {
    return listObjectKeys(this.#root);
  }

  /** Plain objects carry no header: only the size is known. */
  async describe(key: string): Promise<ObjectInfo> {
    try {
      const { size } = await stat(this.#path(key));
      return { size, empty: size === 0, meta: null };
    } catch (e) {
      throw storageError('describe', key, e);
    }
  }

  quarantine(key: string): Promise<string> {
    return quarantineObject(this.#root, key);
  }

  async recover(key: string): Promise<RecoveredObject> {
    const path = this.#path(key);
    let fh: FileHandle;
    try {
      fh = await open(path, 'r+');
    } catch (e) {
      throw storageError('recover', key, e);
    }
    try {
      const { size } = await fh.stat();
      const reader = new Fmp4Reader();
      const fragments: StoredFragment[] = [];
      let initSize = 0;
      let timescale = 0;
      let codec = '';
      let good = 0;
      scan: for (let position = 0; position < size; ) {
        const buf = Buffer.alloc(Math.min(READ_CHUNK, size - position));
        const { bytesRead } = await fh.read(buf, 0, buf.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        let pieces;
        try {
          pieces = reader.push(buf.subarray(0, bytesRead));
        } catch (e) {
          if (isAppError(e, 'MEDIA_MALFORMED')) break scan; // keep what came before the fault
          throw e;
        }
        for (const p of pieces) {
          if (p.kind === 'init') {
            initSize = p.bytes.length;
            timescale = p.timescale;
            codec = p.codec;
          } else {
            fragments.push({ offset: good, size: p.bytes.length, decodeTime: p.decodeTime, duration: p.duration, keyframe: p.keyframe });
          }
          good += p.bytes.length;
        }
      }
      if (initSize === 0) {
        throw new AppError('STORAGE_FAILED', `segment store cannot recover ${key}: its init segment is torn`, { key, op: 'recover' });
      }
      if (good < size) {
        await fh.truncate(good);
        await fh.sync();
      }
      return { initSize, codec, timescale, fragments, size: good, truncatedBytes: size - good, unreadableChunks: 0 };
    } catch (e) {
      throw storageError('recover', key, e);
    } finally {
      await fh.close();
    }
  }
}

/** Appends to one open segment file with positional writes, so offsets never depend on a file cursor. */
class FileSegmentWriter implements SegmentWriter {
  readonly #fh: FileHandle;
  readonly #key: string;
  #size: number;
  #failed: AppError | undefined;
  #closed = false;
  readonly #inFlight = new Set<Promise<void>>();
  /** SHA-256 of the bytes reserved so far, in file order. */
  readonly #hash: Hash;

  constructor(fh: FileHandle, key: string, init: Buffer) {
    this.#fh = fh;
    this.#key = key;
    this.#size = init.length;
    this.#hash = createHash('sha256').update(init);
  }

  get size(): number {
    return this.#size;
  }

  /** Reserves the range synchronously, so appends called back to back keep their call order. */
  async append(fragment: Buffer): Promise<number> {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#closed) throw new AppError('STORAGE_FAILED', `segment store cannot append to closed ${this.#key}`, { key: this.#key });
    const offset = this.#size;
    this.#size += fragment.length;
    this.#hash.update(fragment);
    const write = writeAll(this.#fh, fragment, offset);
    const tracked = write.catch(() => undefined);
    this.#inFlight.add(tracked);
    try {
      await write;
    } catch (e) {
      // A gap or partial write leaves the object unusable past this point: refuse further appends.
      this.#failed = storageError('append to', this.#key, e);
      throw this.#failed;
    } finally {
      this.#inFlight.delete(tracked);
    }
    return offset;
  }

  /** Waits for appends still in flight, then fsyncs and closes; closing twice is a no-op. */
  async close(): Promise<string | null> {
    if (this.#closed) return null;
    this.#closed = true;
    await Promise.all(this.#inFlight);
    try {
      await this.#fh.sync();
      return this.#failed === undefined ? this.#hash.digest('hex') : null;
    } catch (e) {
      throw storageError('fsync', this.#key, e);
    } finally {
      await this.#fh.close().catch(() => undefined);
    }
  }
}
