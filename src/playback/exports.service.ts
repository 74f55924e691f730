import { randomUUID } from 'node:crypto';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { ExportJob } from './export-job.ts';
import type { Exporter } from './vault-exporter.ts';
import type { PlaybackService } from './playback.service.ts';

/** What the service needs from storage (implemented by exports.store.ts). */
export interface ExportStore {
  insert(job: ExportJob): Promise<void>;
  update(job: ExportJob): Promise<void>;
  get(id: string): Promise<ExportJob | undefined>;
  /** Jobs that were pending or running when the server stopped. */
  unfinished(): Promise<ExportJob[]>;
}

/**
 * Export jobs: checks the range has recordings before accepting, renders in the background one
 * job at a time (ffmpeg is CPU-bound next to the recorder), and records the outcome. Jobs left
 * running by a crash are marked failed at start.
 */
export class ExportsService {
  readonly #store: ExportStore;
  readonly #exporter: Exporter;
  readonly #playback: PlaybackService;
  readonly #clock: Clock;
  readonly #log: Logger;
  #queue: Promise<void> = Promise.resolve();

  constructor(deps: { store: ExportStore; exporter: Exporter; playback: PlaybackService; clock: Clock; log: Logger }) {
    this.#store = deps.store;
    this.#exporter = deps.exporter;
    this.#playback = deps.playback;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  /** Marks jobs interrupted by a crash as failed and removes their partial files. */
  async recover(): Promise<void> {
    for (const job of await this.#store.unfinished()) {
      await this.#exporter.remove(job.id);
      await this.#store.update({ ...job, state: 'failed', error: 'interrupted by a server restart', finishedMs: this.#clock.now() });
    }
  }

  /** Accepts an export of an existing camera's range; NO_RECORDING when nothing is there. */
  async create(cameraId: string, fromMs: number, toMs: number): Promise<ExportJob> {
    await this.#playback.select(cameraId, fromMs, toMs);
    const job: ExportJob = { id: randomUUID(), cameraId, fromMs, toMs, state: 'pending', bytes: null, error: null, createdMs: this.#clock.now(), finishedMs: null };
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

  /** The MP4 of a finished job and its size. */
  async download(id: string): Promise<{ bytes: AsyncIterable<Buffer>; size: number }> {
    const job = await this.get(id);
    if (job.state !== 'done' || job.bytes === null) throw new AppError('NOT_FOUND', `export is ${job.state}, not done`);
    return { bytes: this.#exporter.open(id), size: job.bytes };
  }

  /** Resolves when every accepted job has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.#queue;
  }

  async #run(job: ExportJob): Promise<void> {
    let current: ExportJob = { ...job, state: 'running' };
    try {
      await this.#store.update(current);
      const selections = await this.#playback.select(job.cameraId, job.fromMs, job.toMs);
      const bytes = await this.#exporter.render(job.id, selections);
      current = { ...current, state: 'done', bytes, finishedMs: this.#clock.now() };
    } catch (e) {
      this.#log.error({ err: e, exportId: job.id }, 'export failed');
      await this.#exporter.remove(job.id).catch(() => undefined);
      current = { ...current, state: 'failed', error: e instanceof AppError ? e.message : 'internal error', finishedMs: this.#clock.now() };
    }
    await this.#store.update(current).catch((e: unknown) => this.#log.error({ err: e }, 'could not record export outcome'));
  }
}
