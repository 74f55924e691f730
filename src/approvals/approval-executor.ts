import type { Principal } from '../access/principal.ts';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AppError } from '../lib/errors.ts';
import type { Approval } from './approval.ts';

/** What an executor did: facts kept on the request (`use`), and fields the decision's answer carries besides it. */
export interface Executed {
  readonly use: Record<string, unknown>;
  /** Shown to the approver in this answer only (the enrolment code of a reset). */
  readonly answer?: Record<string, unknown>;
}

/**
 * Carries out one kind of approved four-eyes request. Each feature defines the executor of its
 * own action; the route table (src/routes.ts) registers them, so approvals/ imports no feature
 * and features → approvals is the only direction.
 */
export interface ApprovalExecutor {
  /** Refuses the approval by `approver` before it is recorded (an error value), or null. */
  readonly veto?: (request: Approval, approver: Principal) => Promise<AppError | null>;
  /** Makes the approved change; `audit` is the approver's request. */
  readonly execute: (approved: Approval, audit: AuditContext) => Promise<Executed>;
}

/** The executors by action. An approved action without one (`privacy.unmask`) only changes the request. */
export type ApprovalExecutors = Readonly<Partial<Record<Approval['action'], ApprovalExecutor>>>;
