import type { GrantsService } from '../access/grants.service.ts';
import type { ApprovalExecutor } from '../approvals/approval-executor.ts';
import type { UsersService } from './users.service.ts';

/**
 * The executor of an approved `access.grant`: the grant is made by the requester; the approval
 * is in its audit event's correlation. `deps` is read only when it runs.
 */
export function grantApproval(deps: { readonly grants: GrantsService; readonly users: UsersService }): ApprovalExecutor {
  return {
    execute: async (approved, audit) => {
      const g = approved.details as { userId: string; role: string; scope: string; expiresMs: number | null };
      const requester = { audit: { ...audit, actor: { kind: 'user' as const, id: approved.requestedBy } }, userId: approved.requestedBy.slice('user:'.length) };
      const grant = await deps.grants.grant(await deps.users.get(g.userId), { role: g.role, scope: g.scope, expiresMs: g.expiresMs }, requester, `approved:${approved.id}`);
      return { use: { grantId: grant.id } };
    },
  };
}
