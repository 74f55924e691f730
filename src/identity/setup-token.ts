import type { Clock } from '../lib/clock.ts';
import { randomSecret, secretHash } from './secret-token.ts';

/** The `setup_tokens` rows (setup-tokens.store.ts); only hashes are kept. */
export interface SetupTokenStore {
  /** Stores a fresh token hash, after dropping every unused one. */
  replaceUnused(tokenHash: string, createdMs: number): Promise<void>;
  /** Marks the unused token with this hash used at `usedMs`; false when there is none. */
  markUsed(tokenHash: string, usedMs: number): Promise<boolean>;
}

/**
 * The one-time setup token that lets the first administrator be created from the page when no
 * user exists (there are no default credentials, IAM-3). Only its hash is stored; it works
 * once, and only while there is no user.
 */
export class SetupTokens {
  readonly #store: SetupTokenStore;
  readonly #clock: Clock;

  constructor(store: SetupTokenStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** A fresh token (any earlier unused one stops working). */
  async issue(): Promise<string> {
    const token = randomSecret(18);
    await this.#store.replaceUnused(secretHash(token), this.#clock.now());
    return token;
  }

  /** Marks the token used; false when it is unknown or was used. */
  async consume(token: string): Promise<boolean> {
    return this.#store.markUsed(secretHash(token), this.#clock.now());
  }
}
