import { z } from 'zod';
import * as api from '../api/identity.schemas.ts';
import type { CamerasService } from '../cameras/cameras.service.ts';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import { AppError } from '../lib/errors.ts';
import type { ExportsService } from '../playback/exports.service.ts';
import type { Approval } from './approval.ts';
import type { Principal } from '../access/principal.ts';
import type { SensitiveChange } from './sensitive-change.ts';
import type { SitesService } from '../access/sites.service.ts';
import type { AuditContext } from '../audit/audit-event.ts';
import type { ApprovalsService } from './approvals.service.ts';
import type { GrantsService } from '../access/grants.service.ts';
import type { AccountResets } from '../identity/account-resets.ts';
import type { UsersService } from '../identity/users.service.ts';

/** Dependencies of the four-eyes routes. Route builders MUST NOT use them before a handler runs. */
export interface ApprovalRouteDeps {
  readonly approvals: ApprovalsService;
  readonly exports: ExportsService;
  readonly cameras: CamerasService;
  readonly grants: GrantsService;
  readonly users: UsersService;
  readonly sites: SitesService;
  readonly resets: AccountResets;
}

/**
 * The wire form of a request as `viewer` (`user:<id>`) sees it: the export an approval started
 * belongs to its requester and approver, so only they see its id (issue 11 item 10).
 */
function approvalDto(a: Approval, viewer: string): z.infer<typeof api.approvalDto> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const owner = viewer === a.requestedBy || viewer === a.decidedBy;
  // A pending reset's password hash never leaves the server.
  const { exportId: produced, passwordHash: _hash, ...shown } = a.details;
  const exportId = owner && typeof produced === 'string' ? produced : null;
  const details = owner && produced !== undefined ? { ...shown, exportId: produced } : shown;
  const grantId = typeof a.details.grantId === 'string' ? a.details.grantId : null;
  return { id: a.id, action: a.action, cameraId: a.cameraId, details, requestedBy: a.requestedBy, requestedAt: new Date(a.requestedMs).toISOString(), status: a.status, decidedBy: a.decidedBy, decidedAt: iso(a.decidedMs), expiresAt: new Date(a.expiresMs).toISOString(), exportId, grantId };
}

const unmaskRequest = z.strictObject({ action: z.literal('privacy.unmask'), cameraId: z.uuid(), reason: z.string().trim().min(3).max(500) });

