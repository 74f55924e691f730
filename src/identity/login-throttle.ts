import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';

/** Brute-force limits (IAM-2). */
export interface ThrottleLimits {
  /** Failures of one account name within `windowMs` that lock it for `windowMs`. */
  readonly failures: number;
  readonly windowMs: number;
  /** Attempts per minute from one client address, whatever the account. */
  readonly perAddressPerMinute: number;
}

/**
 * Lockout and rate limit for logins. Failures are counted per account *name* in the database
 * (so several servers share them, and a name that does not exist locks exactly like one that
 * does: the answer reveals nothing). Attempts per client address are counted in memory over a
 * sliding minute. `fail` says when a failure is the one that locked the name, so the caller
 * records one `auth.lockout` event per lock.
 */
export class LoginThrottle {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #limits: ThrottleLimits;
  readonly #byAddress = new Map<string, number[]>();

  constructor(db: Db, clock: Clock, limits: ThrottleLimits) {
    this.#db = db;
    this.#clock = clock;
    this.#limits = limits;
  }

  /** Counts an attempt from `address`; false when the address is over its rate. */
  allowAddress(address: string): boolean {
    const now = this.#clock.now();
    const recent = (this.#byAddress.get(address) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= this.#limits.perAddressPerMinute) {
      this.#byAddress.set(address, recent);
      return false;
    }
    recent.push(now);
    this.#byAddress.set(address, recent);
    if (this.#byAddress.size > 10_000) this.#prune(now);
    return true;
  }

  /** True when the account name is locked now. */
  async locked(username: string): Promise<boolean> {
    return (await this.#recentFailures(username)) >= this.#limits.failures;
  }

  /** Records a failure; returns true when this failure locked the name. */
  async fail(username: string): Promise<boolean> {
    const now = this.#clock.now();
    await this.#db.insertInto('auth_failures').values({ id: randomUUID(), username: username.toLowerCase(), time_ms: now }).execute();
    await this.#db.deleteFrom('auth_failures').where('time_ms', '<', now - 2 * this.#limits.windowMs).execute();
    return (await this.#recentFailures(username)) === this.#limits.failures;
  }

  /** Clears the failures of a name after a successful login. */
  async succeeded(username: string): Promise<void> {
    await this.#db.deleteFrom('auth_failures').where('username', '=', username.toLowerCase()).execute();
  }

  async #recentFailures(username: string): Promise<number> {
    const r = await this.#db
      .selectFrom('auth_failures')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('username', '=', username.toLowerCase())
      .where('time_ms', '>', this.#clock.now() - this.#limits.windowMs)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  #prune(now: number): void {
    for (const [address, times] of this.#byAddress) if (times.every((t) => now - t >= 60_000)) this.#byAddress.delete(address);
  }
}
