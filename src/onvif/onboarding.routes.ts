/**
 * Onboarding and inventory routes (issue 17): discover (camera.manage, global), identify and vet
 * a camera, change its inventory fields and ask for a risk acceptance (camera.manage on the
 * camera), list the inventory (camera.read, narrowed to the cameras the caller may read).
 */
import { z } from 'zod';
import { inCameraSet } from '../access/access.ts';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import * as api from '../api/onboarding.schemas.ts';
import { idParams } from '../api/schemas.ts';
import type { ApprovalsService } from '../approvals/approvals.service.ts';
import { AppError } from '../lib/errors.ts';
import type { InventoryEntry, OnboardingService } from './onboarding.service.ts';

/** Dependencies of the onboarding routes. Route builders MUST NOT use them before a handler runs. */
export interface OnboardingRouteDeps {
  readonly onboarding: OnboardingService;
  readonly approvals: ApprovalsService;
}

/** The wire form of an entry. */
export function inventoryDto(e: InventoryEntry): z.infer<typeof api.inventoryEntry> {
  const a = e.asset;
  return {
    cameraId: a.cameraId, vendor: a.vendor, model: a.model, serial: a.serial, mac: a.mac, firmware: a.firmware, hardwareId: a.hardwareId,
    location: a.location, owner: a.owner, installDate: a.installDate, endOfSupport: a.endOfSupport, onvifXaddr: a.onvifXaddr,
    vetting: a.vetting, likelyRelabel: a.verdict.likelyRelabel, matches: a.verdict.matches.map((m) => ({ ...m })),
    clockOffsetMs: a.evidence.clock.offsetMs, quarantined: e.quarantined,
    acceptedUntil: e.acceptance === null ? null : new Date(e.acceptance.untilMs).toISOString(), identifiedAt: new Date(a.identifiedMs).toISOString(),
  };
}

/** The routes. */
export function onboardingRoutes(deps: OnboardingRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST', url: '/api/v1/onboarding/discover', access: 'camera.manage', scope: 'global', audit: 'camera.discovered',
      summary: 'Discover ONVIF cameras by WS-Discovery (multicast on a chosen interface and/or unicast)', tag: 'onboarding',
      body: api.discoverRequest, response: { status: 200, schema: api.discovered },
      handler: async ({ body, audit }) => {
        const found = await deps.onboarding.discover({ interfaceAddress: body.interfaceAddress, unicast: body.unicast, timeoutMs: body.timeoutMs }, audit);
        return found.map((f) => ({ ...f, types: [...f.types], scopes: [...f.scopes], xaddrs: [...f.xaddrs] }));
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/cameras/:id/identify', access: 'camera.manage', scope: { camera: 'id' }, audit: 'camera.identified',
      summary: 'Identify a camera over ONVIF and vet its vendor; a flagged or unvetted camera is quarantined (not recorded, not live) until a risk acceptance', tag: 'onboarding',
      params: idParams, body: api.identifyRequest, response: { status: 200, schema: api.inventoryEntry },
      handler: async ({ params, body, audit }) => inventoryDto(await deps.onboarding.identify(params.id, body, audit)),
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/inventory', access: 'camera.read',
      summary: 'The asset inventory with vetting and quarantine, of the cameras the caller may read', tag: 'onboarding',
      response: { status: 200, schema: z.array(api.inventoryEntry) },
      handler: async ({ access }) => {
        const visible = await access.cameras('camera.read');
        return (await deps.onboarding.list()).filter((e) => inCameraSet(visible, e.asset.cameraId)).map(inventoryDto);
      },
    }),
    defineRoute({
      method: 'PATCH', url: '/api/v1/inventory/:id', access: 'camera.manage', scope: { camera: 'id' }, audit: 'camera.asset.updated',
      summary: "Change a camera's inventory fields (location, owner, install date, end of support)", tag: 'onboarding',
      params: idParams, body: api.inventoryPatch, response: { status: 200, schema: api.inventoryEntry },
      handler: async ({ params, body, audit }) => inventoryDto(await deps.onboarding.updateAsset(params.id, body, audit)),
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/cameras/:id/risk-acceptance', access: 'camera.manage', scope: { camera: 'id' }, audit: 'access.approval.requested',
      summary: 'Ask a second person to accept the risk of a quarantined camera until a date (always answers APPROVAL_REQUIRED with the request id)', tag: 'onboarding',
      params: idParams, body: api.riskAcceptanceRequest, response: { status: 403 },
      handler: async ({ params, body, audit, principal }) => {
        if (principal === null) throw new AppError('UNAUTHENTICATED', 'log in first');
        const details = await deps.onboarding.acceptanceRequest(params.id, body.reason, Date.parse(body.until));
        const approval = await deps.approvals.request('camera.manage', params.id, { ...details }, principal, audit);
        throw new AppError('APPROVAL_REQUIRED', "a risk acceptance needs a second person's approval; the request is filed", { approvalId: approval.id });
      },
    }),
  ];
}
