/**
 * A recorder with nothing else around it, for benchmarks: N cameras of a running camsim, the
 * ffmpeg ingest or the native one (in this thread, or on K worker threads as app.ts runs it),
 * the segment index in SQLite, and either the plain file store or the vault. Not part of the product: it wires the same modules app.ts wires, minus the HTTP
 * server and the audit ledger, so the store and the ingest are the only differences between runs.
 * Like the server it recovers segments left open by an unclean stop before recording, so it can
 * be killed and restarted on the same directory (bench/ingest-kill.ts).
 *
 *   node bench/recorder-harness.ts --store plain|vault [--ingest ffmpeg|native|native-workers [--workers K]] [--live-chunks]
 *                                  [--seal-workers K] [--ledger] [--viewers FRACTION] --cameras N --port P --dir DIR
 *
 * As the app runs it (issue 20's capacity sweep): `--ingest native-workers --store vault
 * --seal-workers K --ledger --live-chunks --viewers 0.1`: sealing on K worker threads (ADR 0044;
 * 0, the default, seals in this thread), each sealed segment's leaf in a real audit ledger on
 * the same database, and one live viewer on that fraction of the cameras. The viewers are
 * in-process (the hub's fan-out and the per-frame chunks they cause are counted; no WebSocket
 * writes: there is no HTTP server here). `--chunks-always` makes live chunks for every camera,
 * watched or not (as before ADR 0044), for a before/after comparison. `--keep-minutes M` runs
 * retention every 30 s as the server does (segments older than M minutes deleted, audited with
 * --ledger), so a long run does not fill the disk (250 cameras write ~125 MB/s).
 *
 * Protocol on stdout (one JSON object a line; the log goes to stderr):
 * - `{"type":"ready",…}` once recovery is done and every camera's recorder is started;
 * - a line `mark` on stdin starts the measured window: the event-loop delay histogram and the
 *   frame counts restart, and `{"type":"mark",…}` is printed;
 * - on SIGTERM, after the recorder has stopped, `{"type":"exit",…}` with, since the mark, the
 *   frames that reached the recorder per camera (counted at its sink, so for either ingest) and
 *   the span they cover, the reconnects, and the event-loop delay; and the native ingest's own
 *   counters (lost packets, frames dropped after a loss; in this thread also refused frames and
 *   sessions ended) over the whole run. Runs until SIGTERM.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/database.ts';
import { systemClock } from '../src/lib/clock.ts';
import { systemMonotonicClock } from '../src/lib/monotonic-clock.ts';
import { createLogger } from '../src/lib/logger.ts';
import { LiveHub } from '../src/live/live-hub.ts';
import { createFfmpegIngest } from '../src/ingest/ffmpeg/ffmpeg-ingest.ts';
import { FileSegmentStore } from '../test/helpers/file-segment-store.ts';
import type { Ingest } from '../src/ingest/ingest.ts';
import { Recorder } from '../src/recording/recorder.ts';
import type { SealedHashes } from '../src/recording/camera-recorder.ts';
import type { Segment } from '../src/media/segment.ts';
import { IndexWriter } from '../src/recording/index-writer.ts';
import { recoverSegments } from '../src/recording/recovery.ts';
import { applyRetention } from '../src/recording/retention.ts';
import { createSegmentIndex } from '../src/recording/segment-index.store.ts';
import type { SegmentStore } from '../src/recording/segment-store.ts';
import { VaultSegmentStore } from '../src/vault/vault-segment-store.ts';
import { SealPool } from '../src/vault/seal-pool.ts';
import { buildLedger } from '../src/audit/build-ledger.ts';
import type { AuditLedger } from '../src/audit/ledger.ts';
import { SegmentLeaves } from '../src/recording/segment-leaves.ts';
import type { Config } from '../src/config/schema.ts';
import { DataKeys } from '../src/keys/data-keys.ts';
import { createDataKeyStore } from '../src/keys/data-keys.store.ts';
import { openFileKeyProvider } from '../src/keys/file-key-provider.ts';
import { IngestCounters } from '../src/ingest/native/ingest-counters.ts';
import { createNativeIngest } from '../src/ingest/native/native-ingest.ts';
import { createWorkerIngest } from '../src/ingest/native/worker-ingest.ts';
import type { Camera } from '../src/cameras/camera.ts';

const { values } = parseArgs({ options: { store: { type: 'string' }, ingest: { type: 'string', default: 'ffmpeg' }, workers: { type: 'string' }, cameras: { type: 'string' }, port: { type: 'string' }, dir: { type: 'string' }, 'live-chunks': { type: 'boolean' }, 'seal-workers': { type: 'string' }, ledger: { type: 'boolean' }, viewers: { type: 'string' }, 'chunks-always': { type: 'boolean' }, 'keep-minutes': { type: 'string' } } });
const ingestName = values.ingest;
if (ingestName !== 'ffmpeg' && ingestName !== 'native' && ingestName !== 'native-workers') throw new Error('--ingest must be ffmpeg, native or native-workers');
const dir = values.dir ?? '/tmp/custos-harness';
const log = createLogger({ level: 'warn', destination: process.stderr });
const startedMs = Date.now();
const { db } = await openDatabase({ url: null, dataDir: dir });
let store: SegmentStore;
let closeKeys: () => Promise<void> = async () => undefined;
let ledger: AuditLedger | null = null;
let sealPool: SealPool | null = null;
if (values.store === 'vault') {
  const provider = await openFileKeyProvider({ path: join(dir, 'keys', 'master.key'), passphrase: null });
  const dataKeys = new DataKeys({ provider, store: createDataKeyStore(db), clock: systemClock, monotonic: systemMonotonicClock, hours: 1, cacheMs: 600_000 });
  const sealWorkers = Number(values['seal-workers'] ?? 0);
  sealPool = sealWorkers > 0 ? new SealPool({ size: sealWorkers, log }) : null;
  store = new VaultSegmentStore(join(dir, 'segments'), dataKeys, sealPool === null ? {} : { sealPool });
  if (values.ledger === true) {
    const built = await buildLedger({ db, dataKeys, dataDir: dir, audit: { origin: 'bench.custos/audit', checkpointEntries: 1000 } as Config['audit'], clock: systemClock, log, announce: false });
    ledger = built.ledger;
  }
  closeKeys = async () => {
    await sealPool?.close();
    await provider.close();
  };
} else {
  store = new FileSegmentStore(join(dir, 'segments'));
}
const cameras: Camera[] = Array.from({ length: Number(values.cameras ?? 10) }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
  name: `Bench ${i + 1}`,
  url: `rtsp://127.0.0.1:${values.port}/cam${i + 1}`,
  username: null,
  password: null,
  tlsCaPem: null,
  enabled: true,
  retentionHours: 72,
  minRetentionHours: 0,
  ingest: ingestName === 'ffmpeg' ? 'ffmpeg' : 'native',
  siteId: 'default',
  createdMs: 0,
  updatedMs: 0,
}));

/** Per camera: frames delivered to the recorder so far and when the latest fragment arrived. */
interface SinkCount {
  frames: number;
  lastArrival: number | null;
  inits: number;
}
const sinkCounts = new Map<string, SinkCount>(cameras.map((c) => [c.id, { frames: 0, lastArrival: null, inits: 0 }]));
/** Wraps an ingest to count what it delivers; the count costs a map look-up per piece. */
function counted(inner: Ingest): Ingest {
  return {
    name: inner.name,
    run: (target, sink, signal, events) =>
      inner.run(
        target,
        (piece) => {
          const c = sinkCounts.get(target.cameraId);
          if (c !== undefined && piece.kind === 'fragment') {
            c.frames += piece.sampleCount;
            c.lastArrival = performance.now();
          } else if (c !== undefined && piece.kind === 'init') {
            c.inits++;
          }
          return sink(piece);
        },
        signal,
        values['chunks-always'] === true ? undefined : events,
      ),
  };
}

