/**
 * Space in one SharedArrayBuffer handed out as contiguous regions and given back in any order
 * (ADR 0044): one thread writes a fragment into a region and another reads it
 * there, so no ArrayBuffer is allocated per fragment on either side (each one is external memory
 * the garbage collector runs for) and nothing is serialised. Regions are taken in ring order;
 * space is reused once every region before it was given back. The buffer is growable: when a
 * region does not fit, it grows (by half, at least enough for the region) up to `maxCapacity`,
 * so a ring sized for a few cameras serves many without fixing its memory up front; views made
 * before a growth stay valid. Pure bookkeeping: the caller owns the bytes and MUST NOT touch a
 * region after giving it back.
 */

interface Region {
  readonly offset: number;
  readonly end: number;
  free: boolean;
}

export class SharedRing {
  readonly buffer: SharedArrayBuffer;
  /** Regions in the order taken; the first is the oldest still live. */
  #regions: Region[] = [];
  /** Where the next region starts. */
  #head = 0;

  constructor(capacity: number, maxCapacity = capacity) {
    this.buffer = new SharedArrayBuffer(capacity, { maxByteLength: Math.max(capacity, maxCapacity) });
  }

  /** Bytes in live regions and the space skipped at a wrap (what `take` cannot hand out). */
  get used(): number {
    const first = this.#regions[0];
    if (first === undefined) return 0;
    return this.#head > first.offset ? this.#head - first.offset : this.buffer.byteLength - first.offset + this.#head;
  }

  /** The offset of a region of `length` bytes, or -1 when the ring has no such space now (even grown to its maximum). */
  take(length: number): number {
    const at = this.#place(length);
    // Growing adds space after the head only while the live regions do not wrap.
    const first = this.#regions[0];
    const wrapped = first !== undefined && this.#head <= first.offset;
    if (at >= 0 || wrapped || this.buffer.byteLength >= this.buffer.maxByteLength) return at;
    const size = this.buffer.byteLength;
    this.buffer.grow(Math.min(this.buffer.maxByteLength, Math.max(Math.ceil(size * 1.5), size + 2 * length)));
    return this.#place(length);
  }

  #place(length: number): number {
    const capacity = this.buffer.byteLength;
    if (length <= 0 || length > capacity) return -1;
    const first = this.#regions[0];
    let at: number;
    if (first === undefined) {
      at = 0;
    } else if (this.#head > first.offset) {
      // Not wrapped: after the head, else from the start up to the oldest region.
      if (this.#head + length <= capacity) at = this.#head;
      else if (length < first.offset) at = 0;
      else return -1;
    } else {
      // Wrapped: between the head and the oldest region (never touching it).
      if (this.#head + length < first.offset) at = this.#head;
      else return -1;
    }
    this.#regions.push({ offset: at, end: at + length, free: false });
    this.#head = at + length;
    return at;
  }

  /** Gives back the region at `offset`; space is reused once the regions before it are back too. */
  give(offset: number): void {
    const region = this.#regions.find((r) => r.offset === offset && !r.free);
    if (region === undefined) throw new Error(`SharedRing: no live region at ${offset}`);
    region.free = true;
    let n = 0;
    while (n < this.#regions.length && (this.#regions[n] as Region).free) n++;
    if (n > 0) this.#regions = this.#regions.slice(n);
    if (this.#regions.length === 0) this.#head = 0;
  }
}
