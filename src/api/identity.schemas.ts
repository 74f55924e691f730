import { z } from 'zod';

/**
 * Wire schemas of the identity and access API (login, factors, users, tokens, grants, sites,
 * groups, four-eyes approvals, the access-rights register). Times are RFC 3339 UTC.
 */

const isoTime = z.iso.datetime({ offset: true }).describe('RFC 3339 time.');

export const loginStage = z
  .enum(['complete', 'second-factor', 'enrol'])
  .describe('complete: signed in; second-factor: verify TOTP, a recovery code or a passkey next; enrol: your role requires a second factor, enrol one next.');

export const sessionUser = z.object({ id: z.uuid(), username: z.string(), displayName: z.string() });

export const loginResult = z
  .object({ stage: loginStage, user: sessionUser, csrfToken: z.string().describe('Send as x-csrf-token on state-changing requests of this session.') })
  .describe('A login step succeeded; the session cookie is set.');

export const passwordLogin = z.strictObject({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024) });

export const codeBody = z.strictObject({ code: z.string().min(1).max(64).describe('The 6-digit TOTP code, or a recovery code.') });

export const passkeyOptions = z.object({ challengeId: z.string(), options: z.record(z.string(), z.unknown()).describe('PublicKeyCredential options (WebAuthn JSON).') });

export const passkeyAssertion = z.strictObject({ challengeId: z.string().min(1).max(64), response: z.record(z.string(), z.unknown()).describe('The credential, WebAuthn JSON encoding.') });

export const passkeyRegistration = z.strictObject({
  challengeId: z.string().min(1).max(64),
  response: z.record(z.string(), z.unknown()).describe('The new credential, WebAuthn JSON encoding.'),
  name: z.string().max(64).optional().default('passkey').describe('A label for the passkey.'),
});

export const totpEnrolment = z.object({
  secret: z.string().describe('Base32 secret, for manual entry.'),
  uri: z.string().describe('otpauth:// URI.'),
  qrSvg: z.string().describe('The URI as a QR code (SVG).'),
});

export const enrolled = z.object({
  stage: loginStage,
  csrfToken: z.string(),
  recoveryCodes: z.array(z.string()).describe('Single-use recovery codes, shown once (empty when you already had a factor).'),
});

export const me = z.object({
  user: sessionUser,
  via: z.enum(['session', 'token']),
  stage: loginStage,
  csrfToken: z.string().nullable().describe('The session\'s CSRF token (null for bearer tokens).'),
  factors: z.object({ totp: z.boolean(), passkeys: z.number(), recoveryCodesLeft: z.number() }),
  permissions: z.array(z.string()).describe('Permissions held on at least one scope.'),
  grants: z.array(z.object({ role: z.string(), scope: z.string() })),
  permissionsByScope: z
    .array(z.object({ scope: z.string().describe('global, site:<id>, group:<id> or camera:<id>.'), permissions: z.array(z.string()) }))
    .describe('The effective permissions per scope (every grant in force there, limited by a token\'s permissions), so a page can show only what you can do where. A global permission applies to every camera. Empty until the login is complete.'),
});

export const sessionStatus = z
  .object({
    idleTimeoutSeconds: z.number().describe('The idle limit: a session nobody uses for this long ends.'),
    idleEndsAt: isoTime.describe('When this session ends unless it is used first (a request without X-Custos-Background: 1); never after absoluteEndsAt.'),
    absoluteEndsAt: isoTime.describe('When this session ends whatever happens (the absolute limit since login).'),
    secondsLeft: z.number().describe('Seconds until idleEndsAt, as of this answer: warn before it reaches 0.'),
  })
  .describe('The login session\'s deadlines. Ask with X-Custos-Background: 1 so asking does not count as use.');

export const passwordChange = z.strictObject({ currentPassword: z.string().min(1).max(1024), newPassword: z.string().min(1).max(1024) });

export const setupBody = z.strictObject({
  setupToken: z.string().min(1).max(128).describe('The one-time token printed at first start.'),
  username: z.string().min(1).max(64),
  displayName: z.string().max(100).optional(),
  password: z.string().min(1).max(1024),
});

export const providers = z.object({
  setupRequired: z.boolean().describe('True while no user exists: create the first administrator with the setup token.'),
  oidc: z.array(z.object({ id: z.string(), name: z.string() })),
  saml: z.array(z.object({ id: z.string(), name: z.string() })),
});

export const providerParams = z.strictObject({ provider: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/) });

export const samlAcsBody = z.object({ SAMLResponse: z.string().min(1).max(512 * 1024), RelayState: z.string().max(1024).optional() });

export const userDto = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  kind: z.enum(['local', 'sso']),
  provider: z.string().nullable(),
  external: z.boolean(),
  expiresAt: isoTime.nullable(),
  disabled: z.boolean(),
  createdBy: z.string(),
  createdAt: isoTime,
  resetAt: isoTime.nullable().describe('When an administrator reset the account, while the user has not yet enrolled a new second factor; null otherwise.'),
});

export const userCreate = z.strictObject({
  username: z.string().min(1).max(64),
  displayName: z.string().max(100).optional(),
  password: z.string().min(1).max(1024).describe('Initial password; must meet the policy (14+ characters until the user enrols a second factor).'),
  external: z.boolean().optional().default(false).describe('A third-party account: expiresAt is then required.'),
  expiresAt: isoTime.optional(),
});

