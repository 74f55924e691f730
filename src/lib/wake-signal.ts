/**
 * A payload-free "something changed, look again" signal between modules that must not import
 * each other (identity tells the HTTP server that sessions ended). Listeners run synchronously
 * on `notify`; each MUST be cheap and MUST NOT throw (a throw is contained and ignored).
 */
export class WakeSignal {
  readonly #listeners = new Set<() => void>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Calls every listener once. */
  notify(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the others still run.
      }
    }
  }
}
