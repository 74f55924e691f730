import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import type { ConcurrencyLimit } from '../lib/concurrency-limit.ts';
import { AppError } from '../lib/errors.ts';
import { hashPassword } from './credentials/password-hash.ts';
import type { ExternalIdentity } from './external-identity.ts';
import { usernamePattern, type User } from './user.ts';
import type { UserStore } from './user-store.ts';

/** Checks a new password against the policy (IAM-3); the reason is shown to the user. */
export interface PasswordRules {
  check(password: string, ctx: { username: string; hasMfa: boolean }): { ok: true } | { ok: false; reason: string };
}

/** A new local user. */
export interface NewUser {
  readonly username: string;
  readonly displayName?: string | undefined;
  readonly password: string;
  /** A third-party account; MUST then have `expiresMs` (IAM-4). */
  readonly external?: boolean | undefined;
  readonly expiresMs?: number | null | undefined;
}

/**
 * User accounts. Local users have an argon2id password that meets the policy; SSO users have
 * none and are created at their first login. There are no default accounts and no default
 * passwords: the first administrator comes from `custos user add` or the one-time setup token.
 */
export class UsersService {
  readonly #store: UserStore;
  readonly #rules: PasswordRules;
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #externalMaxMs: number;
  readonly #hashing: ConcurrencyLimit;

  /** `hashing` is the limit every password hash shares (logins too): argon2 must not starve the recorder's I/O. */
  constructor(deps: { store: UserStore; rules: PasswordRules; audit: AuditSink; clock: Clock; externalMaxMs: number; hashing: ConcurrencyLimit }) {
    this.#store = deps.store;
    this.#hashing = deps.hashing;
    this.#rules = deps.rules;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#externalMaxMs = deps.externalMaxMs;
  }

