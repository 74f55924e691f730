/**
 * Sealing on worker threads (issue 20 item 1, ADR 0044): the vault's AES-256-GCM sealing, the
 * SHA-256 of each object's plaintext and of its records, and the record writes run on `size`
 * worker threads (seal-worker.ts), so the recorder's thread only reserves positions, indexes
 * and fans out. An object is pinned to one worker for its life (its hashes run there, in chunk
 * order); objects are spread over the workers, fewest open first.
 *
 * Contracts: those of ChunkSealer (chunk-sealer.ts). A worker that dies fails every call of its
 * objects with STORAGE_FAILED (their writers then refuse further appends, and the recorder
 * closes the segment as torn) and is replaced. The data key crosses to the worker in this
 * process's memory only.
 */
import { Worker } from 'node:worker_threads';
import type { FileHandle } from 'node:fs/promises';
import type { Logger } from '../lib/logger.ts';
import type { ChunkSealer, ObjectHashes } from './chunk-sealer.ts';
import type { FromSealWorker, ToSealWorker } from './seal-worker.ts';
import type { VaultHeader } from './vault-header.ts';
import { SharedRing } from '../lib/shared-ring.ts';

interface Slot {
  worker: Worker;
  objects: number;
  /** Set once the worker exited: calls on its objects fail at once. */
  dead: boolean;
  /** Where fragments are copied for this worker to read (no per-fragment ArrayBuffer, no cloning). */
  ring: SharedRing;
  /** Calls awaiting this worker's answer, by sequence number. */
  pending: Map<number, { resolve: (m: FromSealWorker & { type: 'done' }) => void; reject: (e: Error) => void }>;
}

/** What a pooled object starts from: the file `create` wrote and the key that seals it. */
export interface PooledObjectStart {
  readonly fh: FileHandle;
  readonly dataKey: Buffer;
  readonly header: VaultHeader;
  /** The bytes `create` wrote (header and init record), to seed the record hash. */
  readonly written: readonly Buffer[];
  /** The init segment's plaintext, to seed the plaintext hash. */
  readonly init: Buffer;
}

/** An error carrying the worker's errno, so storageError maps it like a local one (ENOSPC stays ENOSPC). */
function workerError(message: string, errno: string | undefined): Error {
  return Object.assign(new Error(message), errno === undefined ? {} : { code: errno });
}

/** A copy that owns its memory exactly: structured clone copies a view's whole backing store. */
function exact(bytes: Buffer): Uint8Array {
  return bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength ? bytes : new Uint8Array(bytes);
}

/** Worker threads that seal vault chunks; see the file comment. */
export class SealPool {
  readonly #log: Logger;
  readonly #slots: Slot[];
  #nextObj = 1;
  #nextSeq = 1;
  #closed = false;

  readonly #ringBytes: number;
  readonly #maxRingBytes: number;
  /** Shared buffers registered with `share`, by id: fragments in them reach a worker as offsets. */
  readonly #shared = new Map<SharedArrayBuffer, number>();

  /**
   * `ringBytes`: the shared space per worker for fragments in flight that do not already lie in
   * shared memory (8 MiB, growing up to `maxRingBytes`, 256 MiB; beyond it they are cloned into
   * the message).
   */
  constructor(opts: { size: number; log: Logger; ringBytes?: number; maxRingBytes?: number }) {
    this.#log = opts.log;
    this.#ringBytes = opts.ringBytes ?? 8 * 1024 * 1024;
    this.#maxRingBytes = Math.max(this.#ringBytes, opts.maxRingBytes ?? 256 * 1024 * 1024);
    this.#slots = [];
    for (let i = 0; i < Math.max(1, opts.size); i++) this.#slots.push(this.#spawn());
  }

