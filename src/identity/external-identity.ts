import type { RoleMapEntry } from '../config/identity.schema.ts';

/**
 * What an SSO login (OIDC or SAML) yields once the provider's response was verified. The
 * protocol modules produce it; the login service turns it into a user, grants and a session.
 * Roles are already mapped from claims/attributes by the provider's `roleMap`.
 */
export interface ExternalIdentity {
  /** Provider id from the config (`identity.oidc[].id` / `identity.saml[].id`). */
  readonly provider: string;
  readonly protocol: 'oidc' | 'saml';
  /** Stable subject at the provider: OIDC `sub`, SAML NameID. */
  readonly subject: string;
  /** User name to show and store (lower-cased by the store). */
  readonly username: string;
  readonly displayName: string | null;
  readonly email: string | null;
  /** Roles on scopes mapped from the provider's claims or attributes (may be empty: no access). */
  readonly grants: readonly MappedGrant[];
  /** True when the provider asserted an MFA method the config trusts (amr/acr, AuthnContext). */
  readonly mfa: boolean;
  /** How the provider said the user authenticated (amr/acr or AuthnContextClassRef), for the audit. */
  readonly authnContext: readonly string[];
}

/** A role on a scope, derived from a provider's claim or attribute. */
export interface MappedGrant {
  readonly role: string;
  /** `global`, `site:<id>`, `group:<id>` or `camera:<id>`. */
  readonly scope: string;
}

/** Applies a role map to the values of a claim or attribute (string, array, or absent). */
export function mapRoles(map: readonly RoleMapEntry[], values: unknown): MappedGrant[] {
  const list = Array.isArray(values) ? values : values === undefined || values === null ? [] : [values];
  const have = new Set(list.filter((v): v is string => typeof v === 'string'));
  const out = new Map<string, MappedGrant>();
  for (const entry of map) {
    if (have.has(entry.value)) out.set(`${entry.role}@${entry.scope}`, { role: entry.role, scope: entry.scope });
  }
  return [...out.values()];
}
