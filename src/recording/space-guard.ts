import type { SpaceReading } from '../lib/disk-space.ts';
import type { Logger } from '../lib/logger.ts';

/**
 * The free-space watermark of one storage directory: the space kept free for the database, the
 * ledger and the segment being written. Whichever of the two is larger applies; 0 and 0 = off.
 */
export interface Watermark {
  readonly minFreeBytes: number;
  /** Percent of the file system's size. */
  readonly minFreePercent: number;
}

/** What the guard needs from the disk-full policy's deletion (space-reclaim.ts satisfies it). */
export type Reclaimer = (needBytes: number) => Promise<{ readonly freedBytes: number; readonly deletedSegments: number }>;

/**
 * Recording resumes once free space is this much above the watermark (its tenth, at least 1 MiB),
 * and deletion frees up to it: no flapping at the line.
 */
export function resumeMarginBytes(lowBytes: number): number {
  return Math.max(1 << 20, Math.ceil(lowBytes / 10));
}

/** The watermark in bytes for a file system of `totalBytes`. */
export function watermarkBytes(watermark: Watermark, totalBytes: number): number {
  return Math.max(watermark.minFreeBytes, Math.ceil((totalBytes * watermark.minFreePercent) / 100));
}

const mib = (n: number): string => `${(n / (1 << 20)).toFixed(1)} MiB`;

/**
 * The disk-full policy of one storage directory (issue 14 item 6). Each `check()` reads the free
 * space; below the watermark it asks the reclaimer to delete the oldest footage past its cameras'
 * minimum retention until the watermark plus the margin is met. When that is not enough (nothing
 * more may be deleted) and free space is still below the watermark, the guard is BLOCKED: recorders writing here stop cleanly (the open segment is closed
 * whole, a gap opens with the reason) and wait; `onStop` raises the status and alarm. A later check
 * that finds free space at the watermark plus a margin clears the block (`onResume`) and the
 * waiting recorders reconnect by themselves.
 *
 * Nothing here writes to the disk: a blocked guard is how the index, the segments and the ledger
 * keep the room they need to stay whole. One guard per directory; storage zones each get theirs.
 */
export class SpaceGuard {
  readonly path: string;
  readonly #watermark: Watermark;
  readonly #measure: (path: string) => Promise<SpaceReading>;
  readonly #reclaim: Reclaimer;
  readonly #log: Logger;
  readonly #onStop: (reason: string, reading: SpaceReading) => void;
  readonly #onResume: (reading: SpaceReading) => void;
  #blocked: string | null = null;
  #waiters: (() => void)[] = [];
  #last: SpaceReading | null = null;
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(opts: {
    path: string;
    watermark: Watermark;
    measure: (path: string) => Promise<SpaceReading>;
    reclaim: Reclaimer;
    log: Logger;
    onStop?: (reason: string, reading: SpaceReading) => void;
    onResume?: (reading: SpaceReading) => void;
  }) {
    this.path = opts.path;
    this.#watermark = opts.watermark;
    this.#measure = opts.measure;
    this.#reclaim = opts.reclaim;
    this.#log = opts.log;
    this.#onStop = opts.onStop ?? (() => undefined);
    this.#onResume = opts.onResume ?? (() => undefined);
  }

  /** True when the watermark is 0 and 0: the guard never deletes nor blocks (ENOSPC handling alone). */
  get off(): boolean {
    return this.#watermark.minFreeBytes <= 0 && this.#watermark.minFreePercent <= 0;
  }

  /** Why recording here is stopped, or null when it may go on. */
  blocked(): string | null {
    return this.#blocked;
  }

  /** Resolves once the block clears (at once when there is none) or `signal` aborts. */
  clear(signal: AbortSignal): Promise<void> {
    if (this.#blocked === null || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.#waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** The last reading (null before the first check). */
  lastReading(): SpaceReading | null {
    return this.#last;
  }

  /** One line while blocked (a health source: /healthz and the storage-fault alarm). */
  problems(): string[] {
    return this.#blocked === null ? [] : [this.#blocked];
  }

  /** One pass (passes never overlap: a second call waits for the running one and shares it). */
  check(): Promise<void> {
    this.#running ??= this.#pass().finally(() => (this.#running = null));
    return this.#running;
  }

  /** Checks every `intervalMs` until `stop()`. */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.check().catch((e: unknown) => this.#log.error({ err: e, path: this.path }, 'free-space check failed')), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#release();
  }

  async #pass(): Promise<void> {
    if (this.off) return;
    let reading = await this.#measure(this.path);
    const low = watermarkBytes(this.#watermark, reading.totalBytes);
    const margin = resumeMarginBytes(low);
    // Below the watermark: free up to the watermark plus the margin (so the next fragments do
    // not dip under it again at once). Blocked only when the reclaimer ran out of deletable
    // footage, never because the database grew while it deleted.
    let exhausted = false;
    for (let round = 0; reading.freeBytes < low && !exhausted && round < 10; round++) {
      const need = low + margin - reading.freeBytes;
      const { freedBytes } = await this.#reclaim(need);
      exhausted = freedBytes < need;
      reading = await this.#measure(this.path);
    }
    this.#last = reading;
    if (this.#blocked === null && reading.freeBytes < low) {
      this.#blocked = `free space ${mib(reading.freeBytes)} is below the watermark of ${mib(low)} on ${this.path} and no footage past its cameras' minimum retention is left to delete: recording stopped`;
      this.#log.error({ path: this.path, freeBytes: reading.freeBytes, watermarkBytes: low }, 'disk-full policy: recording stopped');
      this.#onStop(this.#blocked, reading);
    } else if (this.#blocked !== null && reading.freeBytes >= low + margin) {
      this.#blocked = null;
      this.#log.warn({ path: this.path, freeBytes: reading.freeBytes, watermarkBytes: low }, 'disk-full policy: space is back; recording resumes');
      this.#onResume(reading);
      this.#release();
    }
  }

  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
