/**
 * Asking for a firmware push (AST-3): `camera.manage` on the camera files a four-eyes request
 * for an image staged on the host; a second person holding `camera.manage` approves it at
 * `/api/v1/approvals/{id}/decision`, and the push runs then (firmware-push-approval.ts).
 */
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import { idParams } from '../api/schemas.ts';
import type { ApprovalsService } from '../approvals/approvals.service.ts';
import { AppError } from '../lib/errors.ts';
import type { FirmwarePushService } from './firmware-push.service.ts';

/** Dependencies of the firmware push route. */
export interface FirmwarePushRouteDeps {
  readonly firmwarePush: FirmwarePushService;
  readonly approvals: ApprovalsService;
}

const pushRequest = z
  .strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of an image staged with custos firmware stage.') })
  .describe('A firmware push to a camera.');

/** The routes. */
export function firmwarePushRoutes(deps: FirmwarePushRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST', url: '/api/v1/cameras/:id/firmware', access: 'camera.manage', scope: { camera: 'id' }, audit: 'access.approval.requested', tag: 'onboarding',
      summary: 'Ask a second person to approve pushing a staged, vetted firmware image to the camera over ONVIF (always answers APPROVAL_REQUIRED with the request id)',
      params: idParams, body: pushRequest, response: { status: 403 },
      handler: async ({ params, body, audit, principal }) => {
        if (principal === null) throw new AppError('UNAUTHENTICATED', 'log in first');
        const details = await deps.firmwarePush.request(params.id, body.sha256);
        const approval = await deps.approvals.request('camera.manage', params.id, { ...details }, principal, audit);
        throw new AppError('APPROVAL_REQUIRED', "a firmware push needs a second person's approval; the request is filed", { approvalId: approval.id });
      },
    }),
  ];
}
