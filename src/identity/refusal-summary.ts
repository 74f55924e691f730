/**
 * Counts refused requests per key (a client address, a locked name and address, or an
 * authenticated caller with the route and reason of an `access.denied`) so the ledger gets one
 * summarised event per key and window instead of one leaf per request: otherwise any client
 * could fill the ledger by repeating a refused login (issue 11 item 6), and a session past the
 * password step only by repeating any request.
 * Held in memory per server, at most `maxKeys` keys (the oldest are dropped first).
 */
export class RefusalSummary {
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #byKey = new Map<string, { reportedMs: number; unreported: number }>();

  constructor(windowMs: number, maxKeys = 10_000) {
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /**
   * Counts one refusal. Returns how many refusals (this one included) the event recorded now
   * MUST summarise, or null when this window's event for the key was already recorded.
   */
  refused(key: string, nowMs: number): number | null {
    const entry = this.#byKey.get(key);
    if (entry && nowMs - entry.reportedMs < this.#windowMs) {
      entry.unreported++;
      return null;
    }
    const count = (entry?.unreported ?? 0) + 1;
    this.#byKey.delete(key);
    this.#byKey.set(key, { reportedMs: nowMs, unreported: 0 });
    if (this.#byKey.size > this.#maxKeys) this.#byKey.delete(this.#byKey.keys().next().value as string);
    return count;
  }
}
