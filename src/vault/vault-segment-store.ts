/**
 * The encrypted SegmentStore (docs/reference/vault-format.md): object `key` is the vault file
 * `root/<key>`, sealed chunk by chunk (one chunk per fMP4 piece) under the camera's hourly data
 * key. Plaintext-addressed: offsets, sizes and read ranges are those of the plain fMP4 object, so
 * the index and HLS byte ranges do not change. Plaintext MUST NOT reach the disk.
 * Durability as FileSegmentStore: 'wx' and a directory fsync at create, one write(2) per append,
 * final chunk and fsync at close; `recover` cuts a torn object back to its last authentic chunk.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { AppError, isAppError } from '../lib/errors.ts';
import { makeParent } from '../lib/durable-files.ts';
import { digestObject, listObjectKeys, objectPath, quarantineObject, removeObject, storageError } from './object-files.ts';
import { parseFragment, parseInit } from '../media/fmp4/fmp4-reader.ts';
import type { ParsedInit } from '../media/fmp4/fmp4-reader.ts';
import type { ObjectInfo, ObjectMeta, RecoveredObject, SegmentStore, SegmentWriter, StoredFragment } from '../recording/segment-store.ts';
import { ChunkCipher, MAX_CHUNK_INDEX, RECORD_OVERHEAD } from './chunk-cipher.ts';
import { InlineChunkSealer, writevAll, type ChunkSealer } from './chunk-sealer.ts';
import type { SealPool } from './seal-pool.ts';
import type { DataKeySource } from './data-key-source.ts';
import { HEADER_FIXED_SIZE, newHeader } from './vault-header.ts';
import type { VaultHeader } from './vault-header.ts';
import { readHeader, scanRecords } from './vault-scan.ts';
import type { ReadAt } from './vault-scan.ts';

/** Chunk tables kept in memory (a few hundred bytes each, more for long segments). */
const TABLE_CACHE_SIZE = 256;

/** A `ReadAt` over an open file: short only at the end of the file. */
export function fileReadAt(fh: FileHandle): ReadAt {
  return async (position, length) => {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === length ? buf : buf.subarray(0, got);
  };
}

/**
 * Where the non-final chunks of one object lie: chunk i holds plaintext
 * [plainOffsets[i], plainOffsets[i] + sizes[i]) in the record at recordOffsets[i].
 */
interface ChunkTable {
  readonly header: VaultHeader;
  readonly plainOffsets: number[];
  readonly sizes: number[];
  readonly recordOffsets: number[];
  /** Chunks whose records are wholly on disk: a prefix of the table. */
  readable: number;
  /** Plaintext bytes of the readable chunks. */
  readableSize: number;
  /** True once the final chunk is on disk (or seen by a scan). */
  closed: boolean;
  /** True while a writer of this process extends the table. */
  live: boolean;
}

