import { z } from 'zod';
import { Secret } from './secret.ts';
import { jurisdiction } from './jurisdiction.ts';

/**
 * The `identity` part of the one configuration schema (schema.ts composes it): sessions,
 * lockout, password policy, role overrides, and the OIDC and SAML providers.
 * Reference: docs/reference/config.md and docs/reference/identity.md.
 */

const secret = z
  .union([z.string(), z.instanceof(Secret)])
  .transform((v) => (v instanceof Secret ? v : new Secret(v)));

/** `global`, or `site:<id>`, `group:<id>`, `camera:<id>`. */
export const scopeText = z
  .string()
  .regex(/^(global|(site|group|camera):[^\s:]+)$/, 'a scope is global, site:<id>, group:<id> or camera:<id>');

/** Maps one claim or attribute value to a role on a scope. */
const roleMapEntry = z.strictObject({
  value: z.string().min(1).describe('The claim/attribute value (e.g. a group name) that grants the role.'),
  role: z.string().min(1).describe('Role granted (viewer, operator, investigator, admin, auditor, compliance-officer, key-custodian, or a role from identity.roles).'),
  scope: scopeText.default('global').describe('Scope of the grant.'),
});

const providerId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a provider id is lower-case letters, digits and dashes');

const oidcProvider = z.strictObject({
  id: providerId.describe('Short id used in URLs (/api/v1/auth/oidc/<id>/…) and in user records.'),
  name: z.string().min(1).describe('Button label on the login page.'),
  issuer: z.url().describe('Issuer URL; its /.well-known/openid-configuration is read at start.'),
  clientId: z.string().min(1).describe('Client id registered at the provider.'),
  clientSecret: secret
    .nullable()
    .default(null)
    .describe('Client secret (confidential client). Secret: prefer a *_FILE variable or a file reference.')
    .meta({ secret: true }),
  caFile: z.string().nullable().default(null).describe('PEM of a CA to trust for the provider\'s TLS certificate, besides the system store.'),
  scopes: z.array(z.string()).default(['openid', 'profile', 'email']).describe('Scopes requested.'),
  usernameClaim: z.string().default('preferred_username').describe('Claim used as the user name (falls back to email, then sub).'),
  roleClaim: z.string().default('groups').describe('Claim (string or array) whose values are mapped to roles by roleMap.'),
  roleMap: z.array(roleMapEntry).default([]).describe('Claim values to roles. A user with no mapped role gets no access.'),
  mfaAmr: z
    .array(z.string())
    .default([])
    .describe('`amr` values that count as MFA done at the provider (e.g. mfa, otp, hwk). Empty: the provider\'s MFA is not trusted.'),
  mfaAcr: z.array(z.string()).default([]).describe('`acr` values that count as MFA done at the provider.'),
  jurisdiction: jurisdiction.nullable().default(null).describe('Residency: ISO 3166-1 alpha-2 country where the provider runs (it receives our users\' sign-ins).'),
});

const samlProvider = z.strictObject({
  id: providerId.describe('Short id used in URLs (/api/v1/auth/saml/<id>/…) and in user records.'),
  name: z.string().min(1).describe('Button label on the login page.'),
  entryPoint: z.url().describe('The IdP\'s SingleSignOnService URL (HTTP-Redirect binding).'),
  idpIssuer: z.string().min(1).describe('The IdP\'s entity id; responses from any other issuer are refused.'),
  idpCertFile: z.string().min(1).describe('PEM file of the IdP\'s signing certificate(s); assertions MUST be signed by one.'),
  spEntityId: z.string().nullable().default(null).describe('Our entity id (the audience); default <publicUrl>/api/v1/auth/saml/<id>/metadata.'),
  usernameAttribute: z.string().nullable().default(null).describe('Attribute used as the user name; default the NameID.'),
  roleAttribute: z.string().default('groups').describe('Attribute whose values are mapped to roles by roleMap.'),
  roleMap: z.array(roleMapEntry).default([]).describe('Attribute values to roles. A user with no mapped role gets no access.'),
  mfaAuthnContexts: z
    .array(z.string())
    .default([])
    .describe('AuthnContextClassRef values that count as MFA done at the IdP. Empty: the IdP\'s MFA is not trusted.'),
  clockSkewSeconds: z.number().int().min(0).max(300).default(60).describe('Tolerated clock difference for NotBefore/NotOnOrAfter.'),
  jurisdiction: jurisdiction.nullable().default(null).describe('Residency: ISO 3166-1 alpha-2 country where the IdP runs (it receives our users\' sign-ins).'),
});

