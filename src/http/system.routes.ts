import * as api from '../api/schemas.ts';
import { defineRoute, type RouteSpec } from './route.ts';

/** Health and the API description. */
export function systemRoutes(deps: { version: string; openapi: () => unknown }): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/healthz',
      access: 'public',
      summary: 'Liveness: the server answers',
      tag: 'system',
      response: { status: 200, schema: api.health },
      handler: async () => ({ status: 'ok' as const, version: deps.version }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/openapi.json',
      access: 'public',
      summary: 'This OpenAPI document',
      tag: 'system',
      response: { status: 200, mediaType: 'application/json' },
      handler: async () => deps.openapi(),
    }),
  ];
}
