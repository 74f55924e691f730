/**
 * The native ingest spread over worker threads (issue 5 "Scheduling"): each camera's RTSP
 * session, depacketizer and fMP4 writer run in one of `workers` threads, so garbage collection,
 * HTTP requests and database work on the main thread do not stall reading cameras. Pieces come
 * back to the main thread (transferred, not copied) where the recorder seals and indexes them
 * exactly as before.
 *
 * Contracts: those of Ingest (src/ingest/ingest.ts). A camera goes to the worker running the
 * fewest cameras. Back-pressure crosses the thread boundary: a piece is acknowledged only after
 * the recorder's sink settled, and a worker holds at most `pieceWindow` unacknowledged pieces
 * per camera before pausing that camera's socket. A worker that dies fails its cameras'
 * runs (the recorder reconnects them) and is replaced.
 */
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Ingest, IngestEvents, IngestLosses, IngestTarget, PieceSink } from '../ingest.ts';
import type { MediaPiece } from '../../media/media.ts';
import type { FromWorker, ToWorker } from './ingest-worker.ts';
import type { CameraNetworkPolicy } from '../camera-networks.ts';

interface Run {
  readonly cameraId: string;
  readonly worker: Slot;
  readonly sink: PieceSink;
  readonly events: IngestEvents | undefined;
  /** Pieces delivered in order: the next waits for the previous sink call. */
  chain: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
  failed: boolean;
}

interface Slot {
  worker: Worker;
  cameras: number;
  /** The worker's ring of recorded fragments (ADR 0044), once it said so. */
  ring: SharedArrayBuffer | undefined;
}

/** How long an ended run's ring regions stay untouched after the run settled: the recorder ends its live stream (and so drops the hub's references) in that time. */
const releaseGraceMs = 5000;

export interface WorkerIngest extends Ingest {
  /** Stops every worker thread. */
  close(): Promise<void>;
}

