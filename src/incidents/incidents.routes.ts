import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import { AppError } from '../lib/errors.ts';
import type { CandidatesService } from './candidates.service.ts';
import type { Candidate } from './candidate.ts';
import { clockIds } from './clocks.ts';
import { incidentFields, incidentUpdate, newIncident, type Incident } from './incident.ts';
import type { IncidentsService } from './incidents.service.ts';
import { reportStages } from './report-stages.ts';
import type { ReportsService } from './reports.service.ts';

/** Dependencies of the incident routes. Route builders MUST NOT use them before a handler runs. */
export interface IncidentRouteDeps {
  readonly incidents: IncidentsService;
  readonly candidates: CandidatesService;
  readonly reports: ReportsService;
}

const idParams = z.strictObject({ id: z.uuid().describe('Incident id') });
const candidateParams = z.strictObject({ id: z.uuid().describe('Candidate id') });

const clockDto = z.object({
  id: z.enum(clockIds),
  state: z.enum(['not-applicable', 'waiting', 'running', 'due-soon', 'overdue', 'met', 'met-late']),
  due: z.string().nullable().describe('RFC 3339 UTC.'),
  dueLocal: z.string().nullable().describe('The due time in incidents.timeZone.'),
  sent: z.string().nullable(),
  basis: z.string(),
});

