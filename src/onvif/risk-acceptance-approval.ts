import type { ApprovalExecutor } from '../approvals/approval-executor.ts';
import type { OnboardingService, RiskAcceptanceRequest } from './onboarding.service.ts';

/** True when a `camera.manage` request is a risk acceptance (its details say so). */
export function isRiskAcceptance(details: Record<string, unknown>): boolean {
  return details.change === 'camera.riskAccept';
}

/**
 * The executor of an approved risk acceptance: records it with the requester and the approver
 * (the four-eyes service has already refused self-approval). `deps` is read only when it runs.
 */
export function riskAcceptanceApproval(deps: { readonly onboarding: OnboardingService }): ApprovalExecutor {
  return {
    execute: async (approved, audit) => {
      const a = await deps.onboarding.accept(approved.details as unknown as RiskAcceptanceRequest, approved, audit);
      return { use: { acceptanceId: a.id, untilMs: a.untilMs } };
    },
  };
}
