import type { Registry } from 'prom-client';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';

/** Dependencies of the metrics route. Route builders MUST NOT use them before a handler runs. */
export interface MetricsRouteDeps {
  readonly metrics: Registry;
}

/** Prometheus scrape endpoint. */
export function metricsRoutes(deps: MetricsRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/metrics',
      access: 'camera.read',
      scope: 'global',
      summary: 'Prometheus metrics: per-camera recording counters and process metrics',
      tag: 'system',
      response: { status: 200, mediaType: 'text/plain' },
      handler: async ({ reply }) => {
        const text = await deps.metrics.metrics();
        await reply.type(deps.metrics.contentType).header('cache-control', 'no-store').send(text);
        return undefined;
      },
    }),
  ];
}
