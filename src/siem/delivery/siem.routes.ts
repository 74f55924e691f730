import { z } from 'zod';
import { routeDefiner, type Route } from '../../http/route.ts';
import { AppError } from '../../lib/errors.ts';
import type { SiemDeadLetter } from './siem-delivery.store.ts';
import type { DestinationStatus } from './shipper.ts';

/**
 * SIEM destinations over HTTP: their progress and dead letters, never a secret (configuration
 * values that are secrets show as `[redacted]`). The `access` literal is checked against the
 * permissions where the route table is assembled (src/routes.ts).
 */
const defineRoute = routeDefiner<object>();

/** What the routes read (the running SiemShipper). */
export interface SiemRouteDeps {
  readonly siem: {
    status(): Promise<DestinationStatus[]>;
    deadLetters(id: string, limit: number): Promise<SiemDeadLetter[] | undefined>;
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const destination = z
  .object({
    id: z.string(),
    kind: z.string(),
    jurisdiction: z.string(),
    enabled: z.boolean(),
    config: z.record(z.string(), z.unknown()).describe('The configuration of the destination, secrets shown as [redacted].'),
    nextSeq: z.number().describe('The next leaf index to ship (the durable cursor).'),
    lag: z.number().describe('Committed events at or past the cursor, not yet shipped.'),
    sent: z.number(),
    failed: z.number().describe('Failed attempts (each retried).'),
    deadLetters: z.number().describe('Events refused for good and kept as dead letters.'),
    lastSuccessAt: z.string().nullable(),
    lastError: z.string().nullable(),
    failingSince: z.string().nullable(),
    alarmed: z.boolean().describe('The siem-destination-failing alarm was raised in the current failure.'),
    heartbeats: z.boolean().describe('Whether this kind of destination receives heartbeats.'),
    lastHeartbeatAt: z.string().nullable(),
  })
  .describe('A SIEM destination and its delivery progress.');

const deadLetter = z.object({ seq: z.number(), eventId: z.string(), reason: z.string(), at: z.string() });

export function siemRoutes(deps: SiemRouteDeps): Route<object, 'audit.read', never>[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit/destinations',
      access: 'audit.read',
      scope: 'global',
      summary: 'SIEM destinations with lag, sent, failed, dead letters and last success (no secrets)',
      tag: 'audit',
      response: { status: 200, schema: z.object({ destinations: z.array(destination) }) },
      handler: async () => ({
        destinations: (await deps.siem.status()).map((s) => ({
          id: s.id,
          kind: s.kind,
          jurisdiction: s.jurisdiction,
          enabled: s.enabled,
          config: s.config,
          nextSeq: s.nextSeq,
          lag: s.lag,
          sent: s.sent,
          failed: s.failed,
          deadLetters: s.deadLetters,
          lastSuccessAt: iso(s.lastSuccessMs),
          lastError: s.lastError,
          failingSince: iso(s.failingSinceMs),
          alarmed: s.alarmed,
          heartbeats: s.heartbeats,
          lastHeartbeatAt: iso(s.lastHeartbeatMs),
        })),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit/destinations/:id/dead-letters',
      access: 'audit.read',
      scope: 'global',
      summary: 'Events a SIEM destination refused for good (oldest first)',
      tag: 'audit',
      params: z.object({ id: z.string().max(63) }),
      query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      response: { status: 200, schema: z.object({ deadLetters: z.array(deadLetter) }) },
      handler: async ({ params, query }) => {
        const letters = await deps.siem.deadLetters(params.id, query.limit);
        if (letters === undefined) throw new AppError('NOT_FOUND', 'no such SIEM destination');
        return { deadLetters: letters.map((d) => ({ seq: d.seq, eventId: d.eventId, reason: d.reason, at: new Date(d.timeMs).toISOString() })) };
      },
    }),
  ];
}
