import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import type { ResidencyReport } from './residency-report.ts';

/** Dependencies of the residency route. Route builders MUST NOT use them before a handler runs. */
export interface ResidencyRouteDeps {
  /** Builds the "where is every byte" report now. */
  readonly residencyReport: () => Promise<ResidencyReport>;
}

const locationView = z
  .object({
    kind: z.string().describe('data-dir, database, key-provider, identity-provider; storage-zone, siem-destination, webhook once those modules are merged.'),
    id: z.string(),
    jurisdiction: z.string().nullable().describe('ISO 3166-1 alpha-2 country code as declared; null: not declared.'),
    declaredBy: z.string().describe('The configuration key that declares it.'),
    detail: z.string().describe('A path, host or token label; never a credential.'),
    outbound: z.boolean().describe('True for places data is sent to.'),
    allowed: z.boolean().nullable().describe('Whether residency.allowed admits it; null when residency is not enforced.'),
  })
  .describe('A place that keeps or receives data.');

const residencyReport = z
  .object({
    generatedAt: z.string(),
    allowed: z.array(z.string()).describe('residency.allowed (country codes, EU).'),
    enforced: z.boolean(),
    violations: z.array(z.string()).describe('One line per location outside the allowed list or undeclared (a running server has none: it refuses to start).'),
    database: locationView,
    auditLog: locationView,
    keyProvider: locationView,
    cameras: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        footage: z.array(
          z.object({
            zone: z.string().describe('Storage holding it: local = the data directory.'),
            stream: z.enum(['main', 'sub']).describe('Which recorded stream: sub = the recorded sub-stream (dual recording, ADR 0043).'),
            kind: z.string(),
            jurisdiction: z.string().nullable(),
            segments: z.number().int(),
            bytes: z.number().int(),
            from: z.string().nullable(),
            to: z.string().nullable(),
          }),
        ),
        keys: z.object({ masterKey: locationView, dataKeys: locationView }).describe('The master key (key provider) and the wrapped data keys (database).'),
      }),
    ),
    outbound: z.array(locationView).describe('Identity providers, SIEM destinations, webhooks.'),
    locations: z.array(locationView),
  })
  .describe('Where every byte is: per camera the storage and jurisdiction of its footage and keys; the database, the audit log and every outbound destination.');

/** The residency report over HTTP. */
export function residencyRoutes(deps: ResidencyRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/residency/report',
      access: 'audit.read',
      scope: 'global',
      summary: '"Where is every byte": footage, keys, database, audit log and outbound destinations with their jurisdictions',
      tag: 'system',
      response: { status: 200, schema: residencyReport },
      handler: async () => deps.residencyReport(),
    }),
  ];
}