const incidentDto = incidentFields
  .extend({
    id: z.uuid(),
    status: z.enum(['open', 'closed']).describe('closed once closedAt is set.'),
    candidateId: z.string().nullable().describe('The candidate it was qualified from.'),
    submissions: z.array(z.object({ stage: z.string(), dueAt: z.string().nullable(), sentAt: z.string(), sha256: z.string(), recipient: z.string() })).describe('Report stages sent (INC-1).'),
    significance: z
      .object({ significant: z.boolean(), entityType: z.string(), criteria: z.array(z.object({ criterion: z.string(), met: z.boolean(), reasoning: z.string() })) })
      .describe('The assessment per criterion as of the last change (INC-2, INC-3).'),
    version: z.number().int().describe('Incremented by every change.'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .describe('An incident of the register (docs/reference/incidents.md).');

const candidateDto = z.object({
  id: z.uuid(),
  kind: z.string(),
  title: z.string(),
  status: z.enum(['open', 'qualified', 'dismissed']),
  alarmSeqs: z.array(z.number().int()).describe('Ledger leaves of the alarms and events it stands for.'),
  firstAt: z.string(),
  lastAt: z.string(),
  reason: z.string().nullable(),
  incidentId: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
});

const candidateOut = (c: Candidate): z.infer<typeof candidateDto> => ({
  id: c.id,
  kind: c.kind,
  title: c.title,
  status: c.status,
  alarmSeqs: [...c.alarmSeqs],
  firstAt: new Date(c.firstMs).toISOString(),
  lastAt: new Date(c.lastMs).toISOString(),
  reason: c.reason,
  incidentId: c.incidentId,
  decidedBy: c.decidedBy,
  decidedAt: c.decidedMs === null ? null : new Date(c.decidedMs).toISOString(),
});

const out = (i: Incident) => i as unknown as z.infer<typeof incidentDto>;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The incident register (INC-1…INC-7): candidates to qualify or dismiss, incidents, their
 * clocks, trail, reports and submissions. Every route needs `incident.manage` on the global scope.
 */
export function incidentRoutes(deps: IncidentRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/candidates',
      access: 'incident.read',
      scope: 'global',
      summary: 'Candidate incidents raised from alarms, newest first',
      tag: 'incidents',
      query: z.strictObject({ status: z.enum(['open', 'qualified', 'dismissed']).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      response: { status: 200, schema: z.array(candidateDto) },
      handler: async ({ query }) => (await deps.candidates.list(query.limit, query.status)).map(candidateOut),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/incidents/candidates/:id/decision',
      access: 'incident.manage',
      scope: 'global',
      audit: 'incident.candidate.decided',
      summary: 'Qualify a candidate (opens an incident; its clocks start at awareAt, default now) or dismiss it, with a reason',
      tag: 'incidents',
      params: candidateParams,
      body: z.discriminatedUnion('decision', [
        z.strictObject({ decision: z.literal('qualify'), reason: z.string().trim().min(3).max(1000), title: z.string().trim().min(1).max(200).optional(), awareAt: z.iso.datetime({ offset: true }).optional() }),
        z.strictObject({ decision: z.literal('dismiss'), reason: z.string().trim().min(3).max(1000) }),
      ]),
      response: { status: 200, schema: z.object({ candidate: candidateDto, incident: incidentDto.nullable() }) },
      handler: async ({ params, body, audit }) => {
        if (body.decision === 'dismiss') return { candidate: candidateOut(await deps.candidates.dismiss(params.id, body.reason, audit)), incident: null };
        const { candidate, incident } = await deps.candidates.qualify(params.id, { reason: body.reason, title: body.title, awareAt: body.awareAt }, audit);
        return { candidate: candidateOut(candidate), incident: out(incident) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents',
      access: 'incident.read',
      scope: 'global',
      summary: 'Incidents of the register, newest aware time first',
      tag: 'incidents',
      query: z.strictObject({ status: z.enum(['open', 'closed']).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      response: { status: 200, schema: z.array(incidentDto) },
      handler: async ({ query }) => (await deps.incidents.list(query.limit, query.status)).map(out),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/incidents',
      access: 'incident.manage',
      scope: 'global',
      audit: 'incident.created',
      summary: 'Open an incident (title and awareAt required)',
      tag: 'incidents',
      body: newIncident,
      response: { status: 201, schema: incidentDto },
      handler: async ({ body, audit, reply }) => {
        reply.code(201);
        return out(await deps.incidents.create(body, audit));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/:id',
      access: 'incident.read',
      scope: 'global',
      summary: 'One incident with every field, its submissions and significance',
      tag: 'incidents',
      params: idParams,
      response: { status: 200, schema: incidentDto },
      handler: async ({ params }) => out(await deps.incidents.get(params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/incidents/:id',
      access: 'incident.manage',
      scope: 'global',
      audit: 'incident.updated',
      summary: 'Change fields of an incident; `version` (optional) must be the current one',
      tag: 'incidents',
      params: idParams,
      body: incidentUpdate.extend({ version: z.number().int().min(1).optional().describe('The version the change is based on (optimistic concurrency).') }),
      response: { status: 200, schema: incidentDto },
      handler: async ({ params, body, audit }) => {
        const { version, ...change } = body;
        return out(await deps.incidents.update(params.id, change, audit, version));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/:id/clocks',
      access: 'incident.read',
      scope: 'global',
      summary: 'Reporting clocks of an incident now: early warning, notification, final, progress, GDPR Art. 33',
      tag: 'incidents',
      params: idParams,
      response: { status: 200, schema: z.array(clockDto) },
      handler: async ({ params }) => (await deps.incidents.clocks(params.id)).map((c) => ({ id: c.id, state: c.state, due: iso(c.dueMs), dueLocal: c.dueLocal, sent: iso(c.sentMs), basis: c.basis })),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/:id/trail',
      access: 'incident.read',
      scope: 'global',
      audit: 'audit.events.read',
      summary: "The incident's own ledger events, each with a C2SP tlog-proof bundle against one signed checkpoint",
      tag: 'incidents',
      params: idParams,
      response: { status: 200, schema: z.object({ checkpoint: z.string(), entries: z.array(z.object({ seq: z.number().int(), record: z.record(z.string(), z.unknown()), proof: z.string() })) }) },
      handler: async ({ params, audit }) => deps.incidents.trail(params.id, audit),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/incidents/:id/reports/:stage',
      access: 'incident.manage',
      scope: 'global',
      audit: 'incident.report.generated',
      summary: 'Generate a report stage as JSON or PDF (422 REPORT_INCOMPLETE lists what is missing); the x-custos-sha256 header is the hash to record when sent',
      tag: 'incidents',
      params: z.strictObject({ id: z.uuid(), stage: z.enum(reportStages) }),
      body: z.strictObject({ format: z.enum(['json', 'pdf']).default('json'), form: z.string().min(1).max(100).default('custos-generic-v1') }),
      response: { status: 200, mediaType: 'application/pdf' },
      handler: async ({ params, body, audit, reply }) => {
        const report = await deps.reports.generate(params.id, params.stage, body.format, body.form, audit);
        await reply.type(report.contentType).header('x-custos-sha256', report.sha256).header('cache-control', 'no-store').send(report.bytes);
        return undefined;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/incidents/:id/submissions',
      access: 'incident.manage',
      scope: 'global',
      audit: 'incident.report.submitted',
      summary: 'Record a report stage as sent to the CSIRT or authority (stops its clock)',
      tag: 'incidents',
      params: idParams,
      body: z.strictObject({
        stage: z.enum(reportStages),
        sentAt: z.iso.datetime({ offset: true }),
        sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of what was sent (the x-custos-sha256 of the generated report).'),
        recipient: z.string().trim().min(1).max(200).describe('CSIRT or authority it was sent to.'),
      }),
      response: { status: 200, schema: incidentDto },
      handler: async ({ params, body, audit }) => {
        if (Date.parse(body.sentAt) > Date.now() + 60_000) throw new AppError('VALIDATION_FAILED', 'sentAt is in the future');
        return out(await deps.incidents.recordSubmission(params.id, { ...body, sentAt: new Date(body.sentAt).toISOString() }, audit));
      },
    }),
  ];
}
