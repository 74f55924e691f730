import { z } from 'zod';
import { errorCodes } from '../lib/errors.ts';
import type { RouteSpec } from './route.ts';

const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details with a stable `code` and the request `correlationId`.',
  required: ['type', 'title', 'status', 'detail', 'code', 'instance', 'correlationId'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: Object.keys(errorCodes) },
    instance: { type: 'string' },
    correlationId: { type: 'string' },
  },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

/**
 * Builds the OpenAPI 3.1 document from the route table. Each operation carries
 * `x-custos-permission`, the permission the route declares. The committed copy is
 * docs/reference/openapi.json (npm run openapi); a test fails on drift.
 */
export function buildOpenApi(routes: readonly RouteSpec[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    if (route.tag === 'web') continue;
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', route.params],
      ['query', route.query],
    ] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s });
      }
    }
    const success: Record<string, unknown> = { description: route.summary };
    if (route.response.schema) success.content = { 'application/json': { schema: jsonSchema(route.response.schema, 'output') } };
    else if (route.response.mediaType) success.content = { [route.response.mediaType]: {} };
    const operation: Record<string, unknown> = {
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: route.summary,
      tags: [route.tag],
      'x-custos-permission': route.access,
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
      responses: {
        [String(route.response.status)]: success,
        default: { description: 'An error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    };
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Custos API',
      version,
      description: 'Custos video management system. Errors are RFC 9457 problem+json; every operation names its permission in x-custos-permission.',
    },
    paths,
    components: { schemas: { Problem: problemSchema } },
  };
}
