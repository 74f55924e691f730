import { randomUUID } from 'node:crypto';
import type { Principal } from '../access/principal.ts';
import { isPermission, type Permission } from '../access/permissions.ts';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import type { StoredToken, TokenStore } from './api-token.ts';
import { randomSecret, secretHash } from './secret-token.ts';

/** Prefix of every API token, so secret scanners can find leaked ones. */
export const tokenPrefix = 'custos_';

/** A token request: a name, its permissions (a subset of the owner's), its lifetime. */
export interface TokenRequest {
  readonly name: string;
  readonly permissions: readonly string[];
  readonly days: number;
}

/**
 * API tokens for automation (`Authorization: Bearer`): scoped to a list of permissions that
 * the owner holds, expiring (at most `maxDays`), stored as SHA-256 only and shown once.
 * A token acts with its owner's grants (scopes included) limited to its permissions.
 */
export class ApiTokens {
  readonly #store: TokenStore;
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #maxDays: number;

  constructor(deps: { store: TokenStore; audit: AuditSink; clock: Clock; maxDays: number }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#maxDays = deps.maxDays;
  }

  /**
   * Creates a token for `owner`. `holds` says which permissions the owner holds now; asking for
   * one they lack is refused. Returns the secret, which is never stored or shown again.
   */
  async create(ownerId: string, holds: (p: Permission) => boolean, request: TokenRequest, by: AuditContext): Promise<{ token: StoredToken; secret: string }> {
    const name = request.name.trim();
    if (!name || name.length > 100) throw new AppError('VALIDATION_FAILED', 'a token needs a name of 1–100 characters', { field: 'name' });
    if (!Number.isFinite(request.days) || request.days <= 0 || request.days > this.#maxDays) {
      throw new AppError('VALIDATION_FAILED', `a token lives 1–${this.#maxDays} days`, { field: 'days' });
    }
    if (request.permissions.length === 0) throw new AppError('VALIDATION_FAILED', 'a token needs at least one permission', { field: 'permissions' });
    const perms = [...new Set(request.permissions)].sort();
    for (const p of perms) {
      if (!isPermission(p)) throw new AppError('VALIDATION_FAILED', `unknown permission ${p}`, { field: 'permissions' });
      if (!holds(p)) throw new AppError('FORBIDDEN', `the owner does not hold ${p}, so a token cannot carry it`, { field: 'permissions' });
    }
    const now = this.#clock.now();
    const secret = `${tokenPrefix}${randomSecret()}`;
    const token: StoredToken = {
      id: randomUUID(),
      userId: ownerId,
      name,
      tokenHash: secretHash(secret),
      permissions: perms,
      createdBy: by.actor.id,
      createdMs: now,
      expiresMs: now + Math.round(request.days * 86_400_000),
      lastUsedMs: null,
      revokedMs: null,
    };
    await this.#audit.record({ type: 'auth.token.created', ...by, target: { kind: 'token', id: `token:${token.id}` }, outcome: 'success', details: { owner: `user:${ownerId}`, permissions: perms, expiresMs: token.expiresMs } });
    await this.#store.insert(token);
    return { token, secret };
  }

  /** The tokens of a user (hashes never leave the store layer through the API). */
  ofUser(userId: string): Promise<StoredToken[]> {
    return this.#store.ofUser(userId);
  }

  /** Revokes a token of `ownerId` (or any token when `anyOwner`); NOT_FOUND otherwise. */
  async revoke(id: string, ownerId: string | null, by: AuditContext): Promise<void> {
    const token = await this.#store.get(id);
    if (!token || token.revokedMs !== null || (ownerId !== null && token.userId !== ownerId)) throw new AppError('NOT_FOUND', 'no such token');
    await this.#audit.record({ type: 'auth.token.revoked', ...by, target: { kind: 'token', id: `token:${id}` }, outcome: 'success', details: { owner: `user:${token.userId}` } });
    await this.#store.revoke(id, this.#clock.now());
  }

  /** Revokes every token of a user (an account reset); the caller records the event. Returns how many. */
  revokeAllOf(userId: string): Promise<number> {
    return this.#store.revokeAll(userId, this.#clock.now());
  }
}

/** True when the principal holds the permission on some scope, ignoring any token limit. */
export function ownerHolds(principal: Principal): (p: Permission) => boolean {
  return (p) => principal.grants.some((g) => g.permissions.has(p)) && (principal.limit === null || principal.limit.has(p));
}
