import type { ApprovalExecutor } from '../approvals/approval-executor.ts';
import type { CamerasService } from '../cameras/cameras.service.ts';
import type { ExportsService } from './exports.service.ts';

/**
 * The executor of an approved `recording.export`: the export acts for the requester, and the
 * approval is part of its chain of custody. `deps` is read only when it runs.
 */
export function exportApproval(deps: { readonly cameras: CamerasService; readonly exports: ExportsService }): ApprovalExecutor {
  return {
    execute: async (approved, audit) => {
      const d = approved.details as { from: string; to: string; reason: string; requestedFor: string };
      const camera = await deps.cameras.get(approved.cameraId ?? '');
      const requester = { actor: { kind: 'user' as const, id: approved.requestedBy }, correlationId: audit.correlationId ?? approved.id };
      const job = await deps.exports.create(camera, Date.parse(d.from), Date.parse(d.to), { reason: `${d.reason} [four-eyes approval ${approved.id} by ${approved.decidedBy ?? ''}]`, requestedFor: d.requestedFor }, requester, { requestedBy: approved.requestedBy, approvedBy: approved.decidedBy });
      return { use: { exportId: job.id } };
    },
  };
}