const roleOverride = z.strictObject({
  permissions: z.array(z.string()).optional().describe('Permissions of the role (replaces the default set; required for a new role).'),
  mfa: z.boolean().optional().describe('Whether holders of the role must use a second factor.'),
  description: z.string().optional().describe('What the role is for.'),
});

export const identity = z
  .strictObject({
    publicUrl: z
      .url()
      .nullable()
      .default(null)
      .describe('The URL users reach Custos at (https://vms.example.eu). Used for SSO redirects, the SAML audience and the WebAuthn origin; default https://<server.host>:<port>.'),
    sessionIdleMinutes: z.number().min(1).max(1440).default(15).describe('A session unused this long ends (IAM-2).'),
    sessionAbsoluteHours: z.number().min(0.1).max(168).default(12).describe('A session ends this long after login, however active (IAM-2).'),
    lockoutFailures: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe('Failed logins for one account name from one client address, within lockoutMinutes, that lock the name for that address.'),
    lockoutAccountFailures: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(50)
      .describe('Failed logins for one account name from all addresses, within lockoutMinutes, that lock it for every address it has not signed in from in the last 90 days (guessing from many addresses).'),
    lockoutMinutes: z.number().min(1).max(1440).default(15).describe('Window and duration of the account lockout.'),
    addressAttemptsPerMinute: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(30)
      .describe('Login attempts per minute allowed from one client address, whatever the account.'),
    passwordMinLength: z.number().int().min(8).max(128).default(14).describe('Minimum password length for accounts without a second factor (IAM-3).'),
    passwordMinLengthWithMfa: z.number().int().min(8).max(128).default(8).describe('Minimum password length for accounts with a second factor.'),
    tokenMaxDays: z.number().int().min(1).max(3650).default(365).describe('Longest lifetime of an API token.'),
    externalMaxDays: z.number().int().min(1).max(3650).default(90).describe('Longest lifetime of a third-party (external) account or grant.'),
    grantApproval: z
      .enum(['none', 'sensitive', 'all'])
      .default('sensitive')
      .describe(
        'Which grants a person makes through the API wait for a second holder of user.manage to approve (four-eyes): sensitive = roles requiring MFA or carrying export, unmask, ledger, user, key or configuration rights. Whatever this says, a role carrying playback, export or unmasking on a scope that covers a four-eyes site always waits (ADR 0012). Resets of an account\'s password or second factors through the API wait too, unless this is none. The CLI (host access) and SSO mappings are not subject to it.',
      ),
    approvalHours: z.number().min(0.1).max(720).default(24).describe('A four-eyes request not decided within this time expires.'),
    roles: z
      .record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/), roleOverride)
      .default({})
      .describe('Overrides of the default roles (e.g. `operator: { mfa: true }`), or new roles with their permissions.'),
    oidc: z.array(oidcProvider).default([]).describe('OpenID Connect providers (authorization code flow with PKCE).'),
    saml: z.array(samlProvider).default([]).describe('SAML 2.0 identity providers (SP-initiated, signed assertions required).'),
  })
  .prefault({})
  .describe('Identity and access (docs/reference/identity.md).');

export type IdentityConfig = z.output<typeof identity>;
export type OidcProviderConfig = IdentityConfig['oidc'][number];
export type SamlProviderConfig = IdentityConfig['saml'][number];
export type RoleMapEntry = z.output<typeof roleMapEntry>;
