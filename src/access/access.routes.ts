import { z } from 'zod';
import * as api from '../api/identity.schemas.ts';
import { defineRoute, type RouteSpec } from './request-context.ts';
import { AppError } from '../lib/errors.ts';
import { accessRegister, registerCsv, type RegisterUser } from './access-register.ts';
import type { FourEyesRequests } from './four-eyes-requests.ts';
import type { Grantee, GrantsService } from './grants.service.ts';
import type { Grant } from './grant.ts';
import type { Roles } from './roles.ts';
import { scopeText } from './scope.ts';

/** Dependencies of the access routes. Route builders MUST NOT use them before a handler runs. */
export interface AccessRouteDeps {
  readonly grants: GrantsService;
  readonly approvals: FourEyesRequests;
  readonly users: GrantUsers;
  readonly roles: Roles;
}

/** The accounts grants are made to and the register lists (identity's UsersService). */
export interface GrantUsers {
  get(id: string): Promise<Grantee & RegisterUser>;
  list(): Promise<readonly RegisterUser[]>;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The wire form of a grant. */
export function grantDto(g: Grant): z.infer<typeof api.grantDto> {
  return { id: g.id, userId: g.userId, role: g.role, scope: scopeText(g.scope), grantedBy: g.grantedBy, grantedAt: new Date(g.grantedMs).toISOString(), expiresAt: iso(g.expiresMs), source: g.source };
}

/** Roles, grants and the access-rights register. */
export function accessRoutes(deps: AccessRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/access/roles',
      access: 'self',
      summary: 'The roles, their permissions and whether they require MFA',
      tag: 'access',
      response: { status: 200, schema: z.array(api.roleDto) },
      handler: async () => deps.roles.list().map((r) => ({ name: r.name, description: r.description, permissions: [...r.permissions].sort(), mfa: r.mfa })),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/access/grants',
      access: 'user.manage',
      scope: 'global',
      summary: 'Every grant not revoked',
      tag: 'access',
      response: { status: 200, schema: z.array(api.grantDto) },
      handler: async () => (await deps.grants.all()).map(grantDto),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/access/grants',
      access: 'user.manage',
      scope: 'global',
      audit: 'access.grant.created',
      summary: 'Grant a role on a scope to a user (never to yourself; external users need an expiry); a sensitive role, or playback, export or unmasking on a scope covering a four-eyes site, waits for a second administrator (APPROVAL_REQUIRED)',
      tag: 'access',
      body: api.grantCreate,
      response: { status: 201, schema: api.grantDto },
      handler: async ({ body, audit, principal }) => {
        const user = await deps.users.get(body.userId);
        const request = { role: body.role, scope: body.scope, expiresMs: body.expiresAt ? Date.parse(body.expiresAt) : null };
        const by = { audit, userId: principal?.userId ?? null };
        // Judged and made alone: a camera joining the scope meanwhile would make it sensitive.
        return deps.grants.exclusive(async () => {
          if (principal && (await deps.grants.needsApproval(body.role, body.scope))) {
            // Four-eyes: refused now if any rule forbids it, otherwise filed for a second person.
            await deps.grants.check(user, request, by);
            const approval = await deps.approvals.request('access.grant', null, { userId: user.id, username: user.username, ...request }, principal, audit);
            throw new AppError('APPROVAL_REQUIRED', `granting ${body.role} needs a second administrator's approval; the request is filed`, { approvalId: approval.id });
          }
          return grantDto(await deps.grants.grant(user, request, by));
        });
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/access/grants/:id',
      access: 'user.manage',
      scope: 'global',
      audit: 'access.grant.revoked',
      summary: 'Revoke a grant',
      tag: 'access',
      params: api.grantParams,
      response: { status: 204 },
      handler: async ({ params, audit, principal }) => {
        await deps.grants.revoke(params.id, { audit, userId: principal?.userId ?? null });
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/access/register',
      access: 'audit.read',
      scope: 'global',
      summary: 'The access-rights register: who holds which role on which scope, granted by whom, when, until when (JSON or CSV)',
      tag: 'access',
      query: api.registerQuery,
      response: { status: 200, schema: z.array(api.registerRow) },
      handler: async ({ query, reply }) => {
        const rows = accessRegister(await deps.users.list(), await deps.grants.all(), deps.roles);
        if (query.format !== 'csv') return rows;
        await reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="custos-access-register.csv"').send(registerCsv(rows));
        return undefined;
      },
    }),
  ];
}

/** NOT_FOUND unless `value` is set: keeps "missing" and "not yours" alike. */
export function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new AppError('NOT_FOUND', `no such ${what}`);
  return value;
}
