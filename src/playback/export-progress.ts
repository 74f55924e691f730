import type { ExportJob } from './export-job.ts';

/**
 * Where an export job is (issue 19 item 5):
 * - `queued`: accepted, waiting for the jobs before it (one render at a time);
 * - `waiting-for-footage`: the open segment of the range is being sealed and the range's ledger leaves written;
 * - `rendering`: the footage is read, decrypted and remuxed (`bytes` of the `totalBytes` of footage fragments read so far);
 * - `proving`: the MP4's hash, the completion event and the inclusion proofs are being made;
 * - `done` / `failed`: finished (the job's state).
 */
export type ExportPhase = 'queued' | 'waiting-for-footage' | 'rendering' | 'proving' | 'done' | 'failed';

/** A job's progress as the API shows it. */
export interface ExportProgress {
  readonly phase: ExportPhase;
  /** 0-100, or null when this process does not run the job (another node, before a restart). */
  readonly percent: number | null;
  /** Footage (fragment) bytes read so far, while rendering. */
  readonly bytes: number | null;
  /** Footage bytes the render reads in all, once known. */
  readonly totalBytes: number | null;
}

interface Live {
  phase: ExportPhase;
  bytes: number;
  totalBytes: number;
}

/** Share of the percentage the render stands for; sealing before it and proving after it take the rest. */
const renderShare = 90;

/**
 * The progress of the jobs this process runs, in memory (a job left running by a crash is
 * failed at the next start, so nothing here needs to outlive the process). Jobs it does not run
 * are described from their stored state alone.
 */
export class ExportProgressBoard {
  readonly #live = new Map<string, Live>();

  phase(id: string, phase: ExportPhase): void {
    const live = this.#live.get(id) ?? { phase, bytes: 0, totalBytes: 0 };
    live.phase = phase;
    this.#live.set(id, live);
  }

  rendering(id: string, totalBytes: number): void {
    this.#live.set(id, { phase: 'rendering', bytes: 0, totalBytes });
  }

  /** `bytes` of footage read so far (it restarts at 0 when a render is retried around damage). */
  fed(id: string, bytes: number): void {
    const live = this.#live.get(id);
    if (live) live.bytes = bytes;
  }

  finished(id: string): void {
    this.#live.delete(id);
  }

  of(job: ExportJob): ExportProgress {
    if (job.state === 'done') return { phase: 'done', percent: 100, bytes: null, totalBytes: null };
    if (job.state === 'failed') return { phase: 'failed', percent: null, bytes: null, totalBytes: null };
    const live = this.#live.get(job.id);
    if (!live) return { phase: job.state === 'pending' ? 'queued' : 'rendering', percent: job.state === 'pending' ? 0 : null, bytes: null, totalBytes: null };
    switch (live.phase) {
      case 'queued':
      case 'waiting-for-footage':
        return { phase: live.phase, percent: 0, bytes: null, totalBytes: null };
      case 'rendering': {
        const share = live.totalBytes > 0 ? Math.min(1, live.bytes / live.totalBytes) : 0;
        return { phase: 'rendering', percent: Math.floor(share * renderShare), bytes: live.bytes, totalBytes: live.totalBytes };
      }
      case 'proving':
        return { phase: 'proving', percent: renderShare + 5, bytes: live.totalBytes, totalBytes: live.totalBytes };
      case 'done':
      case 'failed':
        return { phase: live.phase, percent: live.phase === 'done' ? 100 : null, bytes: null, totalBytes: null };
    }
  }
}
