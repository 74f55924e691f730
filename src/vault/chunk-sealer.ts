/**
 * The part of a vault writer that turns a chunk's plaintext into bytes on disk: seal it, hash
 * the plaintext and the record, write the record at its reserved position. Two implementations:
 * in this thread (`InlineChunkSealer`, below) and on a worker thread (`SealPool`,
 * seal-pool.ts: issue 20 item 1, ADR 0044), behind this one interface so the writer keeps its
 * ordering, reservation and read-while-writing logic once.
 *
 * Contracts:
 * - `write` calls arrive in chunk order; the record hash covers the records in that order (file
 *   order, since positions are reserved in call order).
 * - `write` resolves once the record was handed to the operating system (write(2)).
 * - `finish` is called once, after every `write` settled; with `final` it seals, hashes and
 *   writes the empty final chunk at `position`. It resolves with the SHA-256 (hex) of every byte
 *   of the object (header, init record, records) and of its plaintext (init, fragments). It does
 *   not fsync or close the file: the writer does.
 * - `discard` forgets the object without writing (an abandoned or failed writer).
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { ChunkCipher } from './chunk-cipher.ts';

/** The hashes of a finished object. */
export interface ObjectHashes {
  readonly objectSha256: string;
  readonly plaintextSha256: string;
}

/** Seals, hashes and writes the chunks of one object; see the file comment. */
export interface ChunkSealer {
  write(index: number, plaintext: Buffer, position: number): Promise<void>;
  finish(final: { index: number; position: number } | null): Promise<ObjectHashes>;
  discard(): void;
}

/** Writes all of `parts` at `position` with vectored writes; loops on a short write. */
export async function writevAll(fh: FileHandle, parts: Buffer[], position: number): Promise<void> {
  let bufs = parts;
  let at = position;
  for (;;) {
    const { bytesWritten } = await fh.writev(bufs, at);
    at += bytesWritten;
    let skip = bytesWritten;
    while (bufs.length > 0 && skip >= (bufs[0] as Buffer).length) skip -= (bufs.shift() as Buffer).length;
    if (bufs.length === 0) return;
    bufs = [(bufs[0] as Buffer).subarray(skip), ...bufs.slice(1)];
  }
}

/**
 * Starts the two running hashes of an object from what `create` wrote: the file's first bytes
 * (header and init record) and the init segment's plaintext.
 */
export function seedHashes(written: readonly Buffer[], init: Buffer): { record: Hash; plain: Hash } {
  const record = createHash('sha256');
  for (const part of written) record.update(part);
  return { record, plain: createHash('sha256').update(init) };
}

/** Seals in this thread (the recorder's own, or a worker's). */
export class InlineChunkSealer implements ChunkSealer {
  readonly #fh: FileHandle;
  readonly #cipher: ChunkCipher;
  readonly #record: Hash;
  readonly #plain: Hash;

  constructor(fh: FileHandle, cipher: ChunkCipher, written: readonly Buffer[], init: Buffer) {
    this.#fh = fh;
    this.#cipher = cipher;
    ({ record: this.#record, plain: this.#plain } = seedHashes(written, init));
  }

  write(index: number, plaintext: Buffer, position: number): Promise<void> {
    // Sealed and hashed before the first await: the hashes follow call order.
    const parts = this.#cipher.sealParts(index, plaintext, false);
    this.#plain.update(plaintext);
    for (const part of parts) this.#record.update(part);
    return writevAll(this.#fh, parts, position);
  }

  async finish(final: { index: number; position: number } | null): Promise<ObjectHashes> {
    if (final !== null) {
      const parts = this.#cipher.sealParts(final.index, Buffer.alloc(0), true);
      for (const part of parts) this.#record.update(part);
      await writevAll(this.#fh, parts, final.position);
    }
    return { objectSha256: this.#record.digest('hex'), plaintextSha256: this.#plain.digest('hex') };
  }

  discard(): void {
    // Nothing held beyond the hashes, which are dropped with this object.
  }
}
