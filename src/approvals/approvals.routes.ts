import { z } from 'zod';
import * as api from '../api/identity.schemas.ts';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import { AppError } from '../lib/errors.ts';
import type { Approval } from './approval.ts';
import type { Principal } from '../access/principal.ts';
import type { ApprovalExecutors } from './approval-executor.ts';
import type { ApprovalsService } from './approvals.service.ts';

/** Dependencies of the four-eyes routes. Route builders MUST NOT use them before a handler runs. */
export interface ApprovalRouteDeps {
  readonly approvals: ApprovalsService;
}

/**
 * The wire form of a request as `viewer` (`user:<id>`) sees it: the export an approval started
 * belongs to its requester and approver, so only they see its id (issue 11 item 10).
 */
function approvalDto(a: Approval, viewer: string, canDecide: boolean): z.infer<typeof api.approvalDto> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const owner = viewer === a.requestedBy || viewer === a.decidedBy;
  // A pending reset's password hash never leaves the server.
  const { exportId: produced, passwordHash: _hash, ...shown } = a.details;
  const exportId = owner && typeof produced === 'string' ? produced : null;
  const details = owner && produced !== undefined ? { ...shown, exportId: produced } : shown;
  const grantId = typeof a.details.grantId === 'string' ? a.details.grantId : null;
  return { id: a.id, action: a.action, cameraId: a.cameraId, details, requestedBy: a.requestedBy, requestedAt: new Date(a.requestedMs).toISOString(), status: a.status, decidedBy: a.decidedBy, decidedAt: iso(a.decidedMs), expiresAt: new Date(a.expiresMs).toISOString(), exportId, grantId, canDecide };
}

const unmaskRequest = z.strictObject({ action: z.literal('privacy.unmask'), cameraId: z.uuid(), reason: z.string().trim().min(3).max(500) });

/**
 * Four-eyes requests: list, read, file an unmask request, decide. An approval is carried out by
 * the executor of its action (registered in src/routes.ts).
 */
export function approvalRoutes(deps: ApprovalRouteDeps, executors: ApprovalExecutors): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/approvals',
      access: 'self',
      summary: 'Four-eyes requests you filed or could decide, newest first; view=inbox: those you can decide now (who decided is in decidedBy)',
      tag: 'access',
      query: api.approvalListQuery,
      response: { status: 200, schema: z.array(api.approvalDto) },
      handler: async ({ access, principal, query }) => {
        const viewer = viewerOf(principal);
        const out: z.infer<typeof api.approvalDto>[] = [];
        for (const a of await deps.approvals.list(access)) {
          const decidable = await deps.approvals.canDecide(a, access);
          if (query.view === 'inbox' && !decidable) continue;
          if (query.view === 'mine' && a.requestedBy !== viewer) continue;
          out.push(approvalDto(a, viewer, decidable));
        }
        return out;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/approvals/:id',
      access: 'self',
      summary: 'One four-eyes request (poll it for the export an approval started)',
      tag: 'access',
      params: api.approvalParams,
      response: { status: 200, schema: api.approvalDto },
      handler: async ({ params, access, principal }) => {
        const a = await deps.approvals.get(params.id, access);
        return approvalDto(a, viewerOf(principal), await deps.approvals.canDecide(a, access));
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/approvals',
      access: 'privacy.unmask',
      audit: 'access.approval.requested',
      summary: 'Ask a second person to approve unmasking a camera (four-eyes)',
      tag: 'access',
      body: unmaskRequest,
      response: { status: 201, schema: api.approvalDto },
      handler: async ({ body, access, principal, audit }) => {
        await access.requireCamera('privacy.unmask', body.cameraId);
        return approvalDto(await deps.approvals.request('privacy.unmask', body.cameraId, { reason: body.reason }, principal!, audit), viewerOf(principal), false);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/approvals/:id/decision',
      access: 'self',
      audit: 'access.approval.decided',
      summary:
        'Approve or reject a request (you need its permission on the camera, or user.manage for a grant or an account reset, camera.manage globally for a site, and must not be the requester); an approved export starts, an approved grant or camera/site change is made and an approved reset is done at once (its enrolment code is in this answer only)',
      tag: 'access',
      params: api.approvalParams,
      body: api.approvalDecision,
      response: { status: 200, schema: api.approvalDto },
      handler: async ({ params, body, access, principal, audit }) => {
        if (!principal) throw new AppError('UNAUTHENTICATED', 'log in first');
        const decided = await deps.approvals.decide(params.id, body.approve, principal, access, audit, body.reason, async (a) => (await executors[a.action]?.veto?.(a, principal)) ?? null);
        const viewer = viewerOf(principal);
        const executor = executors[decided.action];
        if (decided.status !== 'approved' || executor === undefined) return approvalDto(decided, viewer, false);
        const done = await executor.execute(decided, audit);
        return { ...approvalDto(await deps.approvals.use(decided.id, done.use), viewer, false), ...done.answer };
      },
    }),
  ];
}

/** `user:<id>` of the caller, as approvals name people. */
function viewerOf(principal: Principal | null): string {
  return principal ? `user:${principal.userId}` : '';
}
