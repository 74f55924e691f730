import { z } from 'zod';
import * as api from '../api/schemas.ts';
import { routeDefiner, type Route } from '../http/route.ts';
import { AppError } from '../lib/errors.ts';
import type { AuditContext } from './audit-event.ts';
import type { AuditReader } from './audit-reader.ts';
import type { AuditEventType } from './catalogue.ts';
import type { AuditLedger } from './ledger.ts';
import type { StoredCheckpoint } from './ledger.store.ts';

/**
 * The audit routes see only the audit context of a request; their `access` literals are checked
 * against the permissions where the route table is assembled (src/routes.ts), so audit/ stays
 * below access/.
 */
const defineRoute = routeDefiner<{ readonly audit: AuditContext }>();
type AuditRoute = Route<{ readonly audit: AuditContext }, 'audit.read' | 'public', AuditEventType>;

/** Dependencies of the audit routes. Route builders MUST NOT use them before a handler runs. */
export interface AuditRouteDeps {
  readonly ledger: AuditLedger;
  readonly auditReader: AuditReader;
}

const checkpointDto = (c: StoredCheckpoint): z.infer<typeof api.auditCheckpoint> => ({
  size: c.size,
  root: c.root.toString('base64'),
  signedAt: new Date(c.signedMs).toISOString(),
  note: c.note,
});

/**
 * The audit ledger over HTTP: events (querying is itself audited), signed checkpoints and their
 * history, the verifier key, and RFC 9162 proofs. The latest checkpoint and the key are public:
 * publishing them is what lets others (witnesses, SIEMs, courts) hold the log to its history.
 */
export function auditRoutes(deps: AuditRouteDeps): AuditRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit/events',
      access: 'audit.read',
      scope: 'global',
      audit: 'audit.events.read',
      summary: 'Query audit events by actor, type, camera and time',
      tag: 'audit',
      query: api.auditEventsQuery,
      response: { status: 200, schema: api.auditEventPage },
      handler: async ({ query, audit }) =>
        deps.auditReader.query(
          {
            limit: query.limit,
            ...(query.actor === undefined ? {} : { actorId: query.actor }),
            ...(query.type === undefined ? {} : { type: query.type }),
            ...(query.camera === undefined ? {} : { cameraId: query.camera }),
            ...(query.from === undefined ? {} : { fromMs: Date.parse(query.from) }),
            ...(query.to === undefined ? {} : { toMs: Date.parse(query.to) }),
            ...(query.after === undefined ? {} : { afterSeq: query.after }),
          },
          audit,
        ),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit/checkpoint',
      access: 'public',
      summary: 'The latest signed checkpoint (C2SP tlog-checkpoint signed note)',
      tag: 'audit',
      response: { status: 200, mediaType: 'text/plain' },
      handler: async ({ reply }) => {
        const latest = (await deps.ledger.latestCheckpoint()) ?? (await deps.ledger.checkpoint());
        if (latest === undefined) throw new AppError('NOT_FOUND', 'no checkpoint has been signed yet');
        await reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(latest.note);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit/key',
      access: 'public',
      summary: 'The verifier key of the checkpoints (C2SP vkey)',
      tag: 'audit',
      response: { status: 200, mediaType: 'text/plain' },
      handler: async ({ reply }) => {
        await reply.type('text/plain; charset=utf-8').send(`${deps.ledger.vkey}\n`);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit/checkpoints',
      access: 'audit.read',
      scope: 'global',
      summary: 'History of signed checkpoints, newest first',
      tag: 'audit',
      query: api.auditCheckpointsQuery,
      response: { status: 200, schema: z.array(api.auditCheckpoint) },
      handler: async ({ query }) => (await deps.ledger.checkpoints(query.limit, query.before)).map(checkpointDto),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit/events/:seq/proof',
      access: 'audit.read',
      scope: 'global',
      summary: 'C2SP tlog-proof bundle of one event against the latest checkpoint',
      tag: 'audit',
      params: api.seqParams,
      response: { status: 200, mediaType: 'text/plain' },
      handler: async ({ params, reply }) => {
        const { bundle } = await deps.ledger.proofBundle(params.seq);
        await reply.type('text/plain; charset=utf-8').send(bundle);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit/proof/inclusion',
      access: 'audit.read',
      scope: 'global',
      summary: 'RFC 9162 inclusion proof of a leaf in a tree size',
      tag: 'audit',
      query: api.inclusionQuery,
      response: { status: 200, schema: api.auditProof },
      handler: async ({ query }) => ({ hashes: (await deps.ledger.inclusionProof(query.seq, query.size)).map((h) => h.toString('base64')) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit/proof/consistency',
      access: 'audit.read',
      scope: 'global',
      summary: 'RFC 9162 consistency proof between two tree sizes',
      tag: 'audit',
      query: api.consistencyQuery,
      response: { status: 200, schema: api.auditProof },
      handler: async ({ query }) => ({ hashes: (await deps.ledger.consistencyProof(query.from, query.to)).map((h) => h.toString('base64')) }),
    }),
  ];
}