/** Index of the chunk holding plaintext byte `offset` (offset < readableSize). */
function chunkAt(t: ChunkTable, offset: number): number {
  let lo = 0;
  let hi = t.readable - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((t.plainOffsets[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The encrypted SegmentStore; see the file comment. */
export class VaultSegmentStore implements SegmentStore {
  readonly #root: string;
  readonly #keys: DataKeySource;
  readonly #sealPool: SealPool | null;
  /** LRU of chunk tables by key (Map keeps insertion order: the first entry is the oldest). */
  readonly #tables = new Map<string, ChunkTable>();

  /**
   * `root` MUST be an absolute directory owned by the recorder; `keys` gives the data keys.
   * With `sealPool`, writers seal, hash and write their fragments on its worker threads (ADR 0044).
   */
  constructor(root: string, keys: DataKeySource, opts: { sealPool?: SealPool } = {}) {
    this.#root = root;
    this.#keys = keys;
    this.#sealPool = opts.sealPool ?? null;
  }

  #path(key: string): string {
    return objectPath(this.#root, key);
  }

  #remember(key: string, table: ChunkTable): void {
    this.#tables.delete(key);
    this.#tables.set(key, table);
    if (this.#tables.size > TABLE_CACHE_SIZE) this.#tables.delete(this.#tables.keys().next().value as string);
  }

  /** The chunk table of `key`: cached, or rebuilt by a key-less scan (`fresh` forces the scan). */
  async #table(key: string, fh: FileHandle, fresh = false): Promise<ChunkTable> {
    const cached = this.#tables.get(key);
    if (cached !== undefined && !fresh) {
      this.#remember(key, cached);
      return cached;
    }
    if (cached?.live === true) return cached; // our own writer knows better than the disk
    const { size } = await fh.stat();
    const scan = await scanRecords(fileReadAt(fh), size);
    const body = scan.records.filter((r) => r.size > 0);
    const table: ChunkTable = {
      header: scan.header,
      plainOffsets: body.map((r) => r.plainOffset),
      sizes: body.map((r) => r.size),
      recordOffsets: body.map((r) => r.recordOffset),
      readable: body.length,
      readableSize: body.reduce((n, r) => n + r.size, 0),
      closed: scan.ending === 'final',
      live: false,
    };
    this.#remember(key, table);
    return table;
  }

  /** The chunk cipher of an object; the data key is asked for on every use, so a destroyed key stops reads at once. */
  async #cipher(key: string, header: VaultHeader): Promise<ChunkCipher> {
    let dataKey: Buffer;
    try {
      dataKey = await this.#keys.keyById(header.keyId);
    } catch (e) {
      if (isAppError(e)) throw e; // KEY_UNAVAILABLE: destroyed key or provider down
      throw new AppError('STORAGE_FAILED', `segment store cannot read ${key}: its data key is unavailable`, { key, keyId: header.keyId });
    }
    return new ChunkCipher(dataKey, header);
  }

  /** Reads and opens chunk `i`; an authentication failure names the key and the chunk. */
  async #openChunk(key: string, fh: FileHandle, t: ChunkTable, cipher: ChunkCipher, i: number): Promise<Buffer> {
    const size = RECORD_OVERHEAD + (t.sizes[i] as number);
    const record = await fileReadAt(fh)(t.recordOffsets[i] as number, size);
    try {
      return cipher.open(i, record, false);
    } catch (e) {
      const reason = isAppError(e) && typeof e.detail?.['reason'] === 'string' ? e.detail['reason'] : 'unreadable';
      throw new AppError('STORAGE_FAILED', `segment store cannot read ${key}: chunk ${i} fails authentication`, { key, chunk: i, reason });
    }
  }

  async create(key: string, init: Buffer, meta: ObjectMeta): Promise<SegmentWriter> {
    const path = this.#path(key);
    let fh: FileHandle | undefined;
    let writer: VaultSegmentWriter;
    try {
      const dataKey = await this.#keys.keyFor(meta.cameraId, meta.startMs);
      const header = newHeader(dataKey.id, meta.cameraId, meta.startMs);
      const cipher = new ChunkCipher(dataKey.key, header);
      const record = cipher.sealParts(0, init, false);
      const syncParents = await makeParent(path);
      fh = await open(path, 'wx');
      await writevAll(fh, [header.bytes, ...record], 0);
      await syncParents();
      const table: ChunkTable = {
        header,
        plainOffsets: [0],
        sizes: [init.length],
        recordOffsets: [header.bytes.length],
        readable: 1,
        readableSize: init.length,
        closed: false,
        live: true,
      };
      this.#remember(key, table);
      const written = [header.bytes, ...record];
      const sealer = this.#sealPool === null ? new InlineChunkSealer(fh, cipher, written, init) : this.#sealPool.open({ fh, dataKey: dataKey.key, header, written, init });
      writer = new VaultSegmentWriter(fh, key, sealer, table);
    } catch (e) {
      await fh?.close().catch(() => undefined);
      throw storageError('create', key, e);
    }
    return writer;
  }

  async read(key: string, offset: number, length: number): Promise<Buffer> {
    const path = this.#path(key);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new AppError('STORAGE_FAILED', `segment store cannot read ${key}: invalid range`, { key, offset, length });
    }
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      throw storageError('read', key, e);
    }
    try {
      let t = await this.#table(key, fh);
      if (offset + length > t.readableSize && !t.closed) t = await this.#table(key, fh, true); // grown since cached
      if (offset + length > t.readableSize) {
        throw new AppError('STORAGE_FAILED', `segment store cannot read ${key}: range ends past the object`, { key, offset, length });
      }
      const out = Buffer.allocUnsafe(length);
      if (length === 0) return out;
      const cipher = await this.#cipher(key, t.header);
      const last = chunkAt(t, offset + length - 1);
      for (let i = chunkAt(t, offset); i <= last; i++) {
        const plain = await this.#openChunk(key, fh, t, cipher, i);
        const start = t.plainOffsets[i] as number;
        const from = Math.max(offset, start);
        const to = Math.min(offset + length, start + plain.length);
        plain.copy(out, from - offset, from - start, to - start);
      }
      return out;
    } catch (e) {
      throw storageError('read', key, e);
    } finally {
      await fh.close();
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
      let t: ChunkTable;
      let cipher: ChunkCipher;
      try {
        t = await this.#table(key, fh);
        if (offset + length > t.readableSize && !t.closed) t = await this.#table(key, fh, true);
        cipher = await this.#cipher(key, t.header);
      } catch (e) {
        throw storageError('stream', key, e);
      }
      // Like a plain file, the stream stops at the end of the object.
      const end = Math.min(offset + length, t.readableSize);
      if (offset >= end) return;
      const last = chunkAt(t, end - 1);
      for (let i = chunkAt(t, offset); i <= last; i++) {
        const plain = await this.#openChunk(key, fh, t, cipher, i);
        const start = t.plainOffsets[i] as number;
        yield plain.subarray(Math.max(offset, start) - start, Math.min(end, start + plain.length) - start);
      }
    } finally {
      await fh.close();
    }
  }

  digest(key: string): Promise<string> {
    return digestObject(this.#root, key);
  }

  async remove(key: string): Promise<void> {
    await removeObject(this.#root, key);
    this.#tables.delete(key);
  }

  list(): AsyncIterable<string> {
    return listObjectKeys(this.#root);
  }

  async describe(key: string): Promise<ObjectInfo> {
    let fh: FileHandle;
    try {
      fh = await open(this.#path(key), 'r');
    } catch (e) {
      throw storageError('describe', key, e);
    }
    try {
      const { size } = await fh.stat();
      if (size <= HEADER_FIXED_SIZE) return { size, empty: true, meta: null };
      let header: VaultHeader;
      try {
        header = await readHeader(fileReadAt(fh), size);
      } catch (e) {
        if (!isAppError(e, 'STORAGE_FAILED')) throw e;
        throw new AppError('STORAGE_FAILED', `segment store cannot describe ${key}: ${e.message}`, { key, op: 'describe', size });
      }
      return { size, empty: false, meta: { cameraId: header.cameraId, startMs: header.startMs, keyId: header.keyId } };
    } catch (e) {
      throw storageError('describe', key, e);
    } finally {
      await fh.close();
    }
  }

  async quarantine(key: string): Promise<string> {
    const where = await quarantineObject(this.#root, key);
    this.#tables.delete(key);
    return where;
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
      const readAt = fileReadAt(fh);
      let scan;
      try {
        scan = await scanRecords(readAt, size);
      } catch (e) {
        if (!isAppError(e, 'STORAGE_FAILED')) throw e;
        throw new AppError('STORAGE_FAILED', `segment store cannot recover ${key}: its header is torn`, { key, op: 'recover' });
      }
      const cipher = await this.#cipher(key, scan.header);
      const plains: Buffer[] = [];
      let firstFailure = -1;
      let authenticAfterFailure = false;
      for (const rec of scan.records) {
        let plain: Buffer;
        try {
          plain = cipher.open(rec.index, await readAt(rec.recordOffset, rec.recordSize), rec.size === 0);
        } catch (e) {
          if (!isAppError(e, 'STORAGE_FAILED')) throw e;
          if (firstFailure < 0) firstFailure = rec.index;
          continue;
        }
        if (firstFailure >= 0) authenticAfterFailure = true;
        else if (rec.size > 0) plains.push(plain);
      }
      if (plains.length === 0) {
        throw new AppError('STORAGE_FAILED', `segment store cannot recover ${key}: its init segment is torn`, { key, op: 'recover' });
      }
      const closed = firstFailure < 0 && scan.ending === 'final';
      const corrupt = authenticAfterFailure || (firstFailure < 0 && scan.ending === 'after-final');
      let truncatedBytes = 0;
      if (!closed && !corrupt) {
        const cut = firstFailure >= 0 ? (scan.records[firstFailure]?.recordOffset as number) : scan.end;
        if (cut < size) {
          await fh.truncate(cut);
          await fh.sync();
          truncatedBytes = size - cut;
        }
      }
      this.#tables.delete(key);
      // Corruption (an authentic chunk after a failing one) is kept on disk, untouched: the
      // chunks from the first failure on are footage the index cannot name.
      const unreadableChunks = corrupt && firstFailure >= 0 ? scan.records.length - firstFailure : 0;
      return describe(plains, truncatedBytes, unreadableChunks);
    } catch (e) {
      throw storageError('recover', key, e);
    } finally {
      await fh.close();
    }
  }
}

/** Plaintext layout of recovered pieces (init then fragments). */
function describe(plains: Buffer[], truncatedBytes: number, unreadableChunks: number): RecoveredObject {
  const init: ParsedInit = parseInit(plains[0] as Buffer);
  const fragments: StoredFragment[] = [];
  let offset = init.bytes.length;
  for (const bytes of plains.slice(1)) {
    const f = parseFragment(bytes, init);
    fragments.push({ offset, size: bytes.length, decodeTime: f.decodeTime, duration: f.duration, keyframe: f.keyframe });
    offset += bytes.length;
  }
  return { initSize: init.bytes.length, codec: init.codec, timescale: init.timescale, fragments, size: offset, truncatedBytes, unreadableChunks };
}

/**
 * Seals each fragment into one record at a reserved file position, so appends keep their call
 * order; the sealing, hashing and writing itself is the sealer's (in this thread or a worker's).
 */
class VaultSegmentWriter implements SegmentWriter {
  readonly #fh: FileHandle;
  readonly #key: string;
  readonly #sealer: ChunkSealer;
  readonly #table: ChunkTable;
  /** Plaintext bytes reserved so far. */
  #size: number;
  /** File bytes reserved so far. */
  #fileSize: number;
  readonly #done: boolean[] = [true];
  #failed: AppError | undefined;
  #closed = false;
  readonly #inFlight = new Set<Promise<void>>();
  /** SHA-256 of the plaintext object, once closed whole. */
  #plaintextSha256: string | null = null;

  constructor(fh: FileHandle, key: string, sealer: ChunkSealer, table: ChunkTable) {
    this.#fh = fh;
    this.#key = key;
    this.#sealer = sealer;
    this.#table = table;
    this.#size = table.readableSize;
    this.#fileSize = (table.recordOffsets[0] as number) + RECORD_OVERHEAD + (table.sizes[0] as number);
  }

  get size(): number {
    return this.#size;
  }

  /** The writer hashes the plaintext itself (the recorder need not). */
  readonly hashesPlaintext = true;

  /** SHA-256 (hex) of the plaintext (init and fragments) after a whole close; null otherwise. */
  plaintextSha256(): string | null {
    return this.#plaintextSha256;
  }

  /** Reserves the plaintext and file ranges, then hands the fragment to the sealer. */
  async append(fragment: Buffer): Promise<number> {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#closed) throw new AppError('STORAGE_FAILED', `segment store cannot append to closed ${this.#key}`, { key: this.#key });
    const t = this.#table;
    const index = t.plainOffsets.length;
    if (index >= MAX_CHUNK_INDEX) throw new AppError('STORAGE_FAILED', `segment store cannot append to ${this.#key}: chunk limit`, { key: this.#key });
    let write: Promise<void>;
    const offset = this.#size;
    const position = this.#fileSize;
    try {
      write = this.#sealer.write(index, fragment, position);
    } catch (e) {
      throw storageError('append to', this.#key, e);
    }
    this.#size += fragment.length;
    this.#fileSize += RECORD_OVERHEAD + fragment.length;
    t.plainOffsets.push(offset);
    t.sizes.push(fragment.length);
    t.recordOffsets.push(position);
    this.#done.push(false);
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
    this.#done[index] = true;
    while (t.readable < this.#done.length && this.#done[t.readable] === true) t.readableSize += t.sizes[t.readable++] as number;
    return offset;
  }

  /** Waits for appends in flight and closes the file, writing nothing more (segment-store.ts). */
  async abandon(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#inFlight);
    this.#sealer.discard();
    this.#table.live = false;
    await this.#fh.close().catch(() => undefined);
  }

  /**
   * Waits for appends in flight, seals the final chunk (unless an append failed), fsyncs and
   * closes; resolves with the object's SHA-256 (null after a failed append).
   */
  async close(): Promise<string | null> {
    if (this.#closed) return null;
    this.#closed = true;
    await Promise.all(this.#inFlight);
    try {
      let objectSha256: string | null = null;
      if (this.#failed === undefined) {
        const hashes = await this.#sealer.finish({ index: this.#table.plainOffsets.length, position: this.#fileSize });
        objectSha256 = hashes.objectSha256;
        this.#plaintextSha256 = hashes.plaintextSha256;
      } else {
        this.#sealer.discard();
      }
      await this.#fh.sync();
      if (this.#failed !== undefined) return null;
      this.#table.closed = true;
      return objectSha256;
    } catch (e) {
      this.#sealer.discard();
      throw storageError('close', this.#key, e);
    } finally {
      this.#table.live = false;
      await this.#fh.close().catch(() => undefined);
    }
  }
}