const index = createSegmentIndex(db);
const recovery = await recoverSegments(store, index, log);
const counters = new IngestCounters();
const workers = ingestName === 'native-workers' ? createWorkerIngest({ workers: Number(values.workers ?? availableParallelism()), fragmentSeconds: 1, stallTimeoutMs: 15_000, log, liveChunks: values['live-chunks'] === true, onRing: (ring) => sealPool?.share(ring) }) : null;
const ingest: Ingest =
  workers ??
  (ingestName === 'native'
    ? createNativeIngest({ log, fragmentSeconds: 1, stallTimeoutMs: 15_000, counters, liveChunks: values['live-chunks'] === true })
    : createFfmpegIngest({ ffmpegPath: 'ffmpeg', fragmentSeconds: 1, stallTimeoutMs: 15_000, log }));
const live = new LiveHub({ maxBufferedBytes: 8 << 20 });
// One in-process viewer on a fraction of the cameras: it takes what the hub sends and drops it.
const viewed = Math.ceil(cameras.length * Number(values.viewers ?? 0));
let viewerBytes = 0;
for (const c of cameras.slice(0, viewed)) live.subscribe(c.id, { send: (d) => void (viewerBytes += typeof d === 'string' ? 0 : d.length), bufferedAmount: () => 0, close: () => undefined });
const leaves = ledger === null ? null : new SegmentLeaves({ audit: ledger, store, log });
const recorder = new Recorder({
  cameras: { list: async () => cameras },
  log,
  deps: {
    ingest: counted(ingest),
    store,
    index,
    indexWriter: new IndexWriter({ log }),
    live,
    clock: systemClock,
    monotonic: systemMonotonicClock,
    log,
    segmentMs: 60_000,
    retryInitialMs: 1000,
    retryMaxMs: 30_000,
    ...(leaves === null ? {} : { onSealed: (segment: Segment, hashes: SealedHashes) => leaves.sealed(segment, hashes) }),
  },
});