  /**
   * Checks that `create` would accept this user name and password, without creating anything
   * (first-run setup checks before it uses up its one-time token).
   */
  async assertAcceptable(username: string, password: string): Promise<void> {
    const name = validUsername(username);
    if (await this.#store.findByUsername(name)) throw new AppError('CONFLICT', `a user named ${name} already exists`, { field: 'username' });
    this.#assertPassword(password, name, false);
  }

  /** Creates a local user; `createdBy` is the actor id: `user:<id>`, `cli:…` or `system:setup`. */
  async create(input: NewUser, by: AuditContext): Promise<User> {
    const username = validUsername(input.username);
    if (await this.#store.findByUsername(username)) throw new AppError('CONFLICT', `a user named ${username} already exists`, { field: 'username' });
    const now = this.#clock.now();
    const external = input.external ?? false;
    const expiresMs = input.expiresMs ?? null;
    if (expiresMs !== null && expiresMs <= now) throw new AppError('VALIDATION_FAILED', 'the expiry is in the past', { field: 'expiresAt' });
    if (external && expiresMs === null) throw new AppError('VALIDATION_FAILED', 'an external (third-party) account must expire', { field: 'expiresAt' });
    if (external && expiresMs !== null && expiresMs - now > this.#externalMaxMs) {
      throw new AppError('VALIDATION_FAILED', `an external account may last at most ${Math.round(this.#externalMaxMs / 86_400_000)} days`, { field: 'expiresAt' });
    }
    this.#assertPassword(input.password, username, false);
    const user: User = {
      id: randomUUID(),
      username,
      displayName: input.displayName?.trim() || username,
      kind: 'local',
      provider: null,
      subject: null,
      passwordHash: await this.#hashing.run(() => hashPassword(input.password)),
      passwordChangedMs: now,
      external,
      expiresMs,
      disabled: false,
      createdBy: by.actor.id,
      createdMs: now,
      updatedMs: now,
      resetMs: null,
    };
    await this.#audit.record({ type: 'account.created', ...by, target: { kind: 'user', id: `user:${user.id}` }, outcome: 'success', details: { kind: 'local', external, expiresMs } });
    await this.#store.insert(user);
    return user;
  }

  /** The user an SSO login names, created at the first login; its display name is refreshed. */
  async fromProvider(identity: ExternalIdentity, by: AuditContext): Promise<User> {
    const now = this.#clock.now();
    const existing = await this.#store.findBySubject(identity.provider, identity.subject);
    if (existing) {
      const displayName = identity.displayName ?? existing.displayName;
      if (displayName === existing.displayName) return existing;
      const updated = { ...existing, displayName, updatedMs: now };
      await this.#store.update(updated);
      return updated;
    }
    // SSO names are prefixed by nothing, but MUST NOT take over a local account of the same name.
    let username = identity.username.toLowerCase().replace(/[^a-z0-9._@-]/g, '-').slice(0, 64);
    if (!usernamePattern.test(username) || (await this.#store.findByUsername(username))) username = `${identity.provider}.${randomUUID().slice(0, 8)}`;
    const user: User = {
      id: randomUUID(),
      username,
      displayName: identity.displayName ?? identity.username,
      kind: 'sso',
      provider: identity.provider,
      subject: identity.subject,
      passwordHash: null,
      passwordChangedMs: null,
      external: false,
      expiresMs: null,
      disabled: false,
      createdBy: `sso:${identity.provider}`,
      createdMs: now,
      updatedMs: now,
      resetMs: null,
    };
    await this.#audit.record({ type: 'account.created', ...by, target: { kind: 'user', id: `user:${user.id}` }, outcome: 'success', details: { kind: 'sso', provider: identity.provider, protocol: identity.protocol } });
    await this.#store.insert(user);
    return user;
  }

  /** Sets a local user's own password after checking the policy (the caller ends other sessions). */
  async setPassword(user: User, password: string, hasMfa: boolean, by: AuditContext): Promise<User> {
    const passwordHash = await this.newPasswordHash(user, password, hasMfa);
    const now = this.#clock.now();
    const updated: User = { ...user, passwordHash, passwordChangedMs: now, updatedMs: now };
    await this.#audit.record({ type: 'account.password.changed', ...by, target: { kind: 'user', id: `user:${user.id}` }, outcome: 'success' });
    await this.#store.update(updated);
    return updated;
  }

  /** The argon2id hash of a new password for a local user, after the policy check. */
  async newPasswordHash(user: User, password: string, hasMfa: boolean): Promise<string> {
    if (user.kind !== 'local') throw new AppError('VALIDATION_FAILED', 'this account signs in through its identity provider and has no password');
    this.#assertPassword(password, user.username, hasMfa);
    return this.#hashing.run(() => hashPassword(password));
  }

  /**
   * Puts an account in the reset state, with a new password hash when given (the caller,
   * `AccountResets`, records the event and removes factors, sessions and tokens).
   */
  async markReset(user: User, passwordHash: string | null): Promise<User> {
    const now = this.#clock.now();
    const updated: User = { ...user, ...(passwordHash === null ? {} : { passwordHash, passwordChangedMs: now }), resetMs: now, updatedMs: now };
    await this.#store.update(updated);
    return updated;
  }

  /** Ends the reset state once the user has enrolled a new second factor. */
  async resetDone(user: User): Promise<User> {
    if (user.resetMs === null) return user;
    const updated: User = { ...user, resetMs: null, updatedMs: this.#clock.now() };
    await this.#store.update(updated);
    return updated;
  }

  /** Disables or enables a user (the caller ends sessions on disable). */
  async setDisabled(user: User, disabled: boolean, by: AuditContext): Promise<User> {
    if (user.disabled === disabled) return user;
    const updated: User = { ...user, disabled, updatedMs: this.#clock.now() };
    await this.#audit.record({ type: disabled ? 'account.disabled' : 'account.enabled', ...by, target: { kind: 'user', id: `user:${user.id}` }, outcome: 'success' });
    await this.#store.update(updated);
    return updated;
  }

  /** A user by id; NOT_FOUND when absent. */
  async get(id: string): Promise<User> {
    const user = await this.#store.get(id);
    if (!user) throw new AppError('NOT_FOUND', 'no such user');
    return user;
  }

  /** A user by name (any case), or undefined. */
  findByUsername(username: string): Promise<User | undefined> {
    return this.#store.findByUsername(username);
  }

  /** Every user. */
  list(): Promise<User[]> {
    return this.#store.list();
  }

  /** How many users exist (zero until the first administrator is created). */
  count(): Promise<number> {
    return this.#store.count();
  }

  #assertPassword(password: string, username: string, hasMfa: boolean): void {
    const verdict = this.#rules.check(password, { username, hasMfa });
    if (!verdict.ok) throw new AppError('PASSWORD_REJECTED', verdict.reason, { field: 'password' });
  }
}

/** Lower-cases and checks a user name. */
export function validUsername(name: string): string {
  const username = name.trim().toLowerCase();
  if (!usernamePattern.test(username)) throw new AppError('VALIDATION_FAILED', 'a user name is 1–64 letters, digits, and . _ @ -', { field: 'username' });
  return username;
}
