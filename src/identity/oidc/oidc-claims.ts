/**
 * Turns the verified claims of an OIDC login into an ExternalIdentity: user name, display name,
 * e-mail, role grants and whether the provider's authentication counts as MFA. Pure: the claims
 * MUST already be verified (ID token signature, issuer, audience, nonce, expiry; userinfo subject).
 */
import type { OidcProviderConfig } from '../../config/identity.schema.ts';
import { mapRoles, type ExternalIdentity } from '../external-identity.ts';

/** A JSON claims set (an ID token payload or a userinfo response). */
export type Claims = Readonly<Record<string, unknown>>;

/** The claims this module reads besides `sub`, `amr` and `acr`: when one is absent from the ID token, userinfo is asked. */
export function wantedClaims(config: Pick<OidcProviderConfig, 'usernameClaim' | 'roleClaim'>): string[] {
  return [...new Set([config.usernameClaim, 'email', 'name', config.roleClaim])];
}

/**
 * The identity of a verified login. Profile and role claims come from the ID token, else from
 * `userinfo`; `amr` and `acr` MUST come from the ID token only (they describe this authentication,
 * which userinfo does not). Username: `usernameClaim`, else `email`, else `sub`.
 */
export function identityFromClaims(config: OidcProviderConfig, idToken: Claims, userinfo: Claims | null): ExternalIdentity {
  const subject = nonEmptyString(idToken.sub);
  if (subject === null) throw new TypeError('the ID token has no subject');
  const claim = (name: string): unknown => (idToken[name] !== undefined ? idToken[name] : userinfo?.[name]);
  const email = nonEmptyString(claim('email'));
  const amr = Array.isArray(idToken.amr) ? idToken.amr.filter((v): v is string => typeof v === 'string') : [];
  const acr = nonEmptyString(idToken.acr);
  return {
    provider: config.id,
    protocol: 'oidc',
    subject,
    username: nonEmptyString(claim(config.usernameClaim)) ?? email ?? subject,
    displayName: nonEmptyString(claim('name')),
    email,
    grants: mapRoles(config.roleMap, claim(config.roleClaim)),
    mfa: amr.some((v) => config.mfaAmr.includes(v)) || (acr !== null && config.mfaAcr.includes(acr)),
    authnContext: acr === null ? amr : [...amr, acr],
  };
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
