/**
 * Tells a stalled camera from our own stall (issue 12, item 12). A camera is stalled when it sent
 * no frame for `stallTimeoutMs` while we were listening. Time we were not listening is not
 * charged to the camera:
 * - back-pressure: the recorder had not taken the previous piece (a slow disk or database, the
 *   main thread busy), so we were not reading the socket;
 * - a host stall: this thread did not run at all (the process stopped, swapped out, a long
 *   pause), seen as the watchdog's own tick arriving far later than scheduled.
 * Either one restarts the camera's window instead of failing it. Durations use the monotonic
 * clock: a wall-clock step is neither.
 */
export class StallWatch {
  readonly #stallTimeoutMs: number;
  readonly #tickMs: number;
  readonly #now: () => number;
  #lastFrameAt: number;
  #lastTickAt: number;
  #busy = 0;

  constructor(opts: { stallTimeoutMs: number; now?: () => number }) {
    this.#stallTimeoutMs = opts.stallTimeoutMs;
    this.#tickMs = Math.min(1000, opts.stallTimeoutMs);
    this.#now = opts.now ?? (() => performance.now());
    this.#lastFrameAt = this.#now();
    this.#lastTickAt = this.#lastFrameAt;
  }

  /** How often `tick` should be called. */
  get tickMs(): number {
    return this.#tickMs;
  }

  /** The camera delivered a frame. */
  frame(): void {
    this.#lastFrameAt = this.#now();
  }

  /** Runs our side's work (the sink): while it waits, the camera is not being read. */
  async busy<T>(work: Promise<T>): Promise<T> {
    this.#busy++;
    try {
      return await work;
    } finally {
      this.#busy--;
      if (this.#busy === 0) this.#lastFrameAt = this.#now();
    }
  }

  /**
   * Called every `tickMs`. Returns the host stall it noticed (ms this thread did not run), the
   * camera's stall, or nothing wrong.
   */
  tick(): { kind: 'ok' } | { kind: 'host-stalled'; ms: number } | { kind: 'camera-stalled' } {
    const now = this.#now();
    const late = now - this.#lastTickAt - this.#tickMs;
    this.#lastTickAt = now;
    if (late > Math.max(2000, this.#tickMs * 3)) {
      this.#lastFrameAt = now;
      return { kind: 'host-stalled', ms: Math.round(late + this.#tickMs) };
    }
    if (this.#busy > 0) return { kind: 'ok' };
    return now - this.#lastFrameAt > this.#stallTimeoutMs ? { kind: 'camera-stalled' } : { kind: 'ok' };
  }
}
