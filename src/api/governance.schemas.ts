import { z } from 'zod';

/**
 * Wire schemas of the governance API (NIS2 requirement catalogue, live evidence, documents on
 * file, management approvals, training attestations). Times are RFC 3339 UTC.
 */

const sha256 = z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256, 64 lowercase hex digits.');

export const requirementStatus = z.enum(['not-assessed', 'planned', 'partial', 'implemented', 'not-applicable']).describe('How far the requirement is met; not-applicable needs a reason.');

export const requirementDto = z.object({
  id: z.string(),
  framework: z.enum(['nis2-art21', 'ir-2024-2690', 'iso27001-2022-annex-a']),
  ref: z.string().describe('The reference as the source writes it: Art. 21(2)(a), Annex 9, A.8.24.'),
  title: z.string(),
  status: requirementStatus,
  owner: z.string().nullable(),
  evidence: z.array(z.string()).describe('Evidence links: live:<metric>, document:<id>, ledger:<seq> or an https URL.'),
  reason: z.string().nullable().describe('Why the measure is not applied.'),
  updatedBy: z.string(),
  updatedAt: z.string(),
});

export const requirementParams = z.strictObject({ id: z.string().regex(/^[a-zA-Z0-9.-]{1,64}$/) });

export const requirementUpdate = z.strictObject({
  status: requirementStatus.optional(),
  owner: z.string().min(1).max(200).nullable().optional().describe('Who answers for the requirement; null to clear.'),
  evidence: z.array(z.string().min(1).max(2000)).max(100).optional().describe('Replaces the evidence links.'),
  reason: z.string().min(1).max(2000).nullable().optional().describe('Why the measure is not applied (required with not-applicable).'),
});

export const metricDto = z.object({
  id: z.string(),
  title: z.string(),
  state: z.enum(['ok', 'attention', 'no-record', 'not-built']),
  summary: z.string(),
  value: z.unknown(),
  source: z.string().describe('Where the value was read from.'),
});

export const liveEvidenceDto = z.object({ measuredAt: z.string(), metrics: z.array(metricDto) });

export const documentKind = z.enum(['policy', 'risk-acceptance', 'certification', 'sbom', 'key-design', 'incident-process', 'residency', 'reference', 'training-material', 'other']);

export const documentDto = z.object({
  id: z.uuid(),
  kind: documentKind,
  title: z.string(),
  mediaType: z.string(),
  sha256,
  bytes: z.number().int(),
  registeredBy: z.string(),
  registeredAt: z.string(),
});

export const documentCreate = z.strictObject({
  kind: documentKind,
  title: z.string().min(1).max(200),
  mediaType: z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/).max(100).default('application/octet-stream'),
  contentBase64: z.base64().min(1).max(1_400_000).describe('The document bytes, base64 (at most 1 MiB decoded).'),
});

export const idParams = z.strictObject({ id: z.uuid() });

export const approvalCreate = z.strictObject({
  sha256: sha256.describe('The SHA-256 of the document bytes you reviewed: the approval is refused (CONFLICT) when it is not the document on file.'),
  approverFunction: z.string().min(1).max(100).describe('Your function in the management body, e.g. CEO, Board member.'),
  note: z.string().min(1).max(2000).optional(),
});

export const approvalDto = z.object({
  id: z.uuid(),
  documentId: z.uuid(),
  documentSha256: sha256,
  kind: z.enum(['policy-approval', 'risk-acceptance']),
  approverId: z.string(),
  approverName: z.string(),
  approverFunction: z.string(),
  note: z.string().nullable(),
  approvedAt: z.string(),
  ledgerSeq: z.number().int(),
});

export const trainingCreate = z.strictObject({
  course: z.string().min(1).max(200),
  completedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('Date completed, YYYY-MM-DD.'),
  certificateDocumentId: z.uuid().optional().describe('The certificate, when one is on file.'),
});

export const trainingDto = z.object({
  id: z.uuid(),
  userId: z.string(),
  userName: z.string(),
  course: z.string(),
  completedOn: z.string(),
  certificateSha256: sha256.nullable(),
  attestedAt: z.string(),
  ledgerSeq: z.number().int(),
});

export const retentionJustification = z.strictObject({ justification: z.string().min(1).max(2000).describe('Why this camera keeps footage longer than 72 hours.') });
