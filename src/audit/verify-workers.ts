import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { checkPage, type PageInput, type PageResult } from './verify-page.ts';
import type { FromVerifyWorker, ToVerifyWorker } from './verify-worker.ts';

/** Checks pages of the stored ledger for `verifyLedger`, here or on worker threads. */
export interface PageChecker {
  check(input: PageInput): Promise<PageResult>;
  /** Pages checked at once at most (verify reads that many ahead). */
  readonly parallel: number;
  close(): Promise<void>;
}

/** Checks every page on the calling thread. */
export const inlinePageChecker: PageChecker = {
  check: (input) => Promise.resolve(checkPage(input)),
  parallel: 1,
  close: () => Promise.resolve(),
};

interface Waiting {
  readonly resolve: (r: PageResult) => void;
  readonly reject: (e: unknown) => void;
  readonly worker: Worker;
}

/**
 * `count` worker threads checking pages (verify-worker.ts), handed out in turn. A worker that
 * fails or stops rejects the pages it held: verify then fails, it never reports a page it did
 * not check. `close` stops them; an unclosed pool does not keep the process alive.
 */
export function startVerifyWorkers(count: number): PageChecker {
  const waiting = new Map<number, Waiting>();
  let nextId = 0;
  let closed = false;
  const failAll = (worker: Worker, error: Error) => {
    for (const [id, w] of waiting) {
      if (w.worker !== worker) continue;
      waiting.delete(id);
      w.reject(error);
    }
  };
  const workers = Array.from({ length: Math.max(1, count) }, () => {
    const worker = new Worker(new URL('./verify-worker.ts', import.meta.url));
    worker.unref();
    worker.on('message', (m: FromVerifyWorker) => {
      const w = waiting.get(m.id);
      if (w === undefined) return;
      waiting.delete(m.id);
      if ('error' in m) w.reject(new Error(`verify worker: ${m.error}`));
      else w.resolve(m.result);
    });
    worker.on('error', (e) => failAll(worker, e));
    worker.on('exit', (code) => failAll(worker, new Error(`verify worker stopped (exit ${code})${closed ? ' on close' : ''}`)));
    return worker;
  });
  return {
    parallel: workers.length,
    check(input) {
      if (closed) return Promise.reject(new Error('the verify workers are closed'));
      const id = nextId++;
      const worker = workers[id % workers.length] as Worker;
      return new Promise<PageResult>((resolve, reject) => {
        waiting.set(id, { resolve, reject, worker });
        worker.postMessage({ id, input } satisfies ToVerifyWorker);
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Below this many records, starting threads costs more than they save. */
const workersFrom = 16_384;

/** Worker threads at most: each holds its own copy of the code and a few pages (tens of MB). */
const maxWorkers = 8;

/**
 * The checker for a ledger of `records` records: one worker thread per core, at most 8 (the
 * calling thread mostly reads pages meanwhile), for a large ledger; this thread for a small one.
 * The caller closes it.
 */
export function pageCheckerFor(records: number): PageChecker {
  return records >= workersFrom ? startVerifyWorkers(Math.min(maxWorkers, availableParallelism())) : inlinePageChecker;
}
