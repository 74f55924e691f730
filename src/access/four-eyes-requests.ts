import type { AuditContext } from '../audit/audit-event.ts';
import type { Principal } from './principal.ts';

/**
 * Files a four-eyes request for a second person to decide (ApprovalsService implements it).
 * access/ sits below approvals/, so its routes name only what they file and the request's id.
 */
export interface FourEyesRequests {
  request(action: 'access.grant' | 'camera.manage', cameraId: string | null, details: Record<string, unknown>, requester: Principal, by: AuditContext): Promise<{ readonly id: string }>;
}
