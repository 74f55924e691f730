import { Readable } from 'node:stream';
import { inCameraSet, type Access } from '../access/access.ts';
import type { ApprovalsService } from '../approvals/approvals.service.ts';
import { AppError } from '../lib/errors.ts';
import { z } from 'zod';
import * as api from '../api/schemas.ts';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import type { CamerasService } from '../cameras/cameras.service.ts';
import type { ExportJob } from './export-job.ts';
import type { ExportsService } from './exports.service.ts';
import { parseRange } from './time-range.ts';
import { evidenceZip } from '../evidence/evidence-package.ts';
import type { CustodyRecord } from '../evidence/custody-record.ts';

/** Dependencies of the export routes. Route builders MUST NOT use them before a handler runs. */
export interface ExportRouteDeps {
  readonly cameras: CamerasService;
  readonly exports: ExportsService;
  readonly approvals: ApprovalsService;
  /** True when the site applies the four-eyes rule to exports. */
  readonly fourEyes: (siteId: string) => Promise<boolean>;
}

const exportParams = z.strictObject({ id: z.uuid() });

/** Export jobs: create, list your own, poll, download. Only the requester and a four-eyes approver see a job. */
export function exportRoutes(deps: ExportRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/exports',
      access: 'recording.export',
      summary: 'Export a time range of a camera as MP4 (remuxed, never re-encoded)',
      tag: 'exports',
      body: api.exportCreate,
      audit: 'footage.export.requested',
      response: { status: 202, schema: api.exportJob },
      handler: async ({ body, audit, access, principal }) => {
        await access.requireCamera('recording.export', body.cameraId);
        const camera = await deps.cameras.get(body.cameraId);
        // ADR 0043: evidence is the main stream; the recorded sub-stream is for playback only.
        if (body.stream === 'sub') throw new AppError('VALIDATION_FAILED', 'the recorded sub-stream cannot be exported: exports and evidence packages are of the main stream (ADR 0043)', { field: 'stream' });
        const { fromMs, toMs } = parseRange(body.from, body.to);
        if (principal && (await deps.fourEyes(camera.siteId))) {
          await deps.exports.assertExportable(camera.id, fromMs, toMs);
          // Four-eyes site: the export waits for a second person (POST /api/v1/approvals/{id}/decision).
          const approval = await deps.approvals.request('recording.export', camera.id, { from: body.from, to: body.to, reason: body.reason, requestedFor: body.requestedFor }, principal, audit);
          throw new AppError('APPROVAL_REQUIRED', 'this site requires a second person to approve exports; the request is filed', { approvalId: approval.id });
        }
        const owners = { requestedBy: principal ? `user:${principal.userId}` : null, approvedBy: null };
        return toDto(deps, await deps.exports.create(camera, fromMs, toMs, { reason: body.reason, requestedFor: body.requestedFor }, audit, owners));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/exports',
      access: 'recording.export',
      summary: 'Your export jobs: those you requested or approved (four-eyes), newest first',
      tag: 'exports',
      response: { status: 200, schema: z.array(api.exportJob) },
      handler: async ({ access }) => {
        const mine = await deps.exports.ofUser(`user:${access.principal?.userId ?? ''}`);
        const visible = await access.cameras('recording.export');
        return mine.filter((job) => inCameraSet(visible, job.cameraId)).map((job) => toDto(deps, job));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/exports/history',
      access: 'audit.read',
      scope: 'global',
      summary: 'The export history of every camera: who exported which range when, how it ended and the MP4\'s SHA-256 (no downloads), newest first',
      tag: 'exports',
      query: api.exportHistoryQuery,
      response: { status: 200, schema: z.array(api.exportHistoryEntry) },
      handler: async ({ query }) => {
        const jobs = await deps.exports.history({ cameraId: query.camera, fromMs: query.from === undefined ? undefined : Date.parse(query.from), toMs: query.to === undefined ? undefined : Date.parse(query.to), limit: query.limit });
        return jobs.map(historyEntry);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/exports/:id',
      access: 'recording.export',
      summary: 'State of an export job (its requester and four-eyes approver only)',
      tag: 'exports',
      params: exportParams,
      response: { status: 200, schema: api.exportJob },
      handler: async ({ params, access }) => toDto(deps, await jobInScope(deps, params.id, access)),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/exports/:id/file',
      access: 'recording.export',
      summary: 'Download a finished export (its requester and four-eyes approver only)',
      tag: 'exports',
      params: exportParams,
      audit: 'footage.export.downloaded',
      response: { status: 200, mediaType: 'video/mp4' },
      handler: async ({ params, reply, audit, access }) => {
        await jobInScope(deps, params.id, access);
        const { bytes, size } = await deps.exports.download(params.id, audit);
        await reply
          .type('video/mp4')
          .header('content-length', size)
          .header('content-disposition', `attachment; filename="custos-export-${params.id}.mp4"`)
          .send(Readable.from(bytes));
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/exports/:id/evidence',
      access: 'recording.export',
      audit: 'footage.export.downloaded',
      summary: 'Download the evidence package (zip: MP4, manifest, chain of custody, ledger proofs, checkpoint; requester and four-eyes approver only); verify it with custos export verify',
      tag: 'exports',
      params: exportParams,
      response: { status: 200, mediaType: 'application/zip' },
      handler: async ({ params, reply, audit, access }) => {
        await jobInScope(deps, params.id, access);
        const { evidence, mp4 } = await deps.exports.evidence(params.id, audit);
        const zip = evidenceZip({
          openMp4: mp4,
          mp4Sha256: evidence.mp4Sha256,
          custody: JSON.parse(evidence.custody) as CustodyRecord,
          leaves: new Map(Object.entries(evidence.leaves).map(([seq, text]) => [Number(seq), text])),
          proofs: new Map(Object.entries(evidence.proofs).map(([seq, text]) => [Number(seq), text])),
          checkpoint: evidence.checkpoint,
        });
        await reply
          .type('application/zip')
          .header('content-disposition', `attachment; filename="custos-evidence-${params.id}.zip"`)
          .header('cache-control', 'no-store')
          .send(Readable.from(zip));
        return undefined;
      },
    }),
  ];
}

function toDto(deps: ExportRouteDeps, job: ExportJob): api.ExportJobDto {
  const iso = (ms: number) => new Date(ms).toISOString();
  const { phase, ...progress } = deps.exports.progress(job);
  return {
    id: job.id,
    cameraId: job.cameraId,
    from: iso(job.fromMs),
    to: iso(job.toMs),
    state: job.state,
    bytes: job.bytes,
    error: job.error,
    createdAt: iso(job.createdMs),
    finishedAt: job.finishedMs === null ? null : iso(job.finishedMs),
    download: job.state === 'done' ? `/api/v1/exports/${job.id}/file` : null,
    evidence: job.state === 'done' && job.evidence !== null ? `/api/v1/exports/${job.id}/evidence` : null,
    phase,
    progress,
    requestedBy: job.owners.requestedBy,
    approvedBy: job.owners.approvedBy,
    mp4Sha256: mp4HashOf(job),
  };
}

/** The MP4's SHA-256 of a finished job, from its evidence (null before, or without evidence). */
function mp4HashOf(job: ExportJob): string | null {
  if (job.state !== 'done' || job.evidence === null) return null;
  const hash = (JSON.parse(job.evidence) as { mp4Sha256?: unknown }).mp4Sha256;
  return typeof hash === 'string' ? hash : null;
}

/** A job as the export history shows it: no links, the custody reason but not whom it was for. */
function historyEntry(job: ExportJob): z.infer<typeof api.exportHistoryEntry> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const reason = job.custody === null ? null : (JSON.parse(job.custody) as { reason?: unknown }).reason;
  return {
    id: job.id,
    cameraId: job.cameraId,
    from: iso(job.fromMs),
    to: iso(job.toMs),
    state: job.state,
    reason: typeof reason === 'string' ? reason : null,
    requestedBy: job.owners.requestedBy,
    approvedBy: job.owners.approvedBy,
    createdAt: iso(job.createdMs),
    finishedAt: job.finishedMs === null ? null : iso(job.finishedMs),
    bytes: job.bytes,
    error: job.error,
    mp4Sha256: mp4HashOf(job),
  };
}

/**
 * The job, when it is the caller's (requested or approved by them) and they may still export its
 * camera; NOT_FOUND otherwise, as for a missing job.
 */
async function jobInScope(deps: ExportRouteDeps, id: string, access: Access): Promise<ExportJob> {
  const job = await deps.exports.owned(id, `user:${access.principal?.userId ?? ''}`);
  if (!(await access.canCamera('recording.export', job.cameraId))) throw new AppError('NOT_FOUND', 'no such export');
  return job;
}
