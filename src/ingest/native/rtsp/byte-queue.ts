/**
 * A FIFO of received chunks read as one byte stream without concatenating them: buffer copies
 * are the first cost of a native ingest (FIELD-NOTES, "Cost of ingest"). A range is copied only
 * when it spans chunks; a range inside one chunk is returned as a view (`subarray`).
 *
 * Chunks that continue one another in memory (consecutive reads into one receive slab,
 * receive-slabs.ts) are joined into one view, so a frame that straddles two reads is still
 * returned without a copy.
 *
 * Contract: `take` and `skip` MUST NOT be asked for more than `length` bytes (RangeError: a bug
 * in the caller, not bad input). Searching is linear over the bytes searched, however the bytes
 * were chunked, so a peer that sends one byte per TCP segment cannot make the reader quadratic.
 */
export class ByteQueue {
  #chunks: Buffer[] = [];
  /** Offset of the first unread byte in `#chunks[0]`. */
  #head = 0;
  #length = 0;
  /** Search hint: a chunk index and the logical offset its first byte has; reset on consume. */
  #hintIndex = 0;
  #hintStart = 0;
  /** What `#locate` found (fields, not a returned tuple: it runs several times per packet). */
  #atIndex = 0;
  #atStart = 0;

  /** Unread bytes held. */
  get length(): number {
    return this.#length;
  }

  /** Appends a chunk (kept by reference, not copied). */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const chunks = this.#chunks;
    const last = chunks[chunks.length - 1];
    if (last !== undefined && last.buffer === chunk.buffer && last.byteOffset + last.length === chunk.byteOffset) {
      // The same memory continued: one view over both (offsets within it stay valid).
      chunks[chunks.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + chunk.length);
    } else {
      chunks.push(chunk);
    }
    this.#length += chunk.length;
  }

  /** The byte at logical offset `i` (0 is the first unread byte), or undefined past the end. */
  byteAt(i: number): number | undefined {
    if (i < 0 || i >= this.#length) return undefined;
    this.#locate(i);
    const index = this.#atIndex;
    return this.#chunks[index]?.[i - this.#atStart + (index === 0 ? this.#head : 0)];
  }

  /** Logical offset of the first `byte` at or after `from`, or -1. */
  indexOf(byte: number, from: number): number {
    if (from >= this.#length) return -1;
    this.#locate(Math.max(0, from));
    let index = this.#atIndex;
    let start = this.#atStart;
    for (; index < this.#chunks.length; index += 1) {
      const chunk = this.#chunks[index] as Buffer;
      const base = index === 0 ? this.#head : 0;
      const at = chunk.indexOf(byte, base + Math.max(0, from - start));
      this.#hintIndex = index;
      this.#hintStart = start;
      if (at >= 0) return start + at - base;
      start += chunk.length - base;
    }
    return -1;
  }

  /** A copy-free view of bytes [from, to) when they lie in one chunk, else a fresh copy; not consumed. */
  peek(from: number, to: number): Buffer {
    if (from < 0 || to > this.#length || from > to) throw new RangeError('peek outside the queue');
    if (from === to) return Buffer.alloc(0);
    this.#locate(from);
    const index = this.#atIndex;
    const start = this.#atStart;
    const first = this.#chunks[index];
    if (first === undefined) return Buffer.alloc(0);
    const offset = from - start + (index === 0 ? this.#head : 0);
    if (offset + (to - from) <= first.length) return first.subarray(offset, offset + (to - from));
    const out = Buffer.allocUnsafe(to - from);
    let written = first.copy(out, 0, offset);
    for (let k = index + 1; written < out.length; k += 1) {
      written += (this.#chunks[k] as Buffer).copy(out, written, 0, out.length - written);
    }
    return out;
  }

  /** Removes and returns the next `n` bytes (a view when they lie in one chunk). */
  take(n: number): Buffer {
    if (n > this.#length) throw new RangeError('take past the end of the queue');
    const out = this.peek(0, n);
    this.skip(n);
    return out;
  }

  /** Discards the next `n` bytes. */
  skip(n: number): void {
    if (n > this.#length) throw new RangeError('skip past the end of the queue');
    let left = n;
    let drop = 0;
    let head = this.#head;
    while (left > 0) {
      const chunk = this.#chunks[drop] as Buffer;
      const available = chunk.length - head;
      if (left < available) {
        head += left;
        left = 0;
      } else {
        left -= available;
        drop += 1;
        head = 0;
      }
    }
    if (drop > 0) this.#chunks.splice(0, drop);
    this.#head = head;
    this.#length -= n;
    this.#hintIndex = 0;
    this.#hintStart = 0;
  }

  /** Drops everything held. */
  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#length = 0;
    this.#hintIndex = 0;
    this.#hintStart = 0;
  }

  /** Sets `#atIndex` and `#atStart`: the chunk holding logical offset `i`, and the logical offset of its first unread byte. */
  #locate(i: number): void {
    let index = 0;
    let start = 0;
    if (i >= this.#hintStart) {
      index = this.#hintIndex;
      start = this.#hintStart;
    }
    for (;;) {
      const chunk = this.#chunks[index];
      const size = chunk === undefined ? 0 : chunk.length - (index === 0 ? this.#head : 0);
      if (chunk === undefined || i < start + size) {
        this.#atIndex = index;
        this.#atStart = start;
        return;
      }
      start += size;
      index += 1;
    }
  }
}
