/**
 * Advisory and security-score routes (issue 17 items 7-8).
 * - Import (`camera.manage`, global): an advisory changes the risk picture of every camera and
 *   raises alarms across sites, like discovery; it is the onboarding operator's task, not a
 *   system setting, so `system.configure` (a sensitive permission) is not asked for.
 * - List (`camera.manage`, narrowed to the cameras the caller manages) and score
 *   (`camera.manage` on the camera): both tell which cameras are weak (vulnerable firmware, a
 *   default password), which is for those who can fix them, not for every viewer.
 */
import { z } from 'zod';
import { inCameraSet } from '../access/access.ts';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import * as api from '../api/advisories.schemas.ts';
import { idParams } from '../api/schemas.ts';
import type { CameraSet } from '../access/access.ts';
import type { AdvisoriesService, AdvisoryView } from './advisories.service.ts';
import { rangeText } from './version-range.ts';
import type { SecurityScoreService } from './security-score.service.ts';

/** Dependencies of the routes. Route builders MUST NOT use them before a handler runs. */
export interface AdvisoryRouteDeps {
  readonly advisories: AdvisoriesService;
  readonly securityScores: SecurityScoreService;
}

/** The wire form of an advisory, with the matches of the cameras in `visible`. */
export function advisoryDto(v: AdvisoryView, visible: CameraSet): z.infer<typeof api.advisory> {
  const a = v.advisory;
  return {
    id: a.id, format: a.format, documentId: a.documentId, title: a.title, publisher: a.publisher, revision: a.revision, published: a.published, withdrawn: a.withdrawn,
    cves: [...a.cves], severity: a.severity, cvssScore: a.cvssScore, sha256: a.sha256, skipped: [...a.skipped],
    products: a.products.map((p) => ({ vendor: p.vendor, model: p.model, range: rangeText(p.range), fixedIn: [...p.fixedIn] })),
    importedAt: new Date(v.importedMs).toISOString(),
    cameras: v.cameras.filter((m) => inCameraSet(visible, m.cameraId)).map((m) => ({ cameraId: m.cameraId, firmware: m.firmware, range: m.product.range, fixedIn: [...m.product.fixedIn], matchedAt: new Date(m.matchedMs).toISOString() })),
  };
}

/** The routes. */
export function advisoryRoutes(deps: AdvisoryRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST', url: '/api/v1/advisories', access: 'camera.manage', scope: 'global', audit: 'advisory.imported',
      summary: 'Import a security advisory (CSAF 2.0 or OSV JSON) and match it against the camera inventory; affected cameras raise the camera-advisory alarm', tag: 'onboarding',
      body: api.advisoryDocument, response: { status: 200, schema: api.importResult },
      handler: async ({ body, audit, access }) => {
        const r = await deps.advisories.import({ value: body }, 'api', audit);
        const view = (await deps.advisories.list()).find((v) => v.advisory.id === r.advisory.id);
        const visible = await access.cameras('camera.manage');
        return { advisory: advisoryDto(view ?? { advisory: r.advisory, importedMs: 0, cameras: [] }, visible), change: r.change, matched: r.matched.length };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/advisories', access: 'camera.manage',
      summary: 'Imported advisories, worst first, each with the cameras it affects among those the caller manages', tag: 'onboarding',
      response: { status: 200, schema: z.array(api.advisory) },
      handler: async ({ access }) => {
        const visible = await access.cameras('camera.manage');
        return (await deps.advisories.list()).map((v) => advisoryDto(v, visible));
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/cameras/:id/security-score', access: 'camera.manage', scope: { camera: 'id' },
      summary: "A camera's security score: transport, credentials (against known defaults, never a live login), firmware vetting, vendor, advisories, clock, last seen; each with its evidence", tag: 'onboarding',
      params: idParams, response: { status: 200, schema: api.securityScore },
      handler: async ({ params }) => {
        const s = await deps.securityScores.score(params.id);
        return { ...s, factors: s.factors.map((f) => ({ ...f })) };
      },
    }),
  ];
}
