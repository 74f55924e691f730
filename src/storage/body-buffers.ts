/**
 * Reusable request bodies for an S3 zone's puts. A fresh multi-megabyte Buffer per object is
 * external memory that V8 answers with full garbage collections: measured, most of an S3 put's
 * CPU (bench/s3-put-cpu.ts, docs/benchmarks.md). A zone keeps up to `keep` buffers and lends them.
 *
 * Contract: a borrowed buffer is given back only once the request that sent it was answered; the
 * buffer of a failed request is dropped (a torn-down socket may still hold it), never reused.
 */
export class BodyBuffers {
  readonly #free: Buffer[] = [];
  readonly #keep: number;
  readonly #maxBytes: number;

  /** Keeps at most `keep` buffers of at most `maxBytes` each. */
  constructor(keep: number, maxBytes: number) {
    this.#keep = keep;
    this.#maxBytes = maxBytes;
  }

  /** A buffer of at least `size` bytes, not shared with any other borrower until given back. */
  take(size: number): Buffer {
    const i = this.#free.findIndex((b) => b.length >= size);
    if (i >= 0) return this.#free.splice(i, 1)[0] as Buffer;
    return Buffer.allocUnsafeSlow(size);
  }

  /** Gives a buffer back after the request that used it was answered. */
  give(buffer: Buffer): void {
    if (buffer.length > this.#maxBytes) return;
    if (this.#free.length < this.#keep) {
      this.#free.push(buffer);
      return;
    }
    // Full: keep the larger buffers (they fit every object the smaller ones fit).
    let smallest = 0;
    for (let i = 1; i < this.#free.length; i++) if ((this.#free[i] as Buffer).length < (this.#free[smallest] as Buffer).length) smallest = i;
    if ((this.#free[smallest] as Buffer).length < buffer.length) this.#free[smallest] = buffer;
  }
}
