import { createHash, randomUUID } from 'node:crypto';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import { custodyBytes, custodySha256 as custodyHash, type CustodyRecord } from '../evidence/custody-record.ts';
import type { Clock } from '../lib/clock.ts';
import type { MonotonicClock } from '../lib/monotonic-clock.ts';
import { AppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { cosignedEvidence } from '../evidence/cosigned-evidence.ts';
import { noteBody } from '../tlog/cosignature.ts';
import { parseCheckpoint } from '../tlog/checkpoint.ts';
import type { CustodyRequest, ExportEvidence, ExportJob, ExportOwners } from './export-job.ts';
import type { Exporter } from './vault-exporter.ts';
import type { DamagedSpan } from './export-damage.ts';
import type { PlaybackService } from './playback.service.ts';
import type { Selection } from './hls-playlist.ts';
import { ExportProgressBoard, type ExportProgress } from './export-progress.ts';

/** What the service needs from storage (implemented by exports.store.ts). */
export interface ExportStore {
  insert(job: ExportJob): Promise<void>;
  update(job: ExportJob): Promise<void>;
  get(id: string): Promise<ExportJob | undefined>;
  /** Jobs that were pending or running when the server stopped. */
  unfinished(): Promise<ExportJob[]>;
  /** Jobs `user` (`user:<id>`) requested or approved, newest first, at most `limit`. */
  ofUser(user: string, limit: number): Promise<ExportJob[]>;
  /** Every job matching the filter, newest first, at most `limit` (the export history). */
  history(filter: ExportHistoryFilter): Promise<ExportJob[]>;
}

/** Which jobs the export history lists. */
export interface ExportHistoryFilter {
  readonly cameraId?: string | undefined;
  /** Requested at or after. */
  readonly fromMs?: number | undefined;
  /** Requested before. */
  readonly toMs?: number | undefined;
  readonly limit: number;
}

/** Where the witnesses' cosignatures of a checkpoint are (cosignature.store.ts). */
export interface ExportCosignatures {
  forSize(size: number): Promise<readonly { readonly line: string }[]>;
}

/** What exports need of the audit ledger. */
export type ExportLedger = Pick<AuditLedger, 'record' | 'leavesOfTargets' | 'proofsFor'>;

/** The version a custody record names as its producer. */
const producer = 'custos 0.1.0';

/**
 * Export jobs with chain of custody (EVD-1): checks the range has recordings before accepting,
 * commits the request (who, why, for whom) to the audit ledger before accepting it, renders in
 * the background one job at a time (ffmpeg is CPU-bound next to the recorder), waits until the
 * exported segments are sealed and have their ledger leaves (an open segment is sealed early on
 * request, see #sealedSegments), then commits the completion (SHA-256
 * of the MP4 and of the custody record, the segment leaves) and keeps the inclusion proofs of
 * every leaf against one signed checkpoint. Jobs left running by a crash are marked failed at start.
 */
export class ExportsService {
  readonly #store: ExportStore;
  readonly #exporter: Exporter;
  readonly #playback: PlaybackService;
  readonly #ledger: ExportLedger;
  readonly #clock: Clock;
  /** The leaf wait is a duration: measured on the monotonic clock. */
  readonly #monotonic: MonotonicClock;
  readonly #log: Logger;
  readonly #leafWaitMs: number;
  readonly #cosignatures: ExportCosignatures | undefined;
  readonly #sealOpen: (cameraId: string) => boolean;
  readonly #progress = new ExportProgressBoard();
  #queue: Promise<void> = Promise.resolve();

  constructor(deps: {
    store: ExportStore;
    exporter: Exporter;
    playback: PlaybackService;
    ledger: ExportLedger;
    clock: Clock;
    monotonic: MonotonicClock;
    log: Logger;
    leafWaitMs: number;
    /** Witness cosignatures of checkpoints: added to the evidence when it is handed out. */
    cosignatures?: ExportCosignatures;
    /**
     * Asks the recorder to seal a camera's open segment at its next key frame (Recorder.sealSoon),
     * so an export of recent footage waits about one GOP, not the rest of the segment.
     */
    sealOpen?: (cameraId: string) => boolean;
  }) {
    this.#store = deps.store;
    this.#exporter = deps.exporter;
    this.#playback = deps.playback;
    this.#ledger = deps.ledger;
    this.#clock = deps.clock;
    this.#monotonic = deps.monotonic;
    this.#log = deps.log;
    this.#leafWaitMs = deps.leafWaitMs;
    this.#cosignatures = deps.cosignatures;
    this.#sealOpen = deps.sealOpen ?? (() => false);
  }

  /** Where a job is (phase, percent, bytes): live for jobs of this process, from the state otherwise. */
  progress(job: ExportJob): ExportProgress {
    return this.#progress.of(job);
  }

  /**
   * Marks jobs interrupted by a crash as failed and removes their partial files. The request's
   * ledger intent gets its outcome: `footage.export.completed` with outcome failure, reason
   * "interrupted", unless the completion was committed just before the crash.
   */
  async recover(): Promise<void> {
    const jobs = await this.#store.unfinished();
    const completed = await this.#ledger.leavesOfTargets('footage.export.completed', jobs.map((j) => j.id));
    for (const job of jobs) {
      await this.#exporter.remove(job.id);
      if (!completed.has(job.id)) {
        await this.#ledger.record({
          type: 'footage.export.completed',
          actor: { kind: 'system', id: 'system:exports' },
          target: { kind: 'export', id: job.id },
          cameraId: job.cameraId,
          outcome: 'failure',
          reason: 'interrupted: the server stopped before the export finished',
          details: { exportId: job.id, interrupted: true },
        });
      }
      await this.#store.update({ ...job, state: 'failed', error: 'interrupted by a server restart', finishedMs: this.#clock.now() });
    }
  }

  /** Throws NO_RECORDING (or RANGE_INVALID) unless the range holds recordings to export. */
  async assertExportable(cameraId: string, fromMs: number, toMs: number): Promise<void> {
    await this.#playback.select(cameraId, fromMs, toMs);
  }

  /**
   * Accepts an export of an existing camera's range; NO_RECORDING when nothing is there,
   * AUDIT_UNAVAILABLE (nothing accepted) when the request cannot be committed to the ledger.
   */
  async create(camera: { id: string; name: string }, fromMs: number, toMs: number, request: CustodyRequest, by: AuditContext, owners: ExportOwners): Promise<ExportJob> {
    await this.#playback.select(camera.id, fromMs, toMs);
    const id = randomUUID();
    const now = this.#clock.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await this.#ledger.record({
      type: 'footage.export.requested',
      ...by,
      target: { kind: 'export', id },
      cameraId: camera.id,
      outcome: 'success',
      reason: request.reason,
      details: { exportId: id, from: iso(fromMs), to: iso(toMs) },
      personal: { requestedFor: request.requestedFor },
    });
    const custody = {
      v: 1,
      exportId: id,
      cameraId: camera.id,
      cameraName: camera.name,
      from: iso(fromMs),
      to: iso(toMs),
      requestedBy: { kind: by.actor.kind, id: by.actor.id, ...(by.actor.name === undefined ? {} : { name: by.actor.name }) },
      requestedAt: iso(now),
      reason: request.reason,
      requestedFor: request.requestedFor,
      producer,
    };
    const job: ExportJob = { id, cameraId: camera.id, fromMs, toMs, state: 'pending', bytes: null, error: null, createdMs: now, finishedMs: null, custody: canonicalJson(custody), evidence: null, owners };
    await this.#store.insert(job);
    this.#queue = this.#queue.then(() => this.#run(job));
    return job;
  }

  /** A job, or NOT_FOUND. */
  async get(id: string): Promise<ExportJob> {
    const job = await this.#store.get(id);
    if (!job) throw new AppError('NOT_FOUND', 'export not found');
    return job;
  }

  /**
   * A job `user` (`user:<id>`) may read and download: they requested or approved it (issue 11
   * item 10). A job made before owners were kept (no requester) is left to the camera's scope,
   * which the caller checks as for every job. NOT_FOUND otherwise, as for a missing job.
   */
  async owned(id: string, user: string): Promise<ExportJob> {
    const job = await this.get(id);
    const { requestedBy, approvedBy } = job.owners;
    if (requestedBy !== null && requestedBy !== user && approvedBy !== user) throw new AppError('NOT_FOUND', 'export not found');
    return job;
  }

  /** The jobs `user` (`user:<id>`) requested or approved, newest first (at most 200). */
  ofUser(user: string): Promise<ExportJob[]> {
    return this.#store.ofUser(user, 200);
  }

  /** The export history: every job matching the filter, newest first (metadata only). */
  history(filter: ExportHistoryFilter): Promise<ExportJob[]> {
    return this.#store.history(filter);
  }

  /** The MP4 of a finished job and its size; the download is audited first. */
  async download(id: string, by: AuditContext): Promise<{ bytes: AsyncIterable<Buffer>; size: number }> {
    const job = await this.get(id);
    if (job.state !== 'done' || job.bytes === null) throw new AppError('NOT_FOUND', `export is ${job.state}, not done`);
    await this.#downloaded(job, 'mp4', by);
    return { bytes: this.#exporter.open(id), size: job.bytes };
  }

  /** The evidence of a finished job and its MP4; NOT_FOUND for exports made without custody. */
  async evidence(id: string, by: AuditContext): Promise<{ evidence: ExportEvidence; mp4: () => AsyncIterable<Buffer> }> {
    const job = await this.get(id);
    if (job.state !== 'done' || job.evidence === null) throw new AppError('NOT_FOUND', `export ${job.state === 'done' ? 'has no evidence (made before the audit ledger)' : `is ${job.state}, not done`}`);
    await this.#downloaded(job, 'evidence', by);
    const stored = JSON.parse(job.evidence) as ExportEvidence;
    // Witnesses cosign after the export completed (asynchronously): their lines are added now,
    // from what is stored beside the checkpoint at this moment.
    const body = noteBody(stored.checkpoint);
    const lines = this.#cosignatures === undefined || body === undefined ? [] : (await this.#cosignatures.forSize(parseCheckpoint(body).size)).map((c) => c.line);
    return { evidence: cosignedEvidence(stored, lines), mp4: () => this.#exporter.open(id) };
  }

  async #downloaded(job: ExportJob, what: 'mp4' | 'evidence', by: AuditContext): Promise<void> {
    await this.#ledger.record({ type: 'footage.export.downloaded', ...by, target: { kind: 'export', id: job.id }, cameraId: job.cameraId, outcome: 'success', details: { exportId: job.id, what } });
  }

  /** Resolves when every accepted job has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.#queue;
  }

  async #run(job: ExportJob): Promise<void> {
    let current: ExportJob = { ...job, state: 'running' };
    try {
      await this.#store.update(current);
      this.#progress.phase(job.id, 'waiting-for-footage');
      const selections = await this.#sealedSegments(job);
      this.#progress.rendering(job.id, totalBytes(selections));
      const rendered = await this.#exporter.render(job.id, selections, (fed) => this.#progress.fed(job.id, fed));
      const bytes = rendered.size;
      this.#progress.phase(job.id, 'proving');
      // Only segments that gave footage are named as leaves; damaged spans left out are stated as gaps.
      if (rendered.damaged.length > 0) this.#log.warn({ exportId: job.id, damaged: rendered.damaged }, 'export left out damaged footage');
      // The custody record states the span recorded footage covers (the request's range clipped
      // to the first and last recorded segment, damaged or not, so damage at either end is a
      // stated gap rather than silently clipped away; the requested range is in the request leaf).
      const span = { fromMs: Math.max(job.fromMs, Math.min(...selections.map((x) => x.segment.startMs))), toMs: Math.min(job.toMs, Math.max(...selections.map((x) => x.segment.endMs))) };
      const evidence = job.custody === null ? null : await this.#evidence(job, job.custody, rendered.segmentIds, span, rendered.damaged);
      current = { ...current, state: 'done', bytes, finishedMs: this.#clock.now(), evidence: evidence === null ? null : JSON.stringify(evidence) };
    } catch (e) {
      this.#log.error({ err: e, exportId: job.id }, 'export failed');
      await this.#exporter.remove(job.id).catch(() => undefined);
      current = { ...current, state: 'failed', error: e instanceof AppError ? e.message : 'internal error', finishedMs: this.#clock.now() };
    }
    await this.#store.update(current).catch((e: unknown) => this.#log.error({ err: e }, 'could not record export outcome'));
    this.#progress.finished(job.id);
  }

  /**
   * The selection to export, once every segment of it is sealed and has its ledger leaf (so the
   * evidence proves all of it), or `leafWaitMs` has passed. Recent footage does not wait for its
   * segment to end: the range stops at the last fragment written when the job starts, and the
   * recorder is asked to seal the open segment at its next key frame (issue 19 item 5). A segment
   * opened by that cut (it may touch the range's end by a few milliseconds of clock anchoring)
   * is left out: it holds nothing written before the job started.
   */
  async #sealedSegments(job: ExportJob): Promise<Selection[]> {
    const deadline = this.#monotonic.now() + this.#leafWaitMs;
    const first = await this.#playback.select(job.cameraId, job.fromMs, job.toMs);
    const toMs = Math.min(job.toMs, Math.max(...first.map((s) => s.segment.endMs)));
    const waited = new Set(first.map((s) => s.segment.id));
    if (first.some((s) => s.segment.state === 'open')) this.#sealOpen(job.cameraId);
    for (;;) {
      const selections = (await this.#playback.select(job.cameraId, job.fromMs, toMs)).filter((s) => s.segment.state !== 'open' || waited.has(s.segment.id));
      // Every segment seen at the start too: while one is being closed it is briefly in neither
      // the index (its row still says open) nor the recorder, and MUST NOT be dropped for that.
      const ids = [...new Set([...selections.map((s) => s.segment.id), ...waited])];
      const open = selections.some((s) => s.segment.state === 'open');
      const leaves = await this.#ledger.leavesOfTargets('footage.segment.sealed', ids);
      if ((!open && leaves.size === ids.length) || this.#monotonic.now() >= deadline) {
        if (selections.length === 0) throw new AppError('NO_RECORDING', 'nothing is recorded in this range', { cameraId: job.cameraId });
        return selections;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async #evidence(job: ExportJob, requestedCustody: string, segmentIds: readonly string[], span: { fromMs: number; toMs: number }, damaged: readonly DamagedSpan[]): Promise<ExportEvidence> {
    const hash = createHash('sha256');
    for await (const chunk of this.#exporter.open(job.id)) hash.update(chunk);
    const mp4Sha256 = hash.digest('hex');
    const iso = (ms: number) => new Date(ms).toISOString();
    // Damage inside the span is stated as gaps, so the record never claims footage the MP4 lacks.
    const gaps = damaged
      .filter((d) => d.toMs > span.fromMs && d.fromMs < span.toMs)
      .map((d) => ({ from: iso(Math.max(d.fromMs, span.fromMs)), to: iso(Math.min(d.toMs, span.toMs)), reason: `footage damaged: ${d.reason}` }));
    const custodyRecord: CustodyRecord = {
      ...(JSON.parse(requestedCustody) as Omit<CustodyRecord, 'producedAt'>),
      from: iso(span.fromMs),
      to: iso(span.toMs),
      ...(gaps.length > 0 ? { gaps } : {}),
      producedAt: iso(this.#clock.now()),
    };
    const custody = custodyBytes(custodyRecord).toString('utf8');
    const custodySha256 = custodyHash(custodyRecord);
    const request = (await this.#ledger.leavesOfTargets('footage.export.requested', [job.id])).get(job.id);
    if (request === undefined) throw new AppError('EXPORT_FAILED', 'the export request is missing from the audit ledger');
    const leaves = await this.#ledger.leavesOfTargets('footage.segment.sealed', segmentIds);
    const missingLeaves = segmentIds.filter((id) => !leaves.has(id));
    const segmentSeqs = segmentIds.flatMap((id) => {
      const leaf = leaves.get(id);
      return leaf === undefined ? [] : [leaf.seq];
    });
    const completed = await this.#ledger.record({
      type: 'footage.export.completed',
      actor: { kind: 'system', id: 'system:exports' },
      target: { kind: 'export', id: job.id },
      cameraId: job.cameraId,
      outcome: 'success',
      details: {
        exportId: job.id,
        mp4Sha256,
        custodySha256,
        requestSeq: request.seq,
        segments: segmentSeqs,
        missingSegmentLeaves: missingLeaves,
        ...(damaged.length > 0 ? { damaged: damaged.map((d) => ({ segmentId: d.segmentId, from: iso(d.fromMs), to: iso(d.toMs), reason: d.reason })) } : {}),
      },
    });
    const texts: Record<string, string> = { [String(completed.seq)]: completed.text, [String(request.seq)]: request.text };
    for (const leaf of leaves.values()) texts[String(leaf.seq)] = leaf.text;
    const { checkpoint, bundles } = await this.#ledger.proofsFor(Object.keys(texts).map(Number));
    return { mp4Sha256, custody, leaves: texts, proofs: Object.fromEntries([...bundles].map(([seq, b]) => [String(seq), b])), checkpoint: checkpoint.note, missingLeaves };
  }
}

/** Fragment bytes an export reads (what its progress counts). */
function totalBytes(selections: readonly Selection[]): number {
  return selections.reduce((sum, s) => sum + s.fragments.reduce((n, f) => n + f.size, 0), 0);
}
