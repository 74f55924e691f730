import type { Scope } from './scope.ts';

/** A grant as stored: principal × role × scope, who granted it, until when. */
export interface Grant {
  readonly id: string;
  readonly userId: string;
  readonly role: string;
  readonly scope: Scope;
  readonly grantedBy: string;
  readonly grantedMs: number;
  readonly expiresMs: number | null;
  readonly revokedBy: string | null;
  readonly revokedMs: number | null;
  /** `manual`, or `sso:<provider>` for grants derived from an identity provider's claims. */
  readonly source: string;
}

/** Grants in the metadata database. */
export interface GrantStore {
  get(id: string): Promise<Grant | undefined>;
  /** Grants of a user not revoked (expired ones included; callers filter by time). */
  ofUser(userId: string): Promise<Grant[]>;
  /** Every grant not revoked. */
  all(): Promise<Grant[]>;
  insert(grant: Grant): Promise<void>;
  revoke(id: string, by: string, atMs: number): Promise<boolean>;
  /** True when the scope's site, group or camera exists (global always does). */
  scopeExists(scope: Scope): Promise<boolean>;
}