/** Four-eyes requests: list, read, file an unmask request, decide. */
export function approvalRoutes(deps: ApprovalRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/approvals',
      access: 'self',
      summary: 'Four-eyes requests you filed or could decide',
      tag: 'access',
      response: { status: 200, schema: z.array(api.approvalDto) },
      handler: async ({ access, principal }) => (await deps.approvals.list(access)).map((a) => approvalDto(a, viewerOf(principal))),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/approvals/:id',
      access: 'self',
      summary: 'One four-eyes request (poll it for the export an approval started)',
      tag: 'access',
      params: api.approvalParams,
      response: { status: 200, schema: api.approvalDto },
      handler: async ({ params, access, principal }) => approvalDto(await deps.approvals.get(params.id, access), viewerOf(principal)),
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
        return approvalDto(await deps.approvals.request('privacy.unmask', body.cameraId, { reason: body.reason }, principal!, audit), viewerOf(principal));
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
        const decided = await deps.approvals.decide(params.id, body.approve, principal, access, audit, body.reason, (a) => knowsPassword(deps, a, principal));
        const viewer = viewerOf(principal);
        if (decided.status !== 'approved' || decided.action === 'privacy.unmask') return approvalDto(decided, viewer);
        if (decided.action === 'account.reset') {
          const r = decided.details as { userId: string; passwordHash: string | null };
          // Made by the approver; the enrolment code is shown to them only, once (split knowledge).
          const done = await deps.resets.apply(await deps.users.get(r.userId), r.passwordHash, audit, decided.id);
          const setMs = r.passwordHash === null ? {} : { passwordSetMs: done.user.passwordChangedMs };
          return { ...approvalDto(await deps.approvals.use(decided.id, { passwordHash: null, ...setMs }), viewer), enrolmentCode: done.enrolmentCode };
        }
        if (decided.action === 'access.grant') {
          const g = decided.details as { userId: string; role: string; scope: string; expiresMs: number | null };
          // The grant is made by the requester; the approval is in its audit event's correlation.
          const requester = { audit: { ...audit, actor: { kind: 'user' as const, id: decided.requestedBy } }, userId: decided.requestedBy.slice('user:'.length) };
          const grant = await deps.grants.grant(await deps.users.get(g.userId), { role: g.role, scope: g.scope, expiresMs: g.expiresMs }, requester, `approved:${decided.id}`);
          return approvalDto(await deps.approvals.use(decided.id, { grantId: grant.id }), viewer);
        }
        if (decided.action === 'camera.manage') {
          // The change is made by the requester; the approval is in its audit event's correlation.
          await applySensitiveChange(deps, decided.details as SensitiveChange, { ...audit, actor: { kind: 'user' as const, id: decided.requestedBy } });
          return approvalDto(await deps.approvals.use(decided.id, { applied: true }), viewer);
        }
        const d = decided.details as { from: string; to: string; reason: string; requestedFor: string };
        const camera = await deps.cameras.get(decided.cameraId ?? '');
        // The export acts for the requester; the approval is part of its chain of custody.
        const requester = { actor: { kind: 'user' as const, id: decided.requestedBy }, correlationId: audit.correlationId ?? decided.id };
        const job = await deps.exports.create(camera, Date.parse(d.from), Date.parse(d.to), { reason: `${d.reason} [four-eyes approval ${decided.id} by ${decided.decidedBy ?? ''}]`, requestedFor: d.requestedFor }, requester, { requestedBy: decided.requestedBy, approvedBy: decided.decidedBy });
        return approvalDto(await deps.approvals.use(decided.id, { exportId: job.id }), viewer);
      },
    }),
  ];
}

/**
 * Refuses (SELF_APPROVAL) the approval of a factors-only reset by the person who chose the
 * account's current password: the creator of the account while its first password is
 * unchanged, or the requester of the reset that set it. The approver receives the enrolment
 * code, and with the password they still know they would hold both halves (ADR 0014).
 */
async function knowsPassword(deps: ApprovalRouteDeps, a: Approval, approver: Principal): Promise<AppError | null> {
  if (a.action !== 'account.reset' || a.details.password !== false || typeof a.details.userId !== 'string') return null;
  const user = await deps.users.get(a.details.userId);
  const changed = user.passwordChangedMs;
  if (changed === null) return null;
  const setBy = changed === user.createdMs ? user.createdBy : ((await deps.approvals.resetThatSetPassword(user.id, changed))?.requestedBy ?? null);
  if (setBy !== `user:${approver.userId}`) return null;
  return new AppError('SELF_APPROVAL', `you chose ${user.username}'s current password, so you cannot also receive its enrolment code: another administrator approves this reset`);
}

/** `user:<id>` of the caller, as approvals name people. */
function viewerOf(principal: Principal | null): string {
  return principal ? `user:${principal.userId}` : '';
}

/** Makes an approved change that weakens a four-eyes site, as its requester. */
async function applySensitiveChange(deps: ApprovalRouteDeps, change: SensitiveChange, by: AuditContext): Promise<void> {
  switch (change.change) {
    case 'site.fourEyesOff':
      await deps.sites.updateSite(change.siteId, { fourEyes: false }, by);
      return;
    case 'camera.move':
      await deps.cameras.update(change.cameraId, { siteId: change.siteId }, by);
      return;
    case 'camera.retention':
      await deps.cameras.update(change.cameraId, { retentionHours: change.retentionHours }, by);
      return;
    case 'camera.delete':
      await deps.cameras.remove(change.cameraId, by);
      return;
  }
}
