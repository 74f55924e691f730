import { z } from 'zod';
import * as api from '../api/identity.schemas.ts';
import { grantDto } from '../access/access.routes.ts';
import type { ApprovalsService } from '../approvals/approvals.service.ts';
import type { GrantsService } from '../access/grants.service.ts';
import { defineRoute, type RouteSpec } from './request-context.ts';
import { AppError } from '../lib/errors.ts';
import type { AccountResets } from './account-resets.ts';
import { ownerHolds, type ApiTokens } from './api-tokens.ts';
import type { StoredToken } from './api-token.ts';
import type { Authenticator } from './authenticator.ts';
import type { Sessions } from './sessions.ts';
import type { User } from './user.ts';
import type { UsersService } from './users.service.ts';

/** Dependencies of the user and token routes. Route builders MUST NOT use them before a handler runs. */
export interface UserRouteDeps {
  readonly users: UsersService;
  readonly grants: GrantsService;
  readonly sessions: Sessions;
  readonly tokens: ApiTokens;
  readonly authenticator: Authenticator;
  readonly resets: AccountResets;
  readonly approvals: ApprovalsService;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The wire form of a user (never the password hash). */
export function userDto(u: User): z.infer<typeof api.userDto> {
  return { id: u.id, username: u.username, displayName: u.displayName, kind: u.kind, provider: u.provider, external: u.external, expiresAt: iso(u.expiresMs), disabled: u.disabled, createdBy: u.createdBy, createdAt: new Date(u.createdMs).toISOString(), resetAt: iso(u.resetMs) };
}

function tokenDto(t: StoredToken): z.infer<typeof api.tokenDto> {
  return { id: t.id, name: t.name, permissions: t.permissions, createdAt: new Date(t.createdMs).toISOString(), expiresAt: new Date(t.expiresMs).toISOString(), lastUsedAt: iso(t.lastUsedMs), revoked: t.revokedMs !== null };
}

/** Users (user.manage) and one's own API tokens (self). */
export function userRoutes(deps: UserRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/users',
      access: 'user.manage',
      scope: 'global',
      summary: 'List users',
      tag: 'users',
      response: { status: 200, schema: z.array(api.userDto) },
      handler: async () => (await deps.users.list()).map(userDto),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/users',
      access: 'user.manage',
      scope: 'global',
      audit: 'account.created',
      summary: 'Create a local user (no grants yet: grant roles separately)',
      tag: 'users',
      body: api.userCreate,
      response: { status: 201, schema: api.userDto },
      handler: async ({ body, audit }) =>
        userDto(await deps.users.create({ username: body.username, displayName: body.displayName, password: body.password, external: body.external, expiresMs: body.expiresAt ? Date.parse(body.expiresAt) : null }, audit)),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/users/:id',
      access: 'user.manage',
      scope: 'global',
      summary: 'A user and their grants',
      tag: 'users',
      params: api.userParams,
      response: { status: 200, schema: api.userDto.extend({ grants: z.array(api.grantDto) }) },
      handler: async ({ params }) => ({ ...userDto(await deps.users.get(params.id)), grants: (await deps.grants.ofUser(params.id)).map(grantDto) }),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/users/:id',
      access: 'user.manage',
      scope: 'global',
      audit: 'account.disabled',
      summary:
        'Disable or enable a user, or reset their password or second factors (factors removed, sessions and tokens ended, a one-time enrolment code issued); a reset waits for a second administrator (APPROVAL_REQUIRED) unless identity.grantApproval is none',
      tag: 'users',
      params: api.userParams,
      body: api.userUpdate,
      response: { status: 200, schema: api.userUpdated },
      handler: async ({ params, body, audit, principal }) => {
        if (principal?.userId === params.id) throw new AppError('SELF_APPROVAL', 'change your own account through /api/v1/auth (password, factors), not the user administration');
        const user = await deps.users.get(params.id);
        if (body.password !== undefined || body.resetFactors === true) {
          if (body.disabled !== undefined) throw new AppError('VALIDATION_FAILED', 'disable or enable an account and reset it in separate requests', { field: 'disabled' });
          const passwordHash = await deps.resets.prepare(user, body.password ?? null);
          if (principal && deps.resets.needsApproval) {
            // Four-eyes: the requester sets the password, the approver receives the enrolment code.
            const details = { userId: user.id, username: user.username, password: passwordHash !== null, factors: true, passwordHash };
            const approval = await deps.approvals.request('account.reset', null, details, principal, audit);
            throw new AppError('APPROVAL_REQUIRED', `resetting ${user.username} needs a second administrator's approval; the request is filed`, { approvalId: approval.id });
          }
          const done = await deps.resets.apply(user, passwordHash, audit, null);
          return { ...userDto(done.user), enrolmentCode: done.enrolmentCode };
        }
        if (body.disabled === undefined) return userDto(user);
        const updated = await deps.users.setDisabled(user, body.disabled, audit);
        if (body.disabled) await deps.sessions.endAll(user.id);
        return userDto(updated);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/auth/tokens',
      access: 'self',
      summary: 'Your API tokens',
      tag: 'auth',
      response: { status: 200, schema: z.array(api.tokenDto) },
      handler: async ({ principal }) => (await deps.tokens.ofUser(principal!.userId)).map(tokenDto),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      access: 'self',
      audit: 'auth.token.created',
      summary: 'Create an API token with some of your permissions; the secret is shown once',
      tag: 'auth',
      body: api.tokenCreate,
      response: { status: 201, schema: api.tokenCreated },
      handler: async ({ body, audit, principal }) => {
        const p = principal!;
        // A token cannot mint tokens: only a person in a session (with MFA where required) can.
        if (p.via === 'token') throw new AppError('FORBIDDEN', 'API tokens are created from a login session or with the CLI');
        const { token, secret } = await deps.tokens.create(p.userId, ownerHolds(p), body, audit);
        return { ...tokenDto(token), token: secret };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/auth/tokens/:id',
      access: 'self',
      audit: 'auth.token.revoked',
      summary: 'Revoke one of your API tokens',
      tag: 'auth',
      params: api.tokenParams,
      response: { status: 204 },
      handler: async ({ params, audit, principal }) => {
        await deps.tokens.revoke(params.id, principal!.userId, audit);
        return undefined;
      },
    }),
  ];
}
