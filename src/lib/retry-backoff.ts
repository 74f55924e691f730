/** The first wait, and the wait once a close is hurrying the retries. */
const shortMs = 250;

/**
 * The wait between attempts of a queue that retries its head until it succeeds (the recorder's
 * index writer, the deferred audit sink): doubling from 250 ms up to `maxMs`, back to the start
 * after a success (`reset`), cut short by `wake`, and kept short once `hurry` was called (a close
 * waiting out its grace period). Timers only: no clock is read.
 */
export class RetryBackoff {
  readonly #maxMs: number;
  #delayMs = shortMs;
  #hurried = false;
  #wake: (() => void) | null = null;

  constructor(maxMs: number) {
    this.#maxMs = maxMs;
  }

  /** The head succeeded: the next failure waits the shortest time again. */
  reset(): void {
    this.#delayMs = shortMs;
  }

  /** Waits the current delay (or until `wake`), then lengthens the next one. */
  async wait(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#delayMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = null;
    this.#delayMs = this.#hurried ? shortMs : Math.min(this.#delayMs * 2, this.#maxMs);
  }

  /** Ends the wait in progress, if any. */
  wake(): void {
    this.#wake?.();
  }

  /** Retries at once and then often from now on (a close is waiting). */
  hurry(): void {
    this.#hurried = true;
    this.#delayMs = shortMs;
    this.wake();
  }
}

/** Resolves when `work` settles or after `ms`, whichever comes first; never rejects. */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  await Promise.race([settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
