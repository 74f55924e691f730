import type { AuditActor } from '../audit/audit-event.ts';
import type { Permission } from './permissions.ts';
import type { Scope } from './scope.ts';

/** A grant in force, its role already resolved to permissions. */
export interface EffectiveGrant {
  readonly grantId: string;
  readonly role: string;
  readonly scope: Scope;
  readonly permissions: ReadonlySet<Permission>;
}

/**
 * Who a request acts as, resolved once per request from its session cookie or bearer token.
 * Everything the access checks need is here; nothing is looked up again during the request.
 */
export interface Principal {
  /** `session` for a login session, `token` for an API token. */
  readonly via: 'session' | 'token';
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  /** API token id (tokens only). */
  readonly tokenId: string | null;
  /** Permissions this credential may use at most (a token's list); null = no limit beyond grants. */
  readonly limit: ReadonlySet<Permission> | null;
  /** True when MFA is mandatory for this user (a privileged role) or the user enrolled a factor. */
  readonly mfaRequired: boolean;
  /** True when a second factor was verified in this session (tokens: always). */
  readonly mfaSatisfied: boolean;
  /**
   * True when the user has a second factor to verify: a confirmed TOTP or passkey, or the
   * one-time enrolment code of a reset account not yet entered in this session.
   */
  readonly hasFactor: boolean;
  readonly grants: readonly EffectiveGrant[];
}

/** The audit actor of a principal: the user, or the token acting for them. */
export function actorOf(principal: Principal): AuditActor {
  return principal.via === 'token'
    ? { kind: 'token', id: `token:${principal.tokenId ?? ''}`, name: `${principal.displayName} (token)` }
    : { kind: 'user', id: `user:${principal.userId}`, name: principal.displayName };
}
