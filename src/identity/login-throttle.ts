import { randomUUID } from 'node:crypto';
import type { Clock } from '../lib/clock.ts';

/** Brute-force limits (IAM-2, ADR 0015). */
export interface ThrottleLimits {
  /** Failures of one account name from one client address within `windowMs` that lock the pair for `windowMs`. */
  readonly failures: number;
  readonly windowMs: number;
  /** Failures of one account name from all addresses within `windowMs` that lock it for every address it never signed in from. */
  readonly accountFailures: number;
  /** Attempts per minute from one client address, whatever the account. */
  readonly perAddressPerMinute: number;
}

/** A reserved attempt: counted as a failure until it is settled as a success. */
export interface AttemptTicket {
  readonly id: string;
  readonly username: string;
  readonly address: string;
}

/** Why an attempt was not admitted. */
export type Refusal = 'pair-locked' | 'account-locked';

/** What a failure locked, if anything: the (name, address) pair, or the name for unknown addresses. */
export type Locked = 'pair' | 'account' | null;

/** The `auth_failures` and `auth_known_addresses` rows (login-failures.store.ts). */
export interface LoginFailureStore {
  /** Records a reserved attempt, counted as a failure until removed. */
  add(ticket: AttemptTicket, timeMs: number): Promise<void>;
  /** Removes one reserved attempt. */
  remove(id: string): Promise<void>;
  /** Forgets failures older than `beforeMs`. */
  prune(beforeMs: number): Promise<void>;
  /** Failures of `username` since `sinceMs`: from `address` (pair) and from anywhere (account). */
  counts(username: string, address: string, sinceMs: number): Promise<{ pair: number; account: number }>;
  /** Clears the failures of the (name, address) pair. */
  clearPair(username: string, address: string): Promise<void>;
  /** Records a successful sign-in of `username` from `address` at `timeMs`. */
  markKnown(username: string, address: string, timeMs: number): Promise<void>;
  /** When `username` last signed in from `address`, if ever. */
  lastKnown(username: string, address: string): Promise<number | undefined>;
}

/** How long a successful sign-in makes an address "known" to the account-wide lock. */
const knownForMs = 90 * 86_400_000;

/**
 * Lockout and rate limit for logins. An attempt is *reserved* before the secret is checked (a
 * row in `auth_failures`, counted at once) and *settled* after: a failure keeps the row, a
 * success removes the rows of its (name, address) pair. So attempts sent together are counted
 * together, and at most `failures` of them are ever checked (a refusal removes its own row).
 *
 * Locks are per (account name, client address): an anonymous client elsewhere cannot lock a
 * user out of their own address. Against guessing from many addresses, `accountFailures`
 * failures of a name from all addresses lock it for every address that never signed in to it
 * (within 90 days). Names that do not exist are counted exactly like real ones. Attempts per
 * client address are counted in memory over a sliding minute.
 */
export class LoginThrottle {
  readonly #store: LoginFailureStore;
  readonly #clock: Clock;
  readonly #limits: ThrottleLimits;
  readonly #byAddress = new Map<string, number[]>();

  constructor(store: LoginFailureStore, clock: Clock, limits: ThrottleLimits) {
    this.#store = store;
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

  /**
   * Reserves an attempt for `username` from `address` before its secret is checked. Refused
   * (and nothing kept) when the pair is locked, or the name is locked for this address.
   */
  async reserve(username: string, address: string): Promise<{ ticket: AttemptTicket } | { refused: Refusal }> {
    const now = this.#clock.now();
    const ticket: AttemptTicket = { id: randomUUID(), username: username.toLowerCase(), address };
    await this.#store.add(ticket, now);
    const { pair, account } = await this.#counts(ticket);
    let refused: Refusal | null = null;
    if (pair > this.#limits.failures) refused = 'pair-locked';
    else if (account > this.#limits.accountFailures && !(await this.#known(ticket))) refused = 'account-locked';
    if (refused === null) return { ticket };
    await this.#store.remove(ticket.id);
    return { refused };
  }

  /** Settles a reserved attempt as a failure; says what it locked, once per lock. */
  async failed(ticket: AttemptTicket): Promise<Locked> {
    const now = this.#clock.now();
    await this.#store.prune(now - 2 * this.#limits.windowMs);
    const { pair, account } = await this.#counts(ticket);
    if (pair === this.#limits.failures) return 'pair';
    if (account === this.#limits.accountFailures) return 'account';
    return null;
  }

  /** Settles a reserved attempt as a success: the pair's failures are cleared and the address becomes known. */
  async succeeded(ticket: AttemptTicket): Promise<void> {
    await this.#store.clearPair(ticket.username, ticket.address);
    await this.#store.markKnown(ticket.username, ticket.address, this.#clock.now());
  }

  /** Drops a reservation that was not a guess at the secret (the attempt stopped before it). */
  async release(ticket: AttemptTicket): Promise<void> {
    await this.#store.remove(ticket.id);
  }

  async #counts(ticket: AttemptTicket): Promise<{ pair: number; account: number }> {
    return this.#store.counts(ticket.username, ticket.address, this.#clock.now() - this.#limits.windowMs);
  }

  async #known(ticket: AttemptTicket): Promise<boolean> {
    const last = await this.#store.lastKnown(ticket.username, ticket.address);
    return last !== undefined && last > this.#clock.now() - knownForMs;
  }

  #prune(now: number): void {
    for (const [address, times] of this.#byAddress) if (times.every((t) => now - t >= 60_000)) this.#byAddress.delete(address);
  }
}
