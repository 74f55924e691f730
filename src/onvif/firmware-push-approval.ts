import type { ApprovalExecutor } from '../approvals/approval-executor.ts';
import type { FirmwarePushRequest, FirmwarePushService } from './firmware-push.service.ts';

/**
 * The executor of an approved firmware push: verifies and pushes (the four-eyes service has
 * already refused self-approval). `deps` is read only when it runs.
 */
export function firmwarePushApproval(deps: { readonly firmwarePush: FirmwarePushService }): ApprovalExecutor {
  return {
    execute: async (approved, audit) => {
      const m = await deps.firmwarePush.execute(approved.details as unknown as FirmwarePushRequest, audit);
      return { use: { version: m.version, sha256: m.sha256 } };
    },
  };
}
