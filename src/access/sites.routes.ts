import { z } from 'zod';
import * as api from '../api/identity.schemas.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { AppError } from '../lib/errors.ts';
import type { ApprovalsService } from './approvals.service.ts';
import { requestSensitiveChange } from './sensitive-change.ts';
import type { SitesService } from './sites.service.ts';

/** Dependencies of the site and group routes. Route builders MUST NOT use them before a handler runs. */
export interface SiteRouteDeps {
  readonly sites: SitesService;
  readonly approvals: ApprovalsService;
}

/** Sites (with their four-eyes rule) and camera groups: the scopes of grants. */
export function siteRoutes(deps: SiteRouteDeps): RouteSpec[] {
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
          return requestSensitiveChange(deps.approvals, { change: 'site.fourEyesOff', siteId: current.id }, principal, audit);
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
      handler: async ({ body, audit }) => deps.sites.saveGroup(body.id, body, audit, true),
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
      handler: async ({ params, body, audit }) => deps.sites.saveGroup(params.id, body, audit, false),
    }),
  ];
}
