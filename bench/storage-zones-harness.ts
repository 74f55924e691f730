/**
 * A vault recorder with or without an S3 zone, for bench/storage-zones.ts. Not part of the
 * product: it wires what app.ts wires for recording (native ingest in this thread, vault,
 * SQLite index) and, with --s3-endpoint, the zones (local + S3, W = 1) and the replicator, so the
 * replication is the only difference between two runs. No HTTP server, no audit ledger (the
 * replicator's events go to a sink that drops them).
 *
 *   node bench/storage-zones-harness.ts --cameras N --port P --dir DIR [--segment-seconds 60]
 *        [--s3-endpoint URL --s3-bucket B --s3-secret-file F --s3-access-key K]
 *
 * stdout, one JSON object a line: `{"type":"ready"}`; the line `status` on stdin prints
 * `{"type":"status",…}` (the storage status; null without S3). Runs until SIGTERM.
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { AuditSink, RecordedEvent } from '../src/audit/ledger.ts';
import type { Camera } from '../src/cameras/camera.ts';
import { storage as storageSchema } from '../src/config/storage.schema.ts';
import { openDatabase } from '../src/db/database.ts';
import { createNativeIngest } from '../src/ingest/native/native-ingest.ts';
import { IngestCounters } from '../src/ingest/native/ingest-counters.ts';
import { DataKeys } from '../src/keys/data-keys.ts';
import { createDataKeyStore } from '../src/keys/data-keys.store.ts';
import { openFileKeyProvider } from '../src/keys/file-key-provider.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/logger.ts';
import { systemMonotonicClock } from '../src/lib/monotonic-clock.ts';
import { LiveHub } from '../src/live/live-hub.ts';
import { IndexWriter } from '../src/recording/index-writer.ts';
import { Recorder } from '../src/recording/recorder.ts';
import { createSegmentIndex } from '../src/recording/segment-index.store.ts';
import { Replicator } from '../src/storage/replicator.ts';
import { createSegmentCopies } from '../src/storage/segment-copies.store.ts';
import { buildZoneSet } from '../src/storage/zone-set.ts';
import { VaultSegmentStore } from '../src/vault/vault-segment-store.ts';

const { values } = parseArgs({
  options: {
    cameras: { type: 'string' },
    port: { type: 'string' },
    dir: { type: 'string' },
    'segment-seconds': { type: 'string', default: '60' },
    's3-endpoint': { type: 'string' },
    's3-bucket': { type: 'string' },
    's3-secret-file': { type: 'string' },
    's3-access-key': { type: 'string' },
  },
});
const dir = values.dir ?? '/tmp/custos-zones-harness';
const log = createLogger({ level: 'warn', destination: process.stderr });
const { db } = await openDatabase({ url: null, dataDir: dir });
const provider = await openFileKeyProvider({ path: join(dir, 'keys', 'master.key'), passphrase: null });
const dataKeys = new DataKeys({ provider, store: createDataKeyStore(db), clock: systemClock, monotonic: systemMonotonicClock, hours: 1, cacheMs: 600_000 });
const s3 = values['s3-endpoint'];
const storage = storageSchema.parse(
  s3 === undefined
    ? {}
    : {
        zones: [
          { id: 'local', kind: 'local', path: join(dir, 'segments'), jurisdiction: 'DE' },
          { id: 'offsite', kind: 's3', endpoint: s3, bucket: values['s3-bucket'], accessKeyId: values['s3-access-key'], secretAccessKeyFile: values['s3-secret-file'], forcePathStyle: true, jurisdiction: 'DE', requestTimeoutSeconds: 5 },
        ],
        placement: { default: { zones: ['local', 'offsite'], ack: 1 } },
        spool: { retryMaxSeconds: 1 },
      },
);
const zoneSet = await buildZoneSet(storage, dir);
const store = new VaultSegmentStore(zoneSet.recording.root, dataKeys);
const cameras: Camera[] = Array.from({ length: Number(values.cameras ?? 4) }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
  name: `Bench ${i + 1}`,
  url: `rtsp://127.0.0.1:${values.port}/cam${i + 1}`,
  username: null,
  password: null,
  tlsCaPem: null,
  enabled: true,
  retentionHours: 72,
  minRetentionHours: 0,
  ingest: 'native',
  siteId: 'default',
  createdMs: 0,
  updatedMs: 0,
}));
const indexWriter = new IndexWriter({ log });
/** The bench has no ledger: the replicator's events are dropped. */
const dropped: AuditSink = { record: async () => ({ seq: 0, id: '', text: '' }) as unknown as RecordedEvent };
const replicator =
  s3 === undefined
    ? null
    : new Replicator({
        zoneSet,
        copies: createSegmentCopies(db),
        audit: dropped,
        log,
        clock: systemClock,
        cameraOf: async (id) => cameras.find((c) => c.id === id),
        cameras: async () => cameras,
        write: (label, op) => indexWriter.write(label, op),
        scratchDir: join(dir, 'storage-scratch'),
        lagAlarmSeconds: 3600,
        maxPendingBytes: 2 ** 40,
        retryMaxMs: 1000,
        tickMs: 2000,
      });
await replicator?.start();
const recorder = new Recorder({
  cameras: { list: async () => cameras },
  log,
  deps: {
    ingest: createNativeIngest({ log, fragmentSeconds: 1, stallTimeoutMs: 15_000, counters: new IngestCounters() }),
    store,
    index: createSegmentIndex(db),
    indexWriter,
    live: new LiveHub({ maxBufferedBytes: 8 << 20 }),
    clock: systemClock,
    monotonic: systemMonotonicClock,
    log,
    segmentMs: Number(values['segment-seconds']) * 1000,
    retryInitialMs: 1000,
    retryMaxMs: 30_000,
    ...(replicator === null ? {} : { onSealed: (segment, hashes) => void replicator.sealed(segment, hashes.objectSha256) }),
  },
});
await recorder.start(3000);
const line = (obj: object): void => void process.stdout.write(`${JSON.stringify(obj)}\n`);
line({ type: 'ready', s3: s3 !== undefined });
createInterface({ input: process.stdin }).on('line', (text) => {
  if (text.trim() !== 'status') return;
  void (replicator?.status() ?? Promise.resolve(null)).then((status) => line({ type: 'status', status }));
});
process.once('SIGTERM', () => {
  void recorder
    .stop()
    .then(() => replicator?.stop())
    .then(() => indexWriter.close(5000))
    .then(() => zoneSet.close())
    .then(() => provider.close())
    .then(() => db.destroy())
    .then(() => process.exit(0));
});
