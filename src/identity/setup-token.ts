import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { randomSecret, secretHash } from './secret-token.ts';

/**
 * The one-time setup token that lets the first administrator be created from the page when no
 * user exists (there are no default credentials, IAM-3). Only its hash is stored; it works
 * once, and only while there is no user.
 */
export class SetupTokens {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** A fresh token (any earlier unused one stops working). */
  async issue(): Promise<string> {
    const token = randomSecret(18);
    await this.#db.deleteFrom('setup_tokens').where('used_ms', 'is', null).execute();
    await this.#db.insertInto('setup_tokens').values({ token_hash: secretHash(token), created_ms: this.#clock.now(), used_ms: null }).execute();
    return token;
  }

  /** Marks the token used; false when it is unknown or was used. */
  async consume(token: string): Promise<boolean> {
    const r = await this.#db
      .updateTable('setup_tokens')
      .set({ used_ms: this.#clock.now() })
      .where('token_hash', '=', secretHash(token))
      .where('used_ms', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
