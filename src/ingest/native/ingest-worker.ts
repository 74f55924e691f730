/**
 * The body of one ingest worker thread (worker-ingest.ts starts it): runs native ingests for the
 * cameras the main thread assigns, and posts their pieces back. Messages (structured clone;
 * piece bytes are transferred, not copied):
 *   main → worker: start {id, target, options, live}, ack {id}, stop {id}, live {id, wanted}
 *   worker → main: piece {id, piece}, end {id}, fail {id, error}, counters {id, counters}, log {...}
 * Back-pressure: a camera has at most `window` pieces unacknowledged; the native ingest's sink
 * waits for an ack beyond that, which pauses the camera's socket.
 *
 * Recorded fragments go through this worker's shared ring (ADR 0044): the fragment is copied
 * into a region and only its offset crosses, so the main thread allocates nothing for it and
 * the seal worker reads it in place. A region MUST stay unchanged while anyone may read it: the
 * recorder until its ack (sealed and written), and the main thread's live hub, which keeps the
 * fragments since the last key frame for new viewers. So a region is given back when a later
 * key fragment has been acknowledged (the hub has replaced its cache by then), and the regions
 * of an ended run when the main thread releases them (after the recorder ended its live
 * stream). A full ring (a slow disk, a camera without key frames) only means fragments travel
 * as transferred buffers, as before.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SharedRing } from '../../lib/shared-ring.ts';
import { AppError, isAppError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { IngestLosses, IngestTarget } from '../ingest.ts';
import type { FragmentPiece, MediaPiece } from '../../media/media.ts';
import { IngestCounters } from './ingest-counters.ts';
import { createNativeIngest } from './native-ingest.ts';
import type { CameraNetworkPolicy } from '../camera-networks.ts';

/** A message from the main thread. */
export type ToWorker =
  | { readonly type: 'start'; readonly id: number; readonly target: IngestTarget; readonly fragmentSeconds: number; readonly stallTimeoutMs: number; readonly networks?: CameraNetworkPolicy; readonly liveChunks?: boolean; /** Whether live chunks are wanted now (LiveDemand, ADR 0044). */ readonly live: boolean }
  | { readonly type: 'live'; readonly id: number; readonly wanted: boolean }
  | { readonly type: 'ack'; readonly id: number }
  | { readonly type: 'stop'; readonly id: number }
  /** The main thread is done with an ended run's pieces: their ring regions may be reused. */
  | { readonly type: 'release'; readonly id: number };

/** A message to the main thread. */
export type FromWorker =
  | { readonly type: 'ring'; readonly buffer: SharedArrayBuffer }
  | { readonly type: 'piece'; readonly id: number; readonly piece: MediaPiece }
  /** A recorded fragment whose bytes lie in this worker's ring. */
  | { readonly type: 'shared-piece'; readonly id: number; readonly piece: Omit<FragmentPiece, 'bytes'>; readonly offset: number; readonly length: number }
  | { readonly type: 'end'; readonly id: number }
  | { readonly type: 'playing'; readonly id: number }
  | { readonly type: 'fail'; readonly id: number; readonly error: { code: string; message: string; detail: Record<string, unknown> | undefined } }
  | { readonly type: 'counters'; readonly id: number; readonly counters: IngestLosses }
  | { readonly type: 'log'; readonly level: 'warn' | 'debug' | 'error'; readonly obj: object; readonly msg: string };

/** Unacknowledged pieces per camera before its ingest waits. */
export const pieceWindow = 8;

const port = parentPort;
if (port === null) throw new Error('ingest-worker.ts runs as a worker thread');
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

const log = {
  warn: (obj: object, msg: string) => post({ type: 'log', level: 'warn', obj, msg }),
  debug: (obj: object, msg: string) => post({ type: 'log', level: 'debug', obj, msg }),
  error: (obj: object, msg: string) => post({ type: 'log', level: 'error', obj, msg }),
  info: () => undefined,
} as unknown as Logger;

/** This worker's ring for recorded fragments; its size comes from worker-ingest.ts. */
const sizes = workerData as { ringBytes?: number; maxRingBytes?: number } | null;
const ring = new SharedRing(sizes?.ringBytes ?? 16 * 1024 * 1024, sizes?.maxRingBytes ?? 1024 * 1024 * 1024);
post({ type: 'ring', buffer: ring.buffer });

