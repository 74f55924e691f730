/**
 * The body of one verify worker thread (verify-workers.ts starts it): checks the pages the main
 * thread posts with `checkPage` and posts each result back. Messages (structured clone):
 *   main → worker: {id, input}; worker → main: {id, result} or {id, error}.
 */
import { parentPort } from 'node:worker_threads';
import { checkPage, type PageInput, type PageResult } from './verify-page.ts';

/** A message from the main thread. */
export interface ToVerifyWorker {
  readonly id: number;
  readonly input: PageInput;
}

/** A message to the main thread. */
export type FromVerifyWorker = { readonly id: number; readonly result: PageResult } | { readonly id: number; readonly error: string };

const port = parentPort;
if (port === null) throw new Error('verify-worker.ts runs as a worker thread');
port.on('message', (m: ToVerifyWorker) => {
  try {
    port.postMessage({ id: m.id, result: checkPage(m.input) } satisfies FromVerifyWorker);
  } catch (e) {
    port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies FromVerifyWorker);
  }
});
