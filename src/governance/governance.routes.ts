import { Readable } from 'node:stream';
import { z } from 'zod';
import * as api from '../api/governance.schemas.ts';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import type { Principal } from '../access/principal.ts';
import { AppError } from '../lib/errors.ts';
import type { AccountabilityService } from './accountability.service.ts';
import { bundleZip, type SealedBundle } from './bundle-writer.ts';
import type { CatalogueService } from './catalogue.service.ts';
import type { GovernanceBundles } from './governance-bundles.ts';
import type { GovernanceDocument, Requirement } from './governance-model.ts';
import type { LiveEvidence } from './live-evidence.ts';

/** Dependencies of the governance routes. Route builders MUST NOT use them before a handler runs. */
export interface GovernanceRouteDeps {
  readonly governance: {
    readonly catalogue: CatalogueService;
    readonly accountability: AccountabilityService;
    readonly bundles: GovernanceBundles;
    readonly liveEvidence: () => Promise<LiveEvidence>;
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const requirementDto = (r: Requirement) => ({ id: r.id, framework: r.framework, ref: r.ref, title: r.title, status: r.status, owner: r.owner, evidence: [...r.evidence], reason: r.reason, updatedBy: r.updatedBy, updatedAt: iso(r.updatedMs) });
const documentDto = (d: GovernanceDocument) => ({ id: d.id, kind: d.kind, title: d.title, mediaType: d.mediaType, sha256: d.sha256, bytes: d.bytes, registeredBy: d.registeredBy, registeredAt: iso(d.registeredMs) });

/** The signed-in person; approvals and attestations are personal, so a request without one is refused. */
function person(principal: Principal | null): { userId: string; displayName: string } {
  if (principal === null) throw new AppError('UNAUTHENTICATED', 'sign in first');
  return { userId: principal.userId, displayName: principal.displayName };
}

/** The governance API: catalogue (GOV-1), live evidence and its bundle (GOV-2), accountability (GOV-3), readiness pack (GOV-4). */
export function governanceRoutes(deps: GovernanceRouteDeps): RouteSpec[] {
  const bundleRoute = (url: string, summary: string, make: (g: GovernanceRouteDeps['governance'], by: Parameters<GovernanceBundles['evidenceBundle']>[0]) => Promise<SealedBundle>) =>
    defineRoute({
      method: 'GET',
      url,
      access: 'governance.read',
      scope: 'global',
      audit: 'governance.bundle.exported',
      summary,
      tag: 'governance',
      response: { status: 200, mediaType: 'application/zip' },
      handler: async ({ audit, reply }) => {
        const bundle = await make(deps.governance, audit);
        await reply
          .type('application/zip')
          .header('content-disposition', `attachment; filename="custos-${bundle.kind}-${bundle.bundleId}.zip"`)
          .header('cache-control', 'no-store')
          .send(Readable.from(bundleZip(bundle)));
        return undefined;
      },
    });
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/governance/requirements',
      access: 'governance.read',
      summary: 'The requirement catalogue and Statement of Applicability (NIS2 Art. 21(2), Reg. 2024/2690 annex, ISO/IEC 27001:2022 Annex A)',
      tag: 'governance',
      response: { status: 200, schema: z.array(api.requirementDto) },
      handler: async () => (await deps.governance.catalogue.list()).map(requirementDto),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/governance/requirements/:id',
      access: 'governance.read',
      summary: 'One requirement with its assessment',
      tag: 'governance',
      params: api.requirementParams,
      response: { status: 200, schema: api.requirementDto },
      handler: async ({ params }) => requirementDto(await deps.governance.catalogue.get(params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/governance/requirements/:id',
      access: 'governance.manage',
      scope: 'global',
      audit: 'governance.requirement.updated',
      summary: 'Assess a requirement: status, owner, evidence links, reason where not applied',
      tag: 'governance',
      params: api.requirementParams,
      body: api.requirementUpdate,
      response: { status: 200, schema: api.requirementDto },
      handler: async ({ params, body, audit }) => requirementDto(await deps.governance.catalogue.update(params.id, body, audit)),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/governance/evidence',
      access: 'governance.read',
      summary: 'Live evidence computed from the running system now, each metric with its source',
      tag: 'governance',
      response: { status: 200, schema: api.liveEvidenceDto },
      handler: async () => deps.governance.liveEvidence(),
    }),
    bundleRoute('/api/v1/governance/evidence/bundle', 'Export the live evidence, catalogue, approvals and training as one signed bundle (zip); verify it offline with custos governance verify', (g, by) => g.bundles.evidenceBundle(by)),
    bundleRoute('/api/v1/governance/readiness-pack', "Export the readiness pack (the buyer's six questions answered from the system's facts and documents on file) as one signed bundle (zip)", (g, by) => g.bundles.readinessPack(by)),
    defineRoute({
      method: 'GET',
      url: '/api/v1/governance/documents',
      access: 'governance.read',
      summary: 'Documents on file (without their bytes)',
      tag: 'governance',
      response: { status: 200, schema: z.array(api.documentDto) },
      handler: async () => (await deps.governance.accountability.documents()).map(documentDto),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/governance/documents',
      access: 'governance.manage',
      scope: 'global',
      audit: 'governance.document.registered',
      summary: 'Put a document on file (policy, risk acceptance, certificate, SBOM…); its SHA-256 is computed from the bytes',
      tag: 'governance',
      body: api.documentCreate,
      response: { status: 201, schema: api.documentDto },
      handler: async ({ body, audit }) =>
        documentDto(await deps.governance.accountability.registerDocument({ kind: body.kind, title: body.title, mediaType: body.mediaType, content: Buffer.from(body.contentBase64, 'base64') }, audit)),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/governance/documents/:id/content',
      access: 'governance.read',
      summary: 'The bytes of a document on file (always as an attachment of type application/octet-stream; its media type in x-document-media-type)',
      tag: 'governance',
      params: api.idParams,
      response: { status: 200, mediaType: 'application/octet-stream' },
      handler: async ({ params, reply }) => {
        const { document, content } = await deps.governance.accountability.document(params.id);
        // Never served as its own media type: a stored text/html MUST NOT render on the console's origin.
        await reply
          .type('application/octet-stream')
          .header('content-disposition', `attachment; filename="${document.id}"`)
          .header('x-content-type-options', 'nosniff')
          .header('x-document-media-type', document.mediaType)
          .header('x-content-sha256', document.sha256)
          .send(content);
        return undefined;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/governance/documents/:id/approvals',
      access: 'governance.approve',
      scope: 'global',
      audit: 'governance.approval.recorded',
      summary: 'Approve a policy or accept a risk as a member of the management body, naming the SHA-256 of the bytes you reviewed',
      tag: 'governance',
      params: api.idParams,
      body: api.approvalCreate,
      response: { status: 201, schema: api.approvalDto },
      handler: async ({ params, body, audit, principal }) => {
        const a = await deps.governance.accountability.approve(params.id, body, person(principal), audit);
        return { ...a, approvedAt: iso(a.approvedMs), approvedMs: undefined };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/governance/approvals',
      access: 'governance.read',
      summary: 'Management approvals of policies and risk acceptances',
      tag: 'governance',
      response: { status: 200, schema: z.array(api.approvalDto) },
      handler: async () => (await deps.governance.accountability.approvals()).map((a) => ({ ...a, approvedAt: iso(a.approvedMs), approvedMs: undefined })),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/governance/training',
      access: 'governance.approve',
      scope: 'global',
      audit: 'governance.training.attested',
      summary: 'Attest your own completed cybersecurity training (NIS2 Art. 20(2))',
      tag: 'governance',
      body: api.trainingCreate,
      response: { status: 201, schema: api.trainingDto },
      handler: async ({ body, audit, principal }) => {
        const t = await deps.governance.accountability.attestTraining(body, person(principal), audit);
        return { ...t, attestedAt: iso(t.attestedMs), attestedMs: undefined };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/governance/training',
      access: 'governance.read',
      summary: 'Training attestations',
      tag: 'governance',
      response: { status: 200, schema: z.array(api.trainingDto) },
      handler: async () => (await deps.governance.accountability.training()).map((t) => ({ ...t, attestedAt: iso(t.attestedMs), attestedMs: undefined })),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/governance/retention-justifications/:id',
      access: 'governance.manage',
      scope: 'global',
      audit: 'governance.retention.justified',
      summary: 'Record why a camera keeps footage longer than 72 hours (retention compliance)',
      tag: 'governance',
      params: api.idParams,
      body: api.retentionJustification,
      response: { status: 204 },
      handler: async ({ params, body, audit }) => {
        await deps.governance.accountability.justifyRetention(params.id, body.justification, audit);
        return undefined;
      },
    }),
  ];
}