  #spawn(): Slot {
    const slot: Slot = { worker: new Worker(new URL('./seal-worker.ts', import.meta.url)), objects: 0, dead: false, ring: new SharedRing(this.#ringBytes, this.#maxRingBytes), pending: new Map() };
    slot.worker.postMessage({ type: 'ring', buffer: slot.ring.buffer } satisfies ToSealWorker);
    for (const [buffer, ring] of this.#shared) slot.worker.postMessage({ type: 'shared', ring, buffer } satisfies ToSealWorker);
    slot.worker.unref();
    slot.worker.on('message', (m: FromSealWorker) => {
      const call = slot.pending.get(m.seq);
      if (call === undefined) return;
      slot.pending.delete(m.seq);
      if (m.type === 'done') call.resolve(m);
      else call.reject(workerError(m.message, m.errno));
    });
    slot.worker.on('error', (e) => this.#log.error({ err: e }, 'sealing worker failed'));
    slot.worker.on('exit', (code) => {
      slot.dead = true;
      for (const call of slot.pending.values()) call.reject(workerError(`sealing worker stopped (exit ${code})`, 'EWORKER'));
      slot.pending.clear();
      if (this.#closed) return;
      const i = this.#slots.indexOf(slot);
      if (i >= 0) this.#slots[i] = this.#spawn();
    });
    return slot;
  }

  #call(slot: Slot, m: ToSealWorker & { seq: number }): Promise<FromSealWorker & { type: 'done' }> {
    if (slot.dead) return Promise.reject(workerError('the sealing worker of this object stopped', 'EWORKER'));
    return new Promise((resolve, reject) => {
      slot.pending.set(m.seq, { resolve, reject });
      slot.worker.postMessage(m);
    });
  }

  /**
   * Registers a shared buffer fragments may lie in (an ingest worker's ring, ADR 0044): a
   * fragment that is a view of it reaches the seal worker as an offset, with no copy.
   */
  share(buffer: SharedArrayBuffer): void {
    if (this.#shared.has(buffer)) return;
    const ring = this.#shared.size + 1;
    this.#shared.set(buffer, ring);
    for (const slot of this.#slots) slot.worker.postMessage({ type: 'shared', ring, buffer } satisfies ToSealWorker);
  }

  /** Hands an object's sealing to the least busy worker; the returned sealer MUST be finished or discarded. */
  open(start: PooledObjectStart): ChunkSealer {
    if (this.#closed) throw workerError('the sealing workers are closed', 'ECLOSED');
    const slot = this.#slots.reduce((a, b) => (b.objects < a.objects ? b : a));
    const obj = this.#nextObj++;
    slot.objects++;
    const { header } = start;
    slot.worker.postMessage({
      type: 'open',
      obj,
      fd: start.fh.fd,
      dataKey: start.dataKey,
      header: { keyId: header.keyId, cameraId: header.cameraId, startMs: header.startMs, salt: header.salt, noncePrefix: header.noncePrefix, bytes: header.bytes },
      written: start.written.map(exact),
      init: exact(start.init),
    } satisfies ToSealWorker);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      slot.objects--;
    };
    return {
      write: async (index, plaintext, position) => {
        const seq = this.#nextSeq++;
        const ring = plaintext.buffer instanceof SharedArrayBuffer ? this.#shared.get(plaintext.buffer) : undefined;
        if (ring !== undefined) {
          // Already in shared memory (an ingest worker's ring): no copy at all. The caller keeps
          // the region until this resolves (worker-ingest.ts frees it only after the ack).
          await this.#call(slot, { type: 'write', obj, seq, index, position, shared: { ring, offset: plaintext.byteOffset, length: plaintext.length } });
          return;
        }
        const at = slot.ring.take(plaintext.length);
        if (at < 0) {
          // The ring is full (a slow disk holds many writes): this one travels in the message.
          await this.#call(slot, { type: 'write', obj, seq, index, position, bytes: exact(plaintext) });
          return;
        }
        new Uint8Array(slot.ring.buffer, at, plaintext.length).set(plaintext);
        try {
          await this.#call(slot, { type: 'write', obj, seq, index, position, shared: { offset: at, length: plaintext.length } });
        } finally {
          slot.ring.give(at);
        }
      },
      finish: async (final): Promise<ObjectHashes> => {
        try {
          const done = await this.#call(slot, { type: 'finish', obj, seq: this.#nextSeq++, final });
          if (done.hashes === undefined) throw workerError('the sealing worker gave no hashes', undefined);
          return done.hashes;
        } finally {
          release();
        }
      },
      discard: () => {
        if (released) return;
        release();
        slot.worker.postMessage({ type: 'discard', obj } satisfies ToSealWorker);
      },
    };
  }

  /** Tests only: stops the workers as a crash would (their objects fail; the pool replaces them). */
  async terminateForTest(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }

  /** Stops every worker; objects still open fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