interface Run {
  readonly abort: AbortController;
  unacked: number;
  readonly waiters: (() => void)[];
  readonly cameraId: string;
  live: boolean;
  /** Per piece posted and not yet acknowledged, in order: its ring region, if any. */
  readonly posted: ({ at: number; key: boolean } | null)[];
  /** Acknowledged regions of the current key-frame group (the live hub may hold them). */
  held: number[];
}

const counters = new IngestCounters();
const runs = new Map<number, Run>();
/** Regions of ended runs, until the main thread releases them. */
const retired = new Map<number, number[]>();

function report(id: number): void {
  const run = runs.get(id);
  const totals = run && counters.totals(run.cameraId);
  if (totals) post({ type: 'counters', id, counters: { lostPackets: totals.lostPackets, droppedFrames: totals.droppedFrames, audio: totals.audio, clockOffsetMs: totals.clockOffsetMs } });
}

const ticker = setInterval(() => {
  for (const id of runs.keys()) report(id);
}, 1000);
ticker.unref();

/** An ended run: its regions wait for the main thread's release. */
function retire(id: number, run: Run): void {
  runs.delete(id);
  const regions = [...run.held, ...run.posted.flatMap((p) => (p === null ? [] : [p.at]))];
  if (regions.length > 0) retired.set(id, regions);
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'ack') {
    const run = runs.get(m.id);
    if (run === undefined) return;
    run.unacked--;
    const region = run.posted.shift();
    if (region != null) {
      if (region.key) {
        for (const at of run.held) ring.give(at);
        run.held = [region.at];
      } else {
        run.held.push(region.at);
      }
    }
    run.waiters.shift()?.();
    return;
  }
  if (m.type === 'release') {
    for (const at of retired.get(m.id) ?? []) ring.give(at);
    retired.delete(m.id);
    return;
  }
  if (m.type === 'stop') {
    runs.get(m.id)?.abort.abort();
    return;
  }
  if (m.type === 'live') {
    const run = runs.get(m.id);
    if (run !== undefined) run.live = m.wanted;
    return;
  }
  const run: Run = { abort: new AbortController(), unacked: 0, waiters: [], cameraId: m.target.cameraId, live: m.live, posted: [], held: [] };
  runs.set(m.id, run);
  const ingest = createNativeIngest({ log, fragmentSeconds: m.fragmentSeconds, stallTimeoutMs: m.stallTimeoutMs, counters, liveChunks: m.liveChunks === true, ...(m.networks === undefined ? {} : { networks: m.networks }) });
  const sink = async (piece: MediaPiece): Promise<void> => {
    if (run.unacked >= pieceWindow) await new Promise<void>((resolve) => run.waiters.push(resolve));
    run.unacked++;
    if (piece.kind === 'fragment') {
      const length = piece.bytes.length;
      const at = ring.take(length);
      run.posted.push(at < 0 ? null : { at, key: piece.keyframe });
      if (at >= 0) {
        new Uint8Array(ring.buffer, at, length).set(piece.bytes);
        const { bytes: _bytes, ...rest } = piece;
        post({ type: 'shared-piece', id: m.id, piece: rest, offset: at, length });
        return;
      }
    } else {
      run.posted.push(null);
    }
    // The piece's bytes are handed over without a copy when they own their memory exactly (a
    // fragment or chunk of 4 KiB or more: Buffer.allocUnsafe gives it its own ArrayBuffer, and
    // nothing here touches it after the sink); smaller ones share Node's pool and are copied first.
    const own = piece.bytes.byteOffset === 0 && piece.bytes.byteLength === piece.bytes.buffer.byteLength && piece.bytes.buffer instanceof ArrayBuffer;
    const bytes = own ? piece.bytes : new Uint8Array(piece.bytes);
    post({ type: 'piece', id: m.id, piece: { ...piece, bytes: bytes as unknown as Buffer } }, [bytes.buffer as ArrayBuffer]);
  };
  // The pump asks `wanted()` per frame; changes arrive as 'live' messages.
  const live = { wanted: () => run.live, onChange: () => () => undefined };
  ingest.run(m.target, sink, run.abort.signal, { playing: () => post({ type: 'playing', id: m.id }), live }).then(
    () => {
      report(m.id);
      retire(m.id, run);
      post({ type: 'end', id: m.id });
    },
    (e: unknown) => {
      report(m.id);
      retire(m.id, run);
      const error = isAppError(e) ? e : new AppError('INTERNAL', e instanceof Error ? e.message : String(e));
      post({ type: 'fail', id: m.id, error: { code: error.code, message: error.message, detail: error.detail } });
    },
  );
});
