import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.ts';
import { openDatabase } from './db/database.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';
import { CamerasService } from './cameras/cameras.service.ts';
import { createCameraStore } from './cameras/cameras.store.ts';
import { LiveHub } from './live/live-hub.ts';
import { createFfmpegIngest } from './recording/ffmpeg-ingest.ts';
import { Recorder } from './recording/recorder.ts';
import { recoverSegments, type RecoveryReport } from './recording/recovery.ts';
import { applyRetention } from './recording/retention.ts';
import { createSegmentIndex } from './recording/segment-index.store.ts';
import type { SegmentStore } from './recording/segment-store.ts';
import { VaultSegmentStore } from './vault/vault-segment-store.ts';
import { DataKeys } from './keys/data-keys.ts';
import { createDataKeyStore } from './keys/data-keys.store.ts';
import { openKeyProvider } from './keys/open-key-provider.ts';
import type { KeyProvider } from './keys/key-provider.ts';
import { PlaybackService } from './playback/playback.service.ts';
import { ExportsService } from './playback/exports.service.ts';
import { createExportStore } from './playback/exports.store.ts';
import { createVaultExporter } from './playback/vault-exporter.ts';
import { assertLoopbackBind } from './http/bind-guard.ts';
import { routeTable } from './http/routes.ts';
import { buildServer } from './http/server.ts';
import { loadTlsMaterial } from './http/tls.ts';

/** A running Custos: the pieces tests and the CLI need to reach. */
export interface App {
  readonly server: FastifyInstance;
  /** https://host:port of the listener. */
  readonly url: string;
  readonly cameras: CamerasService;
  readonly recorder: Recorder;
  readonly playback: PlaybackService;
  readonly exports: ExportsService;
  readonly recovery: RecoveryReport;
  /** The encrypted segment store (plaintext-addressed reads decrypt on the fly). */
  readonly store: SegmentStore;
  readonly dataKeys: DataKeys;
  /** Stops recording (closing open segments), the server and the database, in that order. */
  close(): Promise<void>;
}

/** How often the recorder re-reads the camera list (changes made by the CLI). */
const cameraPollMs = 3000;

/**
 * The composition root (STYLE rule 1): builds every adapter, hands each module what it needs,
 * recovers from an unclean stop, then starts listening and recording.
 */
export async function startApp(config: Config, deps: { logger: Logger; clock?: Clock }): Promise<App> {
  const clock = deps.clock ?? systemClock;
  const log = deps.logger;
  assertLoopbackBind(config.server.host);
  const dataDir = resolve(config.dataDir);
  const tls = await loadTlsMaterial({ ...config.server.tls, dataDir });
  const { db, engine } = await openDatabase({ url: config.database.url, dataDir });
  log.info({ engine, dataDir }, 'database open');
  let provider: KeyProvider;
  try {
    provider = await openKeyProvider(config.keys, dataDir);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  log.info({ provider: provider.kind, kekVersion: provider.currentVersion() }, 'master key available');
  const dataKeys = new DataKeys({
    provider,
    store: createDataKeyStore(db),
    clock,
    hours: config.keys.dataKeyHours,
    cacheMs: config.keys.cacheSeconds * 1000,
  });

  const store = new VaultSegmentStore(join(dataDir, 'segments'), dataKeys);
  const index = createSegmentIndex(db);
  const recovery = await recoverSegments(store, index, log);

  const cameraStore = createCameraStore(db, dataKeys);
  const sealed = await cameraStore.sealLegacyCredentials();
  if (sealed > 0) log.warn({ cameras: sealed }, 'sealed camera credentials stored in clear by an earlier version');
  const cameras = new CamerasService(cameraStore, clock);
  const live = new LiveHub({
    maxBufferedBytes: config.live.maxBufferedBytes,
    onDrop: (cameraId, reason) => log.warn({ cameraId, reason }, 'live viewer dropped'),
  });
  const ingest = createFfmpegIngest({
    ffmpegPath: config.recording.ffmpegPath,
    fragmentSeconds: config.recording.fragmentSeconds,
    stallTimeoutMs: config.recording.stallSeconds * 1000,
    log,
  });
  const recorder = new Recorder({
    cameras,
    log,
    deps: {
      ingest,
      store,
      index,
      live,
      clock,
      log,
      segmentMs: config.recording.segmentSeconds * 1000,
      retryInitialMs: config.recording.retryInitialSeconds * 1000,
      retryMaxMs: config.recording.retryMaxSeconds * 1000,
    },
  });
  const playback = new PlaybackService({ ...index, openSegment: (id) => recorder.openSegment(id) }, clock);
  const exporter = createVaultExporter({
    ffmpegPath: config.recording.ffmpegPath,
    segments: store,
    exports: new VaultSegmentStore(join(dataDir, 'exports'), dataKeys),
    now: () => clock.now(),
  });
  const exports = new ExportsService({ store: createExportStore(db), exporter, playback, clock, log });
  await exports.recover();

  const server = await buildServer({ routes: routeTable({ cameras, recorder, live, playback, store, exports }), logger: log, tls });
  await server.listen({ host: config.server.host, port: config.server.port });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `https://${host}:${port}`;

  cameras.onChange(() => void recorder.reconcile());
  await recorder.start(cameraPollMs);
  const retentionTimer = setInterval(() => {
    applyRetention({ cameras, index, store, clock, log, shred: (id, before) => dataKeys.destroyBefore(id, before) }).catch((e: unknown) => log.error({ err: e }, 'retention failed'));
  }, config.recording.retentionCheckSeconds * 1000);
  retentionTimer.unref();
  log.info({ url, selfSignedCertificate: tls.selfSigned }, 'Custos is listening (TLS 1.3 only)');

  let closing: Promise<void> | null = null;
  return {
    server,
    url,
    cameras,
    recorder,
    playback,
    exports,
    recovery,
    store,
    dataKeys,
    close() {
      closing ??= (async () => {
        clearInterval(retentionTimer);
        await recorder.stop();
        await server.close();
        await exports.idle();
        await provider.close();
        await db.destroy();
      })();
      return closing;
    },
  };
}
