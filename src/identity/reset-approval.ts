import type { Principal } from '../access/principal.ts';
import type { Approval } from '../approvals/approval.ts';
import type { ApprovalExecutor } from '../approvals/approval-executor.ts';
import type { ApprovalsService } from '../approvals/approvals.service.ts';
import { AppError } from '../lib/errors.ts';
import type { AccountResets } from './account-resets.ts';
import type { UsersService } from './users.service.ts';

/** What an approved account reset is carried out with. */
export interface ResetApprovalDeps {
  readonly users: UsersService;
  readonly resets: AccountResets;
  readonly approvals: ApprovalsService;
}

/**
 * The executor of an approved `account.reset`: made by the approver, whose answer alone carries
 * the enrolment code, once (split knowledge, ADR 0014). `deps` is read only when it runs.
 */
export function resetApproval(deps: ResetApprovalDeps): ApprovalExecutor {
  return {
    veto: (request, approver) => knowsPassword(deps, request, approver),
    execute: async (approved, audit) => {
      const r = approved.details as { userId: string; passwordHash: string | null };
      const done = await deps.resets.apply(await deps.users.get(r.userId), r.passwordHash, audit, approved.id);
      const setMs = r.passwordHash === null ? {} : { passwordSetMs: done.user.passwordChangedMs };
      return { use: { passwordHash: null, ...setMs }, answer: { enrolmentCode: done.enrolmentCode } };
    },
  };
}

/**
 * Refuses (SELF_APPROVAL) the approval of a factors-only reset by the person who chose the
 * account's current password: the creator of the account while its first password is
 * unchanged, or the requester of the reset that set it. The approver receives the enrolment
 * code, and with the password they still know they would hold both halves (ADR 0014).
 */
async function knowsPassword(deps: ResetApprovalDeps, a: Approval, approver: Principal): Promise<AppError | null> {
  if (a.action !== 'account.reset' || a.details.password !== false || typeof a.details.userId !== 'string') return null;
  const user = await deps.users.get(a.details.userId);
  const changed = user.passwordChangedMs;
  if (changed === null) return null;
  const setBy = changed === user.createdMs ? user.createdBy : ((await deps.approvals.resetThatSetPassword(user.id, changed))?.requestedBy ?? null);
  if (setBy !== `user:${approver.userId}`) return null;
  return new AppError('SELF_APPROVAL', `you chose ${user.username}'s current password, so you cannot also receive its enrolment code: another administrator approves this reset`);
}
