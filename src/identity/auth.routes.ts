import type { FastifyReply } from 'fastify';
import { type z } from 'zod';
import * as api from '../api/identity.schemas.ts';
import type { GrantsService } from '../access/grants.service.ts';
import type { AuditContext } from '../audit/audit-event.ts';
import type { Principal } from '../access/principal.ts';
import { scopeText } from '../access/scope.ts';
import { defineRoute, type RouteSpec } from './request-context.ts';
import { clearSessionCookie, sessionCookie } from './session-cookie.ts';
import { AppError } from '../lib/errors.ts';
import type { Authenticator } from './authenticator.ts';
import type { FactorStore } from './factors.ts';
import type { LoginResult, LoginService, LoginStage } from './login.service.ts';
import type { Enrolled, MfaEnrolment } from './mfa-enrolment.ts';
import type { OpenSession, Sessions } from './sessions.ts';
import type { StoredSession } from './session.ts';
import type { SetupTokens } from './setup-token.ts';
import type { UsersService } from './users.service.ts';

/** Dependencies of the authentication routes. Route builders MUST NOT use them before a handler runs. */
export interface AuthRouteDeps {
  readonly login: LoginService;
  readonly enrolment: MfaEnrolment;
  readonly users: UsersService;
  readonly sessions: Sessions;
  readonly setup: SetupTokens;
  readonly grants: GrantsService;
  readonly authenticator: Authenticator;
  readonly factors: FactorStore;
  /** SSO providers to list on the login page. */
  readonly ssoProviders: () => { oidc: { id: string; name: string }[]; saml: { id: string; name: string }[] };
}

/** Sets the session cookie and answers with the login step's result. */
export function sendLogin(reply: FastifyReply, result: { open: OpenSession; stage: LoginStage; user: LoginResult['user'] }): z.infer<typeof api.loginResult> {
  void reply.header('set-cookie', sessionCookie(result.open.token));
  return { stage: result.stage, user: { id: result.user.id, username: result.user.username, displayName: result.user.displayName }, csrfToken: result.open.session.csrf };
}

/** Sets the rotated session's cookie and answers with a finished enrolment. */
function sendEnrolled(reply: FastifyReply, done: Enrolled): z.infer<typeof api.enrolled> {
  void reply.header('set-cookie', sessionCookie(done.open.token));
  return { stage: 'complete' as const, csrfToken: done.open.session.csrf, recoveryCodes: done.recoveryCodes };
}

const need = <T>(value: T | null, what: string): T => {
  if (value === null) throw new AppError('UNAUTHENTICATED', `${what} needs a login session (not a bearer token)`);
  return value;
};

