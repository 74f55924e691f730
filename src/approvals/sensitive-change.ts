import type { AuditContext } from '../audit/audit-event.ts';
import { AppError } from '../lib/errors.ts';
import type { ApprovalsService } from './approvals.service.ts';
import type { Principal } from '../access/principal.ts';

/**
 * A change that weakens the protection of a four-eyes site's footage (ADR 0012), filed as a
 * four-eyes request (approval action `camera.manage`) when a person makes it through the API:
 * switching a site's four-eyes rule off; moving a camera from a four-eyes site to one without
 * it; lowering a four-eyes camera's retention, its minimum retention (what the disk-full
 * policy may never delete) or the retention of its recorded sub-stream (ADR 0043); removing a four-eyes camera that has footage
 * (its footage then falls to the default retention, outside every site's scope). Carries no
 * secret: it is shown to approvers and kept in the request.
 */
export type SensitiveChange =
  | { readonly change: 'site.fourEyesOff'; readonly siteId: string }
  | { readonly change: 'camera.move'; readonly cameraId: string; readonly siteId: string; readonly fromSiteId: string }
  | { readonly change: 'camera.retention'; readonly cameraId: string; readonly retentionHours: number; readonly beforeHours: number }
  | { readonly change: 'camera.minRetention'; readonly cameraId: string; readonly minRetentionHours: number; readonly beforeHours: number }
  | { readonly change: 'camera.subStreamRetention'; readonly cameraId: string; readonly subStreamRetentionHours: number; readonly beforeHours: number }
  | { readonly change: 'camera.delete'; readonly cameraId: string };

/** What a camera change is judged on. */
export interface CameraState {
  readonly id: string;
  readonly siteId: string;
  readonly retentionHours: number;
  readonly minRetentionHours: number;
  /** The recorded sub-stream's own retention (ADR 0043); null or absent = retentionHours. */
  readonly subStreamRetentionHours?: number | null;
}

/**
 * The sensitive part of a camera PATCH, or null. A sensitive change MUST come alone (no other
 * field): the request is kept and shown to approvers, and credentials never belong there.
 */
export function sensitiveCameraPatch(
  current: CameraState,
  patch: Readonly<Record<string, unknown>> & { retentionHours?: number | undefined; minRetentionHours?: number | undefined; subStreamRetentionHours?: number | null | undefined; siteId?: string | undefined },
  fourEyes: { readonly current: boolean; readonly target: boolean },
): SensitiveChange | null {
  if (!fourEyes.current) return null;
  let found: SensitiveChange | null = null;
  if (patch.siteId !== undefined && patch.siteId !== current.siteId && !fourEyes.target) {
    found = { change: 'camera.move', cameraId: current.id, siteId: patch.siteId, fromSiteId: current.siteId };
  } else if (patch.retentionHours !== undefined && patch.retentionHours < current.retentionHours) {
    found = { change: 'camera.retention', cameraId: current.id, retentionHours: patch.retentionHours, beforeHours: current.retentionHours };
  } else if (patch.minRetentionHours !== undefined && patch.minRetentionHours < current.minRetentionHours) {
    found = { change: 'camera.minRetention', cameraId: current.id, minRetentionHours: patch.minRetentionHours, beforeHours: current.minRetentionHours };
  } else if (typeof patch.subStreamRetentionHours === 'number' && patch.subStreamRetentionHours < (current.subStreamRetentionHours ?? current.retentionHours)) {
    found = { change: 'camera.subStreamRetention', cameraId: current.id, subStreamRetentionHours: patch.subStreamRetentionHours, beforeHours: current.subStreamRetentionHours ?? current.retentionHours };
  }
  if (found === null) return null;
  const field = found.change === 'camera.move' ? 'siteId' : found.change === 'camera.minRetention' ? 'minRetentionHours' : found.change === 'camera.subStreamRetention' ? 'subStreamRetentionHours' : 'retentionHours';
  const what = found.change === 'camera.move' ? 'move to a site without four-eyes' : found.change === 'camera.minRetention' ? 'lower minimum retention' : found.change === 'camera.subStreamRetention' ? 'lower sub-stream retention' : 'lower retention';
  const others = Object.keys(patch).filter((k) => patch[k] !== undefined && k !== field);
  if (others.length > 0) throw new AppError('VALIDATION_FAILED', `at a four-eyes site a ${what} needs a second person's approval: send it alone, without ${others.join(', ')}`, { field: others[0] });
  return found;
}

/** Files `change` for a second person's approval and throws APPROVAL_REQUIRED with its id. */
export async function requestSensitiveChange(approvals: ApprovalsService, change: SensitiveChange, requester: Principal, by: AuditContext): Promise<never> {
  const cameraId = change.change === 'site.fourEyesOff' ? null : change.cameraId;
  const approval = await approvals.request('camera.manage', cameraId, { ...change }, requester, by);
  throw new AppError('APPROVAL_REQUIRED', `${change.change} weakens a four-eyes site and needs a second person's approval; the request is filed`, { approvalId: approval.id });
}
