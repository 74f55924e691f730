/**
 * PTZ routes (issue 17 item 10), all behind `camera.ptz` on the camera: continuous move, stop,
 * presets (list, set, go to) and status, through the camera's ONVIF PTZ service. Audited per
 * session and per preset change (ptz-sessions.ts), not per move.
 */
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import * as api from '../api/ptz.schemas.ts';
import { idParams } from '../api/schemas.ts';
import type { PtzService } from './ptz.service.ts';

/** Dependencies of the PTZ routes. */
export interface PtzRouteDeps {
  readonly ptz: PtzService;
}

/** The routes. */
export function ptzRoutes(deps: PtzRouteDeps): RouteSpec[] {
  const scope = { camera: 'id' } as const;
  return [
    defineRoute({
      method: 'POST', url: '/api/v1/cameras/:id/ptz/move', access: 'camera.ptz', scope, audit: 'camera.ptz.session.started', tag: 'ptz',
      summary: 'Move a PTZ camera continuously (ONVIF ContinuousMove) until stop or the timeout; the first move after idle starts an audited session',
      params: idParams, body: api.moveRequest, response: { status: 200, schema: api.moveResult },
      handler: async ({ params, body, audit }) => ({ session: await deps.ptz.move(params.id, { pan: body.pan, tilt: body.tilt, zoom: body.zoom }, body.timeoutMs, audit) }),
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/cameras/:id/ptz/stop', access: 'camera.ptz', scope, audit: 'camera.ptz.session.ended', tag: 'ptz',
      summary: "Stop a PTZ camera (ONVIF Stop) and end the caller's session",
      params: idParams, response: { status: 200, schema: api.stopResult },
      handler: async ({ params, audit }) => {
        await deps.ptz.stop(params.id, audit);
        return { stopped: true as const };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/cameras/:id/ptz/presets', access: 'camera.ptz', scope, tag: 'ptz',
      summary: "The camera's PTZ presets (ONVIF GetPresets)",
      params: idParams, response: { status: 200, schema: z.array(api.preset) },
      handler: async ({ params }) => deps.ptz.presets(params.id),
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/cameras/:id/ptz/presets', access: 'camera.ptz', scope, audit: 'camera.ptz.preset.set', tag: 'ptz',
      summary: "Store the camera's current position as a preset (ONVIF SetPreset)",
      params: idParams, body: api.presetRequest, response: { status: 200, schema: api.preset },
      handler: async ({ params, body, audit }) => deps.ptz.setPreset(params.id, body.name, body.token, audit),
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/cameras/:id/ptz/presets/:token/goto', access: 'camera.ptz', scope, audit: 'camera.ptz.preset.goto', tag: 'ptz',
      summary: 'Send the camera to a preset (ONVIF GotoPreset)',
      params: api.presetParams, response: { status: 200, schema: api.gotoResult },
      handler: async ({ params, audit }) => {
        await deps.ptz.gotoPreset(params.id, params.token, audit);
        return { moved: true as const };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/cameras/:id/ptz/status', access: 'camera.ptz', scope, tag: 'ptz',
      summary: "The camera's PTZ position and move status (ONVIF GetStatus)",
      params: idParams, response: { status: 200, schema: api.ptzStatus },
      handler: async ({ params }) => deps.ptz.status(params.id),
    }),
  ];
}
