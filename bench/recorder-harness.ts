/**
 * A recorder with nothing else around it, for benchmarks: N cameras of a running camsim, the
 * ffmpeg ingest, the segment index in SQLite, and either the plain file store or the vault.
 * Runs until SIGTERM. Not part of the product: it wires the same modules app.ts wires, minus
 * the HTTP server, so the store is the only difference between two runs.
 *
 *   node bench/recorder-harness.ts --store plain|vault --cameras N --port P --dir DIR
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/database.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/logger.ts';
import { LiveHub } from '../src/live/live-hub.ts';
import { createFfmpegIngest } from '../src/recording/ffmpeg-ingest.ts';
import { FileSegmentStore } from '../src/recording/file-segment-store.ts';
import { Recorder } from '../src/recording/recorder.ts';
import { createSegmentIndex } from '../src/recording/segment-index.store.ts';
import type { SegmentStore } from '../src/recording/segment-store.ts';
import { VaultSegmentStore } from '../src/vault/vault-segment-store.ts';
import { DataKeys } from '../src/keys/data-keys.ts';
import { createDataKeyStore } from '../src/keys/data-keys.store.ts';
import { openFileKeyProvider } from '../src/keys/file-key-provider.ts';
import type { Camera } from '../src/cameras/camera.ts';

const { values } = parseArgs({ options: { store: { type: 'string' }, cameras: { type: 'string' }, port: { type: 'string' }, dir: { type: 'string' } } });
const dir = values.dir ?? '/tmp/custos-harness';
const log = createLogger({ level: 'warn' });
const { db } = await openDatabase({ url: null, dataDir: dir });
let store: SegmentStore;
let closeKeys: () => Promise<void> = async () => undefined;
if (values.store === 'vault') {
  const provider = await openFileKeyProvider({ path: join(dir, 'keys', 'master.key'), passphrase: null });
  const dataKeys = new DataKeys({ provider, store: createDataKeyStore(db), clock: systemClock, hours: 1, cacheMs: 600_000 });
  store = new VaultSegmentStore(join(dir, 'segments'), dataKeys);
  closeKeys = () => provider.close();
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
  ingest: 'ffmpeg',
  createdMs: 0,
  updatedMs: 0,
}));
const live = new LiveHub({ maxBufferedBytes: 8 << 20 });
const recorder = new Recorder({
  cameras: { list: async () => cameras },
  log,
  deps: {
    ingest: createFfmpegIngest({ ffmpegPath: 'ffmpeg', fragmentSeconds: 1, stallTimeoutMs: 15_000, log }),
    store,
    index: createSegmentIndex(db),
    live,
    clock: systemClock,
    log,
    segmentMs: 60_000,
    retryInitialMs: 1000,
    retryMaxMs: 30_000,
  },
});
await recorder.start(3000);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void recorder
    .stop()
    .then(closeKeys)
    .then(() => db.destroy())
    .then(() => process.exit(0));
});