if (values['keep-minutes'] !== undefined) {
  const hours = Number(values['keep-minutes']) / 60;
  const expiring = { list: async () => cameras.map((c) => ({ ...c, retentionHours: hours })) };
  const retain = () => applyRetention({ cameras: expiring, index, store, clock: systemClock, log, shred: async () => 0, ...(ledger === null ? {} : { audit: ledger }) }).catch((e: unknown) => log.error({ err: e }, 'retention failed'));
  setInterval(() => void retain(), 30_000).unref();
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
/** Garbage collections of this (the recorder's) thread since the mark: count and pause time, minor and major. */
const gc = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = ((e as unknown as { detail?: { kind?: number } }).detail)?.kind;
    if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
      gc.major++;
      gc.majorMs += e.duration;
    } else {
      gc.minor++;
      gc.minorMs += e.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });
loopDelay.enable();
let markAt = performance.now();
/** The sink counts at the mark. */
let atMark = new Map<string, SinkCount>();

await recorder.start(3000);
const line = (obj: object): void => void process.stdout.write(`${JSON.stringify(obj)}\n`);
line({ type: 'ready', ingest: ingestName, store: values.store, cameras: cameras.length, startupMs: Date.now() - startedMs, recovery });

createInterface({ input: process.stdin }).on('line', (text) => {
  if (text.trim() !== 'mark') return;
  markAt = performance.now();
  loopDelay.reset();
  Object.assign(gc, { minor: 0, minorMs: 0, major: 0, majorMs: 0 });
  atMark = new Map([...sinkCounts].map(([id, c]) => [id, { ...c }]));
  line({ type: 'mark', camerasRecording: cameras.filter((c) => recorder.status(c).state === 'recording').length });
});

/**
 * One edge of a camera's counting span: its latest fragment arrival, or the edge itself when no
 * fragment came for two fragment lengths (a stalled or lost camera then counts as missing frames).
 */
function spanEdge(lastArrival: number | null | undefined, at: number): number {
  return lastArrival !== null && lastArrival !== undefined && at - lastArrival <= 2000 ? lastArrival : at;
}

/** What the bench reads at exit: everything since the mark. */
function report(): object {
  const stopAt = performance.now();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const native = cameras.map((c) => counters.totals(c.id));
  const sum = (f: (t: NonNullable<(typeof native)[number]>) => number) => native.reduce((n, t) => n + (t ? f(t) : 0), 0);
  return {
    type: 'exit',
    ingest: ingestName,
    windowMs: Math.round(stopAt - markAt),
    /**
     * Per camera: frames in the fragments that reached the recorder after the mark, and the time
     * from the last fragment before the mark to the last one before the stop (see spanEdge).
     * With no loss, frames = fps × span, up to the jitter of fragment arrivals.
     */
    sink: cameras.map((c) => {
      const now = sinkCounts.get(c.id);
      const then = atMark.get(c.id);
      return { frames: (now?.frames ?? 0) - (then?.frames ?? 0), spanMs: Math.round(spanEdge(now?.lastArrival, stopAt) - spanEdge(then?.lastArrival, markAt)) };
    }),
    /** Init segments per camera since the mark: each is a new ingest run (a reconnect). */
    initsSinceMark: cameras.map((c) => (sinkCounts.get(c.id)?.inits ?? 0) - (atMark.get(c.id)?.inits ?? 0)),
    /**
     * The native ingest's counters over the whole run (null for ffmpeg, which does not count
     * losses); on worker threads only the losses cross to this thread. Sessions that ended
     * before the stop are drops.
     */
    native:
      ingestName === 'ffmpeg'
        ? null
        : {
            lostPackets: cameras.reduce((n, c) => n + (ingest.losses?.(c.id)?.lostPackets ?? 0), 0),
            droppedFrames: cameras.reduce((n, c) => n + (ingest.losses?.(c.id)?.droppedFrames ?? 0), 0),
            refusedFrames: workers === null ? sum((t) => t.refusedFrames) : null,
            malformedPackets: workers === null ? sum((t) => t.malformedPackets) : null,
            sessionsEnded: workers === null ? sum((t) => t.sessions) : null,
          },
    /** Leaves in the audit ledger (--ledger) and bytes the in-process viewers were sent (--viewers). */
    ledgerLeaves: ledger === null ? null : ledger.size,
    viewers: viewed,
    viewerBytes,
    gc: { minor: gc.minor, minorMs: Math.round(gc.minorMs), major: gc.major, majorMs: Math.round(gc.majorMs) },
    eventLoopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max), mean: ms(loopDelay.mean) },
  };
}

process.once('SIGTERM', () => {
  loopDelay.disable();
  const atStop = report();
  void recorder
    .stop()
    .then(() => workers?.close())
    .then(() => leaves?.idle())
    .then(() => ledger?.close())
    .then(closeKeys)
    .then(() => db.destroy())
    .then(() => {
      line(atStop);
      process.exit(0);
    });
});
