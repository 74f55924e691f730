/**
 * Reads that fall back to another zone (issue 14 item 3): the recorder and playback use the vault
 * over the recording zone as before; when an object is missing there (a dead disk replaced, a
 * file deleted), the first read fetches a copy whose SHA-256 matches a recorded hash from another
 * zone back into the recording zone, then reads it. Everything else passes through unchanged.
 */
import { isAppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { ObjectInfo, ObjectMeta, RecoveredObject, SegmentStore, SegmentWriter } from '../recording/segment-store.ts';
import { fetchToScratch } from './scratch-files.ts';
import type { SegmentCopies } from './segment-copies.store.ts';
import type { ZoneSet } from './zone-set.ts';

function missing(e: unknown): boolean {
  return isAppError(e, 'STORAGE_FAILED') && e.detail?.['errno'] === 'ENOENT';
}

export class ZonedSegmentStore implements SegmentStore {
  readonly #inner: SegmentStore;
  readonly #zones: ZoneSet;
  readonly #copies: SegmentCopies;
  readonly #scratch: string;
  readonly #log: Logger;
  /** Restores in progress by key, so concurrent reads fetch once. */
  readonly #restoring = new Map<string, Promise<boolean>>();

  constructor(opts: { inner: SegmentStore; zoneSet: ZoneSet; copies: SegmentCopies; scratchDir: string; log: Logger }) {
    this.#inner = opts.inner;
    this.#zones = opts.zoneSet;
    this.#copies = opts.copies;
    this.#scratch = opts.scratchDir;
    this.#log = opts.log;
  }

  /** Fetches `key` back into the recording zone from a verified copy; false when none exists. */
  restore(key: string): Promise<boolean> {
    let work = this.#restoring.get(key);
    if (work === undefined) {
      work = this.#restore(key).finally(() => this.#restoring.delete(key));
      this.#restoring.set(key, work);
    }
    return work;
  }

  async #restore(key: string): Promise<boolean> {
    const copies = await this.#copies.ofObjectKey(key);
    const local = copies.find((c) => c.zoneId === this.#zones.recording.id);
    if (local === undefined) return false;
    const expected = local.sha256 ?? (await this.#copies.leafHashes([local.segmentId])).get(local.segmentId) ?? null;
    if (expected === null) return false;
    for (const c of copies) {
      if (c.state !== 'stored' || c.zoneId === local.zoneId) continue;
      const zone = this.#zones.zones.get(c.zoneId);
      if (zone === undefined) continue;
      let scratch = null;
      try {
        scratch = await fetchToScratch(zone, c.objectKey, this.#scratch, `${c.segmentId}.restore.${c.zoneId}`);
        if (scratch === null || scratch.sha256 !== expected) continue;
        await this.#zones.recording.put(key, scratch.path, scratch.size);
        this.#log.warn({ segmentId: c.segmentId, zone: c.zoneId }, 'storage: a segment missing from the recording zone was read back from another zone');
        return true;
      } catch (e) {
        this.#log.warn({ err: e, segmentId: c.segmentId, zone: c.zoneId }, 'storage: could not read a segment back from a zone');
      } finally {
        await scratch?.release();
      }
    }
    return false;
  }

  async #fallback<T>(key: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      if (!missing(e) || !(await this.restore(key).catch(() => false))) throw e;
      return op();
    }
  }

  create(key: string, init: Buffer, meta: ObjectMeta): Promise<SegmentWriter> {
    return this.#inner.create(key, init, meta);
  }

  read(key: string, offset: number, length: number): Promise<Buffer> {
    return this.#fallback(key, () => this.#inner.read(key, offset, length));
  }

  async *stream(key: string, offset?: number, length?: number): AsyncIterable<Buffer> {
    const it = this.#inner.stream(key, offset, length)[Symbol.asyncIterator]();
    let first: IteratorResult<Buffer>;
    try {
      first = await it.next();
    } catch (e) {
      if (!missing(e) || !(await this.restore(key).catch(() => false))) throw e;
      yield* this.#inner.stream(key, offset, length);
      return;
    }
    if (first.done === true) return;
    yield first.value;
    for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value;
  }

  digest(key: string): Promise<string> {
    return this.#fallback(key, () => this.#inner.digest(key));
  }

  remove(key: string): Promise<void> {
    return this.#inner.remove(key);
  }

  list(): AsyncIterable<string> {
    return this.#inner.list();
  }

  recover(key: string): Promise<RecoveredObject> {
    return this.#inner.recover(key);
  }

  describe(key: string): Promise<ObjectInfo> {
    return this.#fallback(key, () => this.#inner.describe(key));
  }

  quarantine(key: string): Promise<string> {
    return this.#inner.quarantine(key);
  }
}
