/**
 * Receive memory of a plain TCP camera connection (issue 20 item 2): the socket reads straight
 * into a large append-only slab through net.Socket's `onread` option, instead of Node making a
 * new buffer per read; the bytes of each read are handed on as a view of the slab.
 *
 * Contracts:
 * - A view returned by `received()` is never written again: reads go to the slab's free tail
 *   only, and a slab whose tail is too small for a read is replaced, never rewound. So a reader
 *   MAY keep views by reference as long as it likes, exactly as it keeps a 'data' chunk
 *   (RtspReader and its ByteQueue do; payloads handed on are views too).
 * - Consecutive reads into one slab are adjacent in memory (ByteQueue joins them).
 * - Memory: the slab being filled plus the slabs that live views still point into.
 * TLS sockets cannot read into caller memory (`onread` is for plain TCP): they keep Node's
 * per-read buffers.
 */
import type { OnReadOpts } from 'node:net';

/** 256 KiB slabs; a new one when fewer than 16 KiB are free (a read never gets less room). */
export const receiveSlabBytes = 256 * 1024;
const minReadBytes = 16 * 1024;
/** At most 64 KiB a read, as Node's own reads: what the reader holds stays one message plus one read. */
const maxReadBytes = 64 * 1024;

/** Slabs for one socket's reads; see the file comment for the contracts. */
export class ReceiveSlabs {
  #slab: Buffer = Buffer.allocUnsafeSlow(receiveSlabBytes);
  #used = 0;

  /** Memory for the next read: the free tail of the slab (a new slab when it is too small). */
  next(): Buffer {
    if (this.#slab.length - this.#used < minReadBytes) {
      this.#slab = Buffer.allocUnsafeSlow(receiveSlabBytes);
      this.#used = 0;
    }
    return this.#slab.subarray(this.#used, this.#used + maxReadBytes);
  }

  /** Records that `bytes` bytes were read into `target` (the last `next()`); returns them as a view. */
  received(bytes: number, target: Uint8Array): Buffer {
    this.#used += bytes;
    return Buffer.from(target.buffer, target.byteOffset, bytes);
  }
}

/** What the reads are emitted on: the socket, once `net.connect` has returned it. */
export interface DataTarget {
  socket: { emit(event: 'data', chunk: Buffer): boolean } | undefined;
}

/**
 * The `onread` option for a plain TCP socket: reads land in ReceiveSlabs and each is emitted as
 * an ordinary 'data' event on `target.socket`, so the consumer sees a plain Duplex whose chunks
 * are never modified; pause() and resume() behave as usual (Node stops and restarts the reads).
 * `target.socket` MUST be set as soon as the socket exists: no read completes before connect.
 */
export function slabOnRead(target: DataTarget): OnReadOpts {
  const slabs = new ReceiveSlabs();
  return {
    buffer: () => slabs.next(),
    callback: (bytes: number, memory: Uint8Array): boolean => {
      target.socket?.emit('data', slabs.received(bytes, memory));
      return true;
    },
  };
}
