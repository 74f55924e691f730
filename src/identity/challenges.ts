import type { Clock } from '../lib/clock.ts';
import { randomSecret } from './secret-token.ts';

/** A pending WebAuthn challenge, or an SSO login in flight. */
interface Pending<T> {
  readonly value: T;
  readonly expiresMs: number;
}

/**
 * Short-lived, single-use server-side state keyed by a random id: WebAuthn challenges and
 * SSO logins in flight (state, nonce, PKCE verifier, SAML request id). `take` removes the
 * entry, so a challenge or a callback is good for one attempt only. Kept in memory: a login
 * started on one server MUST finish on the same one (documented in identity.md).
 */
export class PendingStore<T> {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #entries = new Map<string, Pending<T>>();

  constructor(clock: Clock, ttlMs: number, max = 10_000) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#max = max;
  }

  /** Stores a value; returns its id. The oldest entries go first when the store is full. */
  put(value: T): string {
    const now = this.#clock.now();
    for (const [id, p] of this.#entries) if (p.expiresMs <= now) this.#entries.delete(id);
    while (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    const id = randomSecret(18);
    this.#entries.set(id, { value, expiresMs: now + this.#ttlMs });
    return id;
  }

  /** Removes and returns the value of `id`, or undefined when unknown or expired. */
  take(id: string): T | undefined {
    const p = this.#entries.get(id);
    if (!p) return undefined;
    this.#entries.delete(id);
    return p.expiresMs > this.#clock.now() ? p.value : undefined;
  }
}
