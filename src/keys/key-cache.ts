/**
 * A bounded, time-limited cache of unwrapped data keys. Entries expire `ttlMs` after they were
 * added (a hit does not extend it), so insertion order is expiry order and eviction is from
 * the front. The cache owns its buffers: every evicted key MUST be zeroed (`fill(0)`), and
 * `get` hands out a copy so eviction can never change bytes a caller is still using.
 *
 * Limits of zeroing in JavaScript: it clears this buffer only. Copies handed to callers, the
 * copies OpenSSL makes inside a cipher context, strings or intermediate buffers made while
 * unwrapping, and anything the garbage collector moved or swapped to disk are out of reach.
 * It shortens how long a key sits in memory; it does not protect against a process dump.
 */
export class KeyCache {
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #entries = new Map<string, { key: Buffer; expiresMs: number }>();

  constructor(opts: { ttlMs: number; max: number }) {
    this.#ttlMs = opts.ttlMs;
    this.#max = opts.max;
  }

  /** A copy of the cached key, or undefined when absent or expired. */
  get(id: string, nowMs: number): Buffer | undefined {
    this.#expire(nowMs);
    const entry = this.#entries.get(id);
    return entry && Buffer.from(entry.key);
  }

  /** Caches `key`, taking ownership of the buffer (the caller MUST NOT use it afterwards). A TTL of 0 caches nothing and zeroes it. */
  set(id: string, key: Buffer, nowMs: number): void {
    this.delete(id);
    if (this.#ttlMs <= 0 || this.#max <= 0) {
      key.fill(0);
      return;
    }
    this.#entries.set(id, { key, expiresMs: nowMs + this.#ttlMs });
    this.#expire(nowMs);
  }

  /** Evicts and zeroes one key. */
  delete(id: string): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    entry.key.fill(0);
    this.#entries.delete(id);
  }

  /** Evicts and zeroes every key. */
  clear(): void {
    for (const id of [...this.#entries.keys()]) this.delete(id);
  }

  /** Number of keys held. */
  get size(): number {
    return this.#entries.size;
  }

  #expire(nowMs: number): void {
    for (const [id, entry] of this.#entries) {
      if (entry.expiresMs > nowMs && this.#entries.size <= this.#max) break;
      this.delete(id);
    }
  }
}
