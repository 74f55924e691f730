import { z } from 'zod';
import * as api from '../api/identity.schemas.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import type { SitesService } from './sites.service.ts';

/** Dependencies of the site and group routes. Route builders MUST NOT use them before a handler runs. */
export interface SiteRouteDeps {
  readonly sites: SitesService;
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
      summary: 'Rename a site or switch its four-eyes rule',
      tag: 'access',
      params: api.siteParams,
      body: api.siteUpdate,
      response: { status: 200, schema: api.siteDto },
      handler: async ({ params, body, audit }) => deps.sites.updateSite(params.id, body, audit),
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
