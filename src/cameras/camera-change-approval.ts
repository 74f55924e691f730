import type { SitesService } from '../access/sites.service.ts';
import type { ApprovalExecutor } from '../approvals/approval-executor.ts';
import type { SensitiveChange } from '../approvals/sensitive-change.ts';
import type { CamerasService } from './cameras.service.ts';

/**
 * The executor of an approved `camera.manage` request: the change that weakens a four-eyes site
 * is made by its requester; the approval is in its audit event's correlation. `deps` is read
 * only when it runs.
 */
export function cameraChangeApproval(deps: { readonly cameras: CamerasService; readonly sites: SitesService }): ApprovalExecutor {
  return {
    execute: async (approved, audit) => {
      const change = approved.details as SensitiveChange;
      const by = { ...audit, actor: { kind: 'user' as const, id: approved.requestedBy } };
      switch (change.change) {
        case 'site.fourEyesOff':
          await deps.sites.updateSite(change.siteId, { fourEyes: false }, by);
          break;
        case 'camera.move':
          await deps.cameras.update(change.cameraId, { siteId: change.siteId }, by);
          break;
        case 'camera.retention':
          await deps.cameras.update(change.cameraId, { retentionHours: change.retentionHours }, by);
          break;
        case 'camera.minRetention':
          await deps.cameras.update(change.cameraId, { minRetentionHours: change.minRetentionHours }, by);
          break;
        case 'camera.subStreamRetention':
          await deps.cameras.update(change.cameraId, { subStreamRetentionHours: change.subStreamRetentionHours }, by);
          break;
        case 'camera.delete':
          await deps.cameras.remove(change.cameraId, by);
          break;
      }
      return { use: { applied: true } };
    },
  };
}