/** Login, second factors, enrolment, logout, password change and first-run setup. */
export function authRoutes(deps: AuthRouteDeps): RouteSpec[] {
  const logoutRoute = (url: string, access: 'session' | 'self', summary: string, everywhere: boolean) =>
    defineRoute({
      method: 'POST',
      url,
      access,
      audit: 'auth.logout',
      summary,
      tag: 'auth',
      response: { status: 204 },
      handler: async ({ session, audit, reply }) => {
        await deps.login.logout(need(session, 'logout'), audit, everywhere);
        void reply.header('set-cookie', clearSessionCookie());
        return undefined;
      },
    });
  const pending = (session: StoredSession | null) => need(session, 'a second factor');
  /** A second-factor step that takes a code (TOTP, recovery code). */
  const codeRoute = (url: string, summary: string, verify: (session: StoredSession, code: string, audit: AuditContext) => Promise<LoginResult>) =>
    defineRoute({
      method: 'POST',
      url,
      access: 'session',
      audit: 'auth.login.succeeded',
      summary,
      tag: 'auth',
      body: api.codeBody,
      response: { status: 200, schema: api.loginResult },
      handler: async ({ body, audit, reply, session }) => sendLogin(reply, await verify(pending(session), body.code, audit)),
    });
  const userOf = (principal: Principal | null) => deps.users.get(need(principal, 'this').userId);
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/auth/providers',
      access: 'public',
      summary: 'How to sign in here: SSO providers, and whether first-run setup is pending',
      tag: 'auth',
      response: { status: 200, schema: api.providers },
      handler: async () => ({ setupRequired: (await deps.users.count()) === 0, ...deps.ssoProviders() }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/setup',
      access: 'public',
      audit: 'account.created',
      summary: 'Create the first administrator with the one-time setup token (only while no user exists)',
      tag: 'auth',
      body: api.setupBody,
      response: { status: 200, schema: api.loginResult },
      handler: async ({ body, audit, reply }) => {
        // A rejected password must not use up the one-time token: check everything first.
        if ((await deps.users.count()) === 0) await deps.users.assertAcceptable(body.username, body.password);
        if ((await deps.users.count()) > 0 || !(await deps.setup.consume(body.setupToken))) {
          throw new AppError('FORBIDDEN', 'setup is closed or the setup token is not valid');
        }
        const setupCtx = { ...audit, actor: { kind: 'system' as const, id: 'system:setup' } };
        const user = await deps.users.create({ username: body.username, displayName: body.displayName, password: body.password }, setupCtx);
        await deps.grants.grant(user, { role: 'admin', scope: 'global' }, { audit: setupCtx, userId: null });
        return sendLogin(reply, await deps.login.password(body.username, body.password, audit));
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/login',
      access: 'public',
      audit: 'auth.login.succeeded',
      summary: 'Sign in with user name and password (then a second factor when the stage says so)',
      tag: 'auth',
      body: api.passwordLogin,
      response: { status: 200, schema: api.loginResult },
      handler: async ({ body, audit, reply }) => sendLogin(reply, await deps.login.password(body.username, body.password, audit)),
    }),
    codeRoute('/api/v1/auth/totp/verify', 'Second factor: a TOTP code', (session, code, audit) => deps.login.totp(session, code, audit)),
    codeRoute('/api/v1/auth/recovery/verify', 'Second factor: a single-use recovery code', (session, code, audit) => deps.login.recoveryCode(session, code, audit)),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/passkey/options',
      access: 'public',
      summary: 'Options for a passkey assertion: a login, or the second factor of the current session',
      tag: 'auth',
      response: { status: 200, schema: api.passkeyOptions },
      handler: async ({ session, audit }) => (await deps.login.passkeyOptions(session, audit)) as { challengeId: string; options: Record<string, unknown> },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/passkey/verify',
      access: 'public',
      audit: 'auth.login.succeeded',
      summary: 'Sign in with a passkey, or complete the second factor with one',
      tag: 'auth',
      body: api.passkeyAssertion,
      response: { status: 200, schema: api.loginResult },
      handler: async ({ body, audit, reply, session }) => sendLogin(reply, await deps.login.passkey(body.challengeId, body.response, session, audit)),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/totp/enrol',
      access: 'session',
      summary: 'Start TOTP enrolment: secret, otpauth URI and QR code',
      tag: 'auth',
      response: { status: 200, schema: api.totpEnrolment },
      handler: async ({ principal, session }) => deps.enrolment.beginTotp(await userOf(principal), pending(session)),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/totp/confirm',
      access: 'session',
      audit: 'auth.mfa.enrolled',
      summary: 'Confirm TOTP enrolment with a first code; returns recovery codes once',
      tag: 'auth',
      body: api.codeBody,
      response: { status: 200, schema: api.enrolled },
      handler: async ({ principal, session, body, audit, reply }) => sendEnrolled(reply, await deps.enrolment.confirmTotp(await userOf(principal), pending(session), body.code, audit)),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/passkey/register/options',
      access: 'session',
      summary: 'Options to register a passkey',
      tag: 'auth',
      response: { status: 200, schema: api.passkeyOptions },
      handler: async ({ principal, session }) => (await deps.enrolment.passkeyOptions(await userOf(principal), pending(session))) as { challengeId: string; options: Record<string, unknown> },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/passkey/register',
      access: 'session',
      audit: 'auth.mfa.enrolled',
      summary: 'Register a passkey; returns recovery codes once when it is the first factor',
      tag: 'auth',
      body: api.passkeyRegistration,
      response: { status: 200, schema: api.enrolled },
      handler: async ({ principal, session, body, audit, reply }) =>
        sendEnrolled(reply, await deps.enrolment.registerPasskey(await userOf(principal), pending(session), body.challengeId, body.response, body.name, audit)),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/auth/me',
      access: 'session',
      summary: 'Who you are, how far your login got, your factors, grants and permissions',
      tag: 'auth',
      response: { status: 200, schema: api.me },
      handler: async ({ principal, session }) => {
        const p = need(principal, 'this');
        const user = await deps.users.get(p.userId);
        const [totp, passkeys, left] = await Promise.all([deps.factors.totp(p.userId), deps.factors.passkeys(p.userId), deps.factors.unusedRecoveryCodes(p.userId)]);
        const stage: LoginStage = !p.mfaRequired || p.mfaSatisfied ? 'complete' : p.hasFactor ? 'second-factor' : 'enrol';
        const perms = new Set<string>();
        const byScope = new Map<string, Set<string>>();
        for (const g of p.grants) {
          const here = byScope.get(scopeText(g.scope)) ?? new Set<string>();
          byScope.set(scopeText(g.scope), here);
          for (const perm of g.permissions) {
            if (p.limit && !p.limit.has(perm)) continue;
            perms.add(perm);
            here.add(perm);
          }
        }
        const complete = stage === 'complete';
        return {
          user: { id: user.id, username: user.username, displayName: user.displayName },
          via: p.via,
          stage,
          csrfToken: session?.csrf ?? null,
          factors: { totp: (totp?.confirmedMs ?? null) !== null, passkeys: passkeys.length, recoveryCodesLeft: left },
          permissions: complete ? [...perms].sort() : [],
          grants: p.grants.map((g) => ({ role: g.role, scope: scopeText(g.scope) })),
          permissionsByScope: complete ? [...byScope].filter(([, set]) => set.size > 0).map(([scope, set]) => ({ scope, permissions: [...set].sort() })).sort((a, b) => a.scope.localeCompare(b.scope)) : [],
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/auth/session',
      access: 'session',
      summary: 'When this login session ends: idle and absolute deadlines (send X-Custos-Background: 1 so asking is not use)',
      tag: 'auth',
      response: { status: 200, schema: api.sessionStatus },
      handler: ({ session }) => {
        const { idleEndsMs, absoluteEndsMs, idleMs, nowMs } = deps.sessions.deadlines(need(session, 'this'));
        const iso = (ms: number) => new Date(ms).toISOString();
        return Promise.resolve({ idleTimeoutSeconds: Math.round(idleMs / 1000), idleEndsAt: iso(idleEndsMs), absoluteEndsAt: iso(absoluteEndsMs), secondsLeft: Math.max(0, Math.floor((idleEndsMs - nowMs) / 1000)) });
      },
    }),
    logoutRoute('/api/v1/auth/logout', 'session', 'End this session', false),
    logoutRoute('/api/v1/auth/logout-everywhere', 'self', 'End every session of your account', true),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/password',
      access: 'self',
      audit: 'account.password.changed',
      summary: 'Change your password (throttled like a login); your other sessions end and this one rotates',
      tag: 'auth',
      body: api.passwordChange,
      response: { status: 200, schema: api.loginResult },
      handler: async ({ session, body, audit, reply }) =>
        sendLogin(reply, await deps.login.changePassword(need(session, 'a password change'), body.currentPassword, body.newPassword, audit)),
    }),
  ];
}