export function createWorkerIngest(opts: {
  workers: number;
  fragmentSeconds: number;
  stallTimeoutMs: number;
  log: Logger;
  networks?: CameraNetworkPolicy;
  /** Per-frame live chunks besides fragments (ADR 0038). */
  liveChunks?: boolean;
  /** Shared space per worker for recorded fragments (ADR 0044): 16 MiB at first, growing up to `maxRingBytes` (1 GiB). */
  ringBytes?: number;
  maxRingBytes?: number;
  /** Told each worker's ring, so the seal pool can read fragments in place (SealPool.share). */
  onRing?: (buffer: SharedArrayBuffer) => void;
}): WorkerIngest {
  const { log } = opts;
  const runs = new Map<number, Run>();
  const losses = new Map<string, IngestLosses>();
  let nextId = 1;
  let closed = false;

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(new URL('./ingest-worker.ts', import.meta.url), { workerData: { ringBytes: opts.ringBytes, maxRingBytes: opts.maxRingBytes ?? opts.ringBytes } }), cameras: 0, ring: undefined };
    slot.worker.unref();
    slot.worker.on('message', (m: FromWorker) => onMessage(slot, m));
    slot.worker.on('error', (e) => log.error({ err: e }, 'ingest worker failed'));
    slot.worker.on('exit', (code) => {
      // Fail the runs of a dead worker (the recorder reconnects them) and replace it.
      for (const [id, run] of runs) {
        if (run.worker !== slot) continue;
        runs.delete(id);
        run.reject(new AppError('CAMERA_UNREACHABLE', `ingest worker stopped (exit ${code})`));
      }
      if (!closed) {
        const i = slots.indexOf(slot);
        if (i >= 0) slots[i] = spawn();
      }
    });
    return slot;
  };
  const slots: Slot[] = Array.from({ length: Math.max(1, opts.workers) }, spawn);

  /** Lets the worker reuse an ended run's ring regions, once the recorder is surely done with them. */
  function release(slot: Slot, id: number): void {
    setTimeout(() => slot.worker.postMessage({ type: 'release', id } satisfies ToWorker), releaseGraceMs).unref();
  }

  function onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'log') {
      log[m.level](m.obj, m.msg);
      return;
    }
    if (m.type === 'ring') {
      slot.ring = m.buffer;
      opts.onRing?.(m.buffer);
      return;
    }
    const run = runs.get(m.id);
    if (run === undefined) return;
    switch (m.type) {
      case 'playing':
        run.events?.playing?.();
        break;
      case 'piece':
      case 'shared-piece': {
        let piece: MediaPiece;
        if (m.type === 'shared-piece') {
          // A view of the worker's ring: valid until this piece is acknowledged and, for the live
          // hub's key-frame cache, until a later key fragment is (ingest-worker.ts).
          piece = { ...m.piece, bytes: Buffer.from(slot.ring as SharedArrayBuffer, m.offset, m.length) };
        } else {
          const u8 = m.piece.bytes as unknown as Uint8Array;
          piece = { ...m.piece, bytes: Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength) };
        }
        run.chain = run.chain.then(async () => {
          if (run.failed) return;
          try {
            await run.sink(piece);
            slot.worker.postMessage({ type: 'ack', id: m.id } satisfies ToWorker);
          } catch (e) {
            // The recorder refused a piece (storage failed): end this run with its error.
            run.failed = true;
            slot.worker.postMessage({ type: 'stop', id: m.id } satisfies ToWorker);
            run.reject(e);
          }
        });
        return;
      }
      case 'counters':
        losses.set(run.cameraId, m.counters);
        return;
      case 'end':
        runs.delete(m.id);
        void run.chain.then(() => run.resolve()).then(() => release(slot, m.id));
        return;
      case 'fail':
        runs.delete(m.id);
        void run.chain.then(() => run.reject(new AppError(m.error.code as ErrorCode, m.error.message, m.error.detail))).then(() => release(slot, m.id));
        return;
    }
  }

  return {
    name: 'native',
    losses: (cameraId) => losses.get(cameraId),
    run(target: IngestTarget, sink: PieceSink, signal: AbortSignal, events?: IngestEvents): Promise<void> {
      if (closed) return Promise.reject(new AppError('CAMERA_UNREACHABLE', 'the ingest workers are closed'));
      const slot = slots.reduce((a, b) => (b.cameras < a.cameras ? b : a));
      const id = nextId++;
      slot.cameras++;
      return new Promise<void>((resolve, reject) => {
        // Settled once: a sink failure rejects the run before the worker's own end arrives.
        let settled = false;
        const done = () => {
          if (settled) return false;
          settled = true;
          slot.cameras--;
          signal.removeEventListener('abort', stop);
          stopLive();
          return true;
        };
        const run: Run = {
          cameraId: target.cameraId,
          worker: slot,
          sink,
          events,
          chain: Promise.resolve(),
          resolve: () => {
            if (done()) resolve();
          },
          reject: (e) => {
            if (done()) reject(e instanceof Error ? e : new Error(String(e)));
          },
          failed: false,
        };
        runs.set(id, run);
        const stop = () => slot.worker.postMessage({ type: 'stop', id } satisfies ToWorker);
        signal.addEventListener('abort', stop, { once: true });
        const networks = opts.networks === undefined ? {} : { networks: { allow: [...opts.networks.allow], deny: [...opts.networks.deny] } };
        // Live chunks only while the camera is watched (ADR 0044): the demand crosses to the worker.
        const stopLive = events?.live?.onChange((wanted) => slot.worker.postMessage({ type: 'live', id, wanted } satisfies ToWorker)) ?? (() => undefined);
        slot.worker.postMessage({ type: 'start', id, target, fragmentSeconds: opts.fragmentSeconds, stallTimeoutMs: opts.stallTimeoutMs, liveChunks: opts.liveChunks === true, live: events?.live?.wanted() ?? true, ...networks } satisfies ToWorker);
        if (signal.aborted) stop();
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
