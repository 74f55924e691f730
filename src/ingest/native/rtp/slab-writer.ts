/**
 * Append-only memory for the units a depacketizer emits (NAL units, AAC frames): bytes are
 * copied once into a large slab and handed out as views of it, instead of one allocation per
 * packet, per fragment and per unit (issue 20 item 2: in the ingest workers, garbage collection
 * of those small buffers was about half the thread's time).
 *
 * Contracts:
 * - A view returned by `end()` or `copy()` is never written again, however long it is kept: a
 *   slab is only appended to, and a full one is replaced by a new slab, never rewound. So the
 *   consumer (the fMP4 writer keeps a fragment's frames for about a second, the live chunker
 *   reads the same units) MAY keep views as long as it likes; they keep their slab alive.
 * - Only the bytes of the unit still open (begun, not ended) are ever rewritten: `drop()`
 *   rewinds over them. Nobody has a view of them yet, so that reuse is safe.
 * - A unit that outgrows the slab's free space is moved (its bytes so far copied) to a new slab
 *   of at least `slabBytes`, large enough for it; the old slab is left to the views it holds.
 * - Memory held: the current slab plus the slabs that live views point into. A slab is freed by
 *   the garbage collector once no view of it is left.
 */

/** The default slab: 256 KiB, about half a second of a 4 Mbit/s stream. */
export const defaultSlabBytes = 256 * 1024;

/** Copies units into append-only slabs; see the file comment for the contracts. */
export class SlabWriter {
  readonly #slabBytes: number;
  #slab: Buffer;
  /** Bytes of `#slab` handed out or being written. */
  #used = 0;
  /** Offset in `#slab` of the open unit, or -1 when none is open. */
  #openStart = -1;

  constructor(slabBytes = defaultSlabBytes) {
    if (!(Number.isSafeInteger(slabBytes) && slabBytes > 0)) throw new RangeError('slabBytes must be a positive integer');
    this.#slabBytes = slabBytes;
    // A slab of its own (never Node's shared 8 KiB pool), so views keep only this memory alive.
    this.#slab = Buffer.allocUnsafeSlow(slabBytes);
  }

  /** True while a unit is open. */
  get isOpen(): boolean {
    return this.#openStart >= 0;
  }

  /** Bytes written to the open unit so far (0 when none is open). */
  get openBytes(): number {
    return this.#openStart < 0 ? 0 : this.#used - this.#openStart;
  }

  /** Opens a unit; one still open is dropped first. */
  begin(): void {
    if (this.#openStart >= 0) this.drop();
    this.#openStart = this.#used;
  }

  /** Appends bytes to the open unit (RangeError when none is open: a bug in the caller). */
  append(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.#slab.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  /** Appends the low `length` bytes of `value` (1 to 4), most significant first: a NAL unit header. */
  appendUint(value: number, length: number): void {
    this.#room(length);
    const slab = this.#slab;
    for (let i = length - 1; i >= 0; i -= 1) slab[this.#used++] = (value >>> (8 * i)) & 0xff;
  }

  /** Closes the open unit and returns its bytes: a view that is never written again. */
  end(): Buffer {
    const start = this.#openStart;
    if (start < 0) throw new RangeError('SlabWriter.end() without an open unit');
    this.#openStart = -1;
    return this.#slab.subarray(start, this.#used);
  }

  /** Discards the open unit, if any: its bytes are free for the next unit. */
  drop(): void {
    if (this.#openStart < 0) return;
    this.#used = this.#openStart;
    this.#openStart = -1;
  }

  /** A copy of `bytes` as one unit (RangeError while a unit is open). */
  copy(bytes: Uint8Array): Buffer {
    if (this.#openStart >= 0) throw new RangeError('SlabWriter.copy() while a unit is open');
    this.begin();
    this.append(bytes);
    return this.end();
  }

  /** Makes room for `bytes` more in the open unit, moving it to a new slab when it does not fit. */
  #room(bytes: number): void {
    const start = this.#openStart;
    if (start < 0) throw new RangeError('SlabWriter: no open unit');
    if (this.#used + bytes <= this.#slab.length) return;
    const have = this.#used - start;
    const next = Buffer.allocUnsafeSlow(Math.max(this.#slabBytes, 2 * (have + bytes)));
    this.#slab.copy(next, 0, start, this.#used);
    this.#slab = next;
    this.#openStart = 0;
    this.#used = have;
  }
}
