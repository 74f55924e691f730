import * as api from '../api/schemas.ts';
import { routeDefiner, type Route } from './route.ts';

/** Public routes of the server itself: their handlers see no request context. */
const defineRoute = routeDefiner<object>();

/** What the system routes use from the running app. */
export interface SystemRouteDeps {
  /** Each part (database, recording index, audit ledger, keys, disk) with its current problems. */
  readonly health: { parts(): Promise<{ name: string; problems: string[] }[]> };
}

/**
 * Health and the API description. `/healthz` tells the truth (issue 12, item 5): 200
 * `{status:"ok"}` only when the database answers and has room, every recording index write and
 * every audit event is written, and the data directory's disk is not full; otherwise 503
 * `{status:"degraded", problems}` (the server still runs and records into the vault).
 */
export function systemRoutes(deps: { version: string; health: () => Promise<{ name: string; problems: string[] }[]>; openapi: () => unknown }): Route<object, 'public', never>[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/healthz',
      access: 'public',
      summary: 'Health: 200 when every part works, 503 with the problems when the database, the disk or the ledger cannot take writes or the master key provider does not answer',
      tag: 'system',
      response: { status: 200, schema: api.health },
      handler: async ({ reply }) => {
        const parts = await deps.health();
        const problems = parts.flatMap((part) => part.problems.map((p) => `${part.name}: ${p}`));
        const summary = parts.map((part) => ({ name: part.name, ok: part.problems.length === 0 }));
        if (problems.length === 0) return { status: 'ok' as const, version: deps.version, parts: summary };
        await reply.code(503).send({ status: 'degraded' as const, version: deps.version, problems, parts: summary });
        return undefined;
      },
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
