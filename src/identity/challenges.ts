import type { Clock } from '../lib/clock.ts';
import { randomSecret } from './secret-token.ts';

/** A pending WebAuthn challenge, or an SSO login in flight. */
interface Pending<T> {
  readonly value: T;
  readonly owner: string;
  readonly expiresMs: number;
}

/**
 * Short-lived, single-use server-side state keyed by a random id: WebAuthn challenges and
 * SSO logins in flight (state, nonce, PKCE verifier, SAML request id). `take` removes the
 * entry, so a challenge or a callback is good for one attempt only. Kept in memory: a login
 * started on one server MUST finish on the same one (documented in identity.md).
 *
 * Entries are made before anyone is authenticated, so the store is bounded twice: `max` in all,
 * and `perOwner` for one owner (a client address, or a user), whose oldest entry goes first.
 * One client flooding the store therefore only ever evicts its own entries.
 */
export class PendingStore<T> {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #perOwner: number;
  readonly #entries = new Map<string, Pending<T>>();

  constructor(clock: Clock, ttlMs: number, limits: { max?: number; perOwner?: number } = {}) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#max = limits.max ?? 10_000;
    this.#perOwner = limits.perOwner ?? 20;
  }

  /** Stores a value for `owner`; returns its id. */
  put(value: T, owner: string): string {
    const now = this.#clock.now();
    let mine = 0;
    let oldestMine: string | undefined;
    for (const [id, p] of this.#entries) {
      if (p.expiresMs <= now) this.#entries.delete(id);
      else if (p.owner === owner) {
        mine++;
        oldestMine ??= id;
      }
    }
    if (mine >= this.#perOwner && oldestMine !== undefined) this.#entries.delete(oldestMine);
    while (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    const id = randomSecret(18);
    this.#entries.set(id, { value, owner, expiresMs: now + this.#ttlMs });
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
