import { z } from 'zod';
import * as api from '../api/identity.schemas.ts';
import { defineRoute, type RouteSpec } from './request-context.ts';
import { AppError } from '../lib/errors.ts';
import type { SitesService } from './sites.service.ts';
import type { GrantsService } from './grants.service.ts';
import type { AuditContext } from '../audit/audit-event.ts';
import type { Principal } from './principal.ts';
import type { CameraGroup } from './site.ts';

/** Dependencies of the site and group routes. Route builders MUST NOT use them before a handler runs. */
export interface SiteRouteDeps {
  readonly sites: SitesService;
  readonly grants: GrantsService;
}

/**
 * Files switching a site's four-eyes rule off for a second person's approval and throws
 * APPROVAL_REQUIRED (approvals/sensitive-change.ts, bound in src/routes.ts).
 */
export type FourEyesOffRequest = (siteId: string, requester: Principal, by: AuditContext) => Promise<never>;

/** Sites (with their four-eyes rule) and camera groups: the scopes of grants. */
export function siteRoutes(deps: SiteRouteDeps, requestFourEyesOff: FourEyesOffRequest): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/sites',
      access: 'camera.read',
      summary: 'List sites',
      tag: 'access',
      response: { status: 200, schema: z.array(api.siteDto) },
      handler: async () => deps.sites.sites(),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/sites',
      access: 'camera.manage',
      scope: 'global',
      audit: 'site.saved',
      summary: 'Create a site',
      tag: 'access',
      body: api.siteCreate,
      response: { status: 201, schema: api.siteDto },
      handler: async ({ body, audit }) => deps.sites.createSite(body, audit),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/sites/:id',
      access: 'camera.manage',
      scope: 'global',
      audit: 'site.saved',
      summary: 'Rename a site or switch its four-eyes rule (switching it off waits for a second person: APPROVAL_REQUIRED)',
      tag: 'access',
      params: api.siteParams,
      body: api.siteUpdate,
      response: { status: 200, schema: api.siteDto },
      handler: async ({ params, body, audit, principal }) => {
        const current = await deps.sites.site(params.id);
        if (principal && current.fourEyes && body.fourEyes === false) {
          if (body.name !== undefined && body.name !== current.name) throw new AppError('VALIDATION_FAILED', 'switching four-eyes off needs a second person\'s approval: send it alone, without name', { field: 'name' });
          return requestFourEyesOff(current.id, principal, audit);
        }
        return deps.sites.updateSite(params.id, body, audit);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/groups',
      access: 'camera.read',
      summary: 'List camera groups',
      tag: 'access',
      response: { status: 200, schema: z.array(api.groupDto) },
      handler: async () => deps.sites.groups(),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/groups',
      access: 'camera.manage',
      scope: 'global',
      audit: 'group.saved',
      summary: 'Create a camera group',
      tag: 'access',
      body: api.groupCreate,
      response: { status: 201, schema: api.groupDto },
      handler: async ({ body, audit, principal }) => saveGroup(deps, body.id, body, audit, principal !== null, true),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/groups/:id',
      access: 'camera.manage',
      scope: 'global',
      audit: 'group.saved',
      summary: 'Rename a camera group or replace its members',
      tag: 'access',
      params: api.siteParams,
      body: api.groupUpdate,
      response: { status: 200, schema: api.groupDto },
      handler: async ({ params, body, audit, principal }) => saveGroup(deps, params.id, body, audit, principal !== null, false),
    }),
  ];
}

/**
 * Saves a group. Through the API (`byPerson`) new members MUST NOT bring a four-eyes camera
 * under an ordinary footage grant on the group (GrantsService.assertNoNewFourEyesReach).
 */
async function saveGroup(deps: SiteRouteDeps, id: string, fields: { name?: string | undefined; cameraIds?: readonly string[] | undefined }, by: AuditContext, byPerson: boolean, create: boolean): Promise<CameraGroup> {
  const members = fields.cameraIds;
  if (!byPerson || members === undefined) return deps.sites.saveGroup(id, fields, by, create);
  return deps.grants.exclusive(async () => {
    await deps.grants.assertNoNewFourEyesReach((p) => {
      const others = p.groupIds.filter((g) => g !== id);
      return { ...p, groupIds: members.includes(p.id) ? [...others, id] : others };
    });
    return deps.sites.saveGroup(id, fields, by, create);
  });
}
