/**
 * Camera SBOM routes (AST-5): attach a vendor's SBOM to an inventory entry (`camera.manage` on
 * the camera, audited) and read it back (`camera.read` on the camera).
 */
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import { idParams } from '../api/schemas.ts';
import type { CameraSbomService, StoredCameraSbom } from './camera-sbom.service.ts';

/** Dependencies of the camera SBOM routes. */
export interface CameraSbomRouteDeps {
  readonly cameraSboms: CameraSbomService;
}

const attached = z.object({
  cameraId: z.string(), format: z.enum(['CycloneDX', 'SPDX']), specVersion: z.string(), sha256: z.string(), bytes: z.number(), components: z.number(), attachedAt: z.string(),
});

const dto = (s: StoredCameraSbom): z.infer<typeof attached> => ({ cameraId: s.cameraId, ...s.summary, attachedAt: new Date(s.attachedMs).toISOString() });

/** The routes. */
export function cameraSbomRoutes(deps: CameraSbomRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'PUT', url: '/api/v1/inventory/:id/sbom', access: 'camera.manage', scope: { camera: 'id' }, audit: 'camera.sbom.attached', tag: 'onboarding',
      summary: "Attach the vendor's SBOM (CycloneDX or SPDX JSON, at most 1 MiB) to a camera's inventory entry, replacing any earlier one",
      params: idParams, body: z.record(z.string(), z.unknown()).describe('The SBOM document itself.'), response: { status: 200, schema: attached },
      handler: async ({ params, body, audit }) => dto(await deps.cameraSboms.attach(params.id, body, audit)),
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/inventory/:id/sbom', access: 'camera.read', scope: { camera: 'id' }, tag: 'onboarding',
      summary: "The vendor's SBOM attached to a camera (as attached; its SHA-256 in the ETag)",
      params: idParams, response: { status: 200, mediaType: 'application/json' },
      handler: async ({ params, reply }) => {
        const s = await deps.cameraSboms.get(params.id);
        const type = s.summary.format === 'SPDX' ? 'application/spdx+json' : 'application/vnd.cyclonedx+json';
        await reply.type(type).header('etag', `"${s.summary.sha256}"`).send(s.document);
        return undefined;
      },
    }),
  ];
}