export const userUpdate = z.strictObject({
  disabled: z.boolean().optional().describe('Disables (ends the sessions; tokens stop working) or enables the account.'),
  password: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .describe('Resets the account with this new password: factors removed, sessions and API tokens ended, a one-time enrolment code issued. Four-eyes (APPROVAL_REQUIRED) unless identity.grantApproval is none.'),
  resetFactors: z.literal(true).optional().describe('Resets the account\'s second factors (the password stays): as for password, without a new one.'),
});

export const userUpdated = userDto.extend({
  enrolmentCode: z
    .string()
    .optional()
    .describe('After a reset that needed no approval (identity.grantApproval: none): the one-time code the user needs, with the password, to enrol a new second factor. Shown once.'),
});

export const userParams = z.strictObject({ id: z.uuid().describe('User id') });

export const grantDto = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  role: z.string(),
  scope: z.string().describe('global, site:<id>, group:<id> or camera:<id>.'),
  grantedBy: z.string(),
  grantedAt: isoTime,
  expiresAt: isoTime.nullable(),
  source: z.string().describe('manual, or sso:<provider> for grants derived from an identity provider.'),
});

export const grantCreate = z.strictObject({
  userId: z.uuid(),
  role: z.string().min(1).max(32),
  scope: z.string().min(1).max(80).default('global'),
  expiresAt: isoTime.optional().describe('Required for external users.'),
});

export const grantParams = z.strictObject({ id: z.uuid().describe('Grant id') });

export const roleDto = z.object({ name: z.string(), description: z.string(), permissions: z.array(z.string()), mfa: z.boolean() });

export const registerRow = z.object({
  userId: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  kind: z.string(),
  external: z.boolean(),
  accountExpiresAt: isoTime.nullable(),
  disabled: z.boolean(),
  role: z.string(),
  privileged: z.boolean(),
  scope: z.string(),
  grantedBy: z.string(),
  grantedAt: isoTime,
  expiresAt: isoTime.nullable(),
  source: z.string(),
});

export const registerQuery = z.strictObject({ format: z.enum(['json', 'csv']).optional().default('json') });

export const tokenDto = z.object({
  id: z.uuid(),
  name: z.string(),
  permissions: z.array(z.string()),
  createdAt: isoTime,
  expiresAt: isoTime,
  lastUsedAt: isoTime.nullable(),
  revoked: z.boolean(),
});

export const tokenCreate = z.strictObject({
  name: z.string().min(1).max(100),
  permissions: z.array(z.string()).min(1),
  days: z.number().min(1).max(3650).default(90),
});

export const tokenCreated = tokenDto.extend({ token: z.string().describe('The bearer secret, shown once.') });

export const tokenParams = z.strictObject({ id: z.uuid().describe('Token id') });

export const siteDto = z.object({ id: z.string(), name: z.string(), fourEyes: z.boolean() });
export const siteCreate = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).describe('Short id (lower-case letters, digits, dashes).'),
  name: z.string().min(1).max(100),
  fourEyes: z.boolean().optional().default(false).describe('Exports and unmasking at this site need a second person\'s approval.'),
});
export const siteUpdate = z.strictObject({ name: z.string().min(1).max(100).optional(), fourEyes: z.boolean().optional() });
export const siteParams = z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/) });

export const groupDto = z.object({ id: z.string(), name: z.string(), cameraIds: z.array(z.uuid()) });
export const groupCreate = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  name: z.string().min(1).max(100),
  cameraIds: z.array(z.uuid()).optional().default([]),
});
export const groupUpdate = z.strictObject({ name: z.string().min(1).max(100).optional(), cameraIds: z.array(z.uuid()).optional() });

export const approvalDto = z.object({
  id: z.uuid(),
  action: z
    .enum(['recording.export', 'privacy.unmask', 'access.grant', 'camera.manage', 'account.reset'])
    .describe(
      "access.grant: a sensitive grant; camera.manage: a change weakening a four-eyes site (details.change: site.fourEyesOff, camera.move, camera.retention, camera.minRetention, camera.subStreamRetention, camera.delete); account.reset: a reset of an account's password or second factors (identity.grantApproval).",
    ),
  cameraId: z.uuid().nullable().describe('The camera of an export, unmask or camera change; null for a grant, a site change or a reset.'),
  details: z.record(z.string(), z.unknown()),
  requestedBy: z.string(),
  requestedAt: isoTime,
  status: z.enum(['pending', 'approved', 'rejected', 'used', 'expired']),
  decidedBy: z.string().nullable(),
  decidedAt: isoTime.nullable(),
  expiresAt: isoTime,
  exportId: z.uuid().nullable().describe('The export started when an export request was approved.'),
  grantId: z.uuid().nullable().describe('The grant made when a grant request was approved.'),
  canDecide: z.boolean().describe('True when you may approve or reject it now: pending, not yours, and you hold its permission on its scope.'),
  enrolmentCode: z
    .string()
    .optional()
    .describe('Only in the answer that approves an account reset, shown once to the approver: the one-time code the user needs, with the password the requester set, to enrol a new second factor.'),
});

export const approvalDecision = z.strictObject({ approve: z.boolean(), reason: z.string().max(500).optional() });
export const approvalListQuery = z.strictObject({
  view: z
    .enum(['all', 'inbox', 'mine'])
    .default('all')
    .describe('all: requests you filed or could decide; inbox: pending requests you can decide now; mine: requests you filed.'),
});
export const approvalParams = z.strictObject({ id: z.uuid().describe('Approval request id') });
