import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.ts';
import { openDatabase } from './db/database.ts';
import { ensureDataDir } from './lib/private-files.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { RefusalSummary } from './identity/refusal-summary.ts';
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
import { routeTable } from './http/routes.ts';
import { buildServer } from './http/server.ts';
import { AlarmRules } from './audit/alarm-rules.ts';
import { AuditReader } from './audit/audit-reader.ts';
import type { LeafRecord } from './audit/audit-event.ts';
import { buildLedger } from './audit/build-ledger.ts';
import type { AuditLedger } from './audit/ledger.ts';
import { recorderActor, SegmentLeaves } from './recording/segment-leaves.ts';
import type { RecordingEvent } from './recording/camera-recorder.ts';
import { PlaybackAudit } from './playback/playback-audit.ts';
import { createChosenIngest } from './ingest/chosen-ingest.ts';
import { createWorkerIngest } from './ingest/worker-ingest.ts';
import { createMetrics } from './metrics/metrics.ts';
import { loadTlsMaterial } from './http/tls.ts';
import { buildIdentity, type Identity } from './identity/build-identity.ts';
import { announceSetup } from './identity/first-run.ts';

/** A running Custos: the pieces tests and the CLI need to reach. */
export interface App {
  readonly server: FastifyInstance;
  /** https://host:port of the listener. */
  readonly url: string;
  /** The URL users reach Custos at (identity.publicUrl, or https://localhost:port on loopback). */
  readonly publicUrl: string;
  readonly cameras: CamerasService;
  readonly recorder: Recorder;
  readonly playback: PlaybackService;
  readonly exports: ExportsService;
  readonly recovery: RecoveryReport;
  /** The encrypted segment store (plaintext-addressed reads decrypt on the fly). */
  readonly store: SegmentStore;
  readonly dataKeys: DataKeys;
  readonly ledger: AuditLedger;
  /** Users, grants, sessions, tokens: what tests and the CLI use to set up access. */
  readonly identity: Identity;
  /** Stops recording (closing open segments), the server and the database, in that order. */
  close(): Promise<void>;
}

/** How often the recorder re-reads the camera list (changes made by the CLI). */
const cameraPollMs = 3000;

/**
 * The composition root (STYLE rule 1): builds every adapter, hands each module what it needs,
 * recovers from an unclean stop, then starts listening and recording.
 */
export async function startApp(config: Config, deps: { logger: Logger; clock?: Clock; showSetupToken?: boolean }): Promise<App> {
  const clock = deps.clock ?? systemClock;
  const log = deps.logger;
  const dataDir = resolve(config.dataDir);
  const openMode = await ensureDataDir(dataDir);
  if (openMode !== null) {
    log.warn({ dataDir, mode: openMode.toString(8) }, 'the data directory is accessible by group or others; run chmod 700 on it (the files Custos writes there are private, their names and sizes are not)');
  }
  const tls = await loadTlsMaterial({ ...config.server.tls, dataDir });
  const { db, engine } = await openDatabase({ url: config.database.url, dataDir, log });
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

  // The audit ledger first: everything after it records through it (LOG-1).
  const alarms = new AlarmRules();
  // The rules see every committed batch; their alarms go back into the same ledger once it exists.
  const alarmSink: { ledger?: AuditLedger } = {};
  const raise = (records: readonly LeafRecord[]) => {
    for (const record of records) {
      for (const alarm of alarms.evaluate(record)) {
        log.warn({ rule: alarm.details?.rule, cameraId: alarm.cameraId }, 'audit alarm raised');
        alarmSink.ledger?.record(alarm).catch((e: unknown) => log.error({ err: e }, 'could not record an alarm'));
      }
    }
  };
  const { ledger, store: ledgerStore, sealer } = await buildLedger({ db, dataKeys, dataDir, audit: config.audit, clock, log, announce: true, onCommitted: raise });
  alarmSink.ledger = ledger;
  ledger.startTimers({ heartbeatMs: config.audit.heartbeatSeconds * 1000, checkpointMs: config.audit.checkpointSeconds * 1000 });
  const audit = ledger;

  const store = new VaultSegmentStore(join(dataDir, 'segments'), dataKeys);
  const index = createSegmentIndex(db);
  const segmentLeaves = new SegmentLeaves({ audit, store, log });
  const recovery = await recoverSegments(store, index, log, (segment) => segmentLeaves.sealed(segment));

  const cameraStore = createCameraStore(db, dataKeys);
  const sealed = await cameraStore.sealLegacyCredentials();
  if (sealed > 0) log.warn({ cameras: sealed }, 'sealed camera credentials stored in clear by an earlier version');
  const cameras = new CamerasService(cameraStore, clock, audit);
  const live = new LiveHub({
    maxBufferedBytes: config.live.maxBufferedBytes,
    onDrop: (cameraId, reason) => log.warn({ cameraId, reason }, 'live viewer dropped'),
  });
  // The native ingest runs on worker threads, so HTTP, database and GC pauses here do not stall it.
  const nativeIngest = createWorkerIngest({
    workers: config.recording.ingestWorkers || availableParallelism(),
    fragmentSeconds: config.recording.fragmentSeconds,
    stallTimeoutMs: config.recording.stallSeconds * 1000,
    log,
    networks: config.recording.cameraNetworks,
  });
  const ingest = createChosenIngest({
    native: nativeIngest,
    ffmpeg: createFfmpegIngest({
      ffmpegPath: config.recording.ffmpegPath,
      fragmentSeconds: config.recording.fragmentSeconds,
      stallTimeoutMs: config.recording.stallSeconds * 1000,
      log,
      networks: config.recording.cameraNetworks,
    }),
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
      onSealed: (segment, plaintextSha256) => segmentLeaves.sealed(segment, plaintextSha256),
      onRecordingEvent: (event) => recordingEvent(audit, event, log),
    },
  });
  const playback = new PlaybackService({ ...index, openSegment: (id) => recorder.openSegment(id) }, clock);
  const exporter = createVaultExporter({
    ffmpegPath: config.recording.ffmpegPath,
    segments: store,
    exports: new VaultSegmentStore(join(dataDir, 'exports'), dataKeys),
    now: () => clock.now(),
  });
  const exports = new ExportsService({
    store: createExportStore(db),
    exporter,
    playback,
    ledger,
    clock,
    log,
    // Long enough for the open segment to be cut and its leaf recorded.
    leafWaitMs: (config.recording.segmentSeconds * 2 + 30) * 1000,
  });
  await exports.recover();

  // The URL users reach us at: SSO redirects, the SAML audience and the WebAuthn origin. Known
  // once the server listens (port 0 in tests); the default host is `localhost` for loopback
  // binds because WebAuthn does not accept an IP address as its relying party id.
  let publicUrl = config.identity.publicUrl ?? '';
  const identity = buildIdentity({ db, config: config.identity, sealer: dataKeys, audit, clock, publicUrl: () => publicUrl });
  const fourEyes = async (siteId: string) => (await identity.sites.site(siteId).catch(() => undefined))?.fourEyes ?? false;
  const routes = routeTable({
    cameras,
    recorder,
    live,
    playback,
    store,
    exports,
    audit,
    ledger,
    metrics: createMetrics({ list: () => cameras.list(), status: (c) => recorder.status(c) }),
    auditReader: new AuditReader({ store: ledgerStore, sealer, audit }),
    playbackAudit: new PlaybackAudit(audit, clock),
    hasFootage: async (cameraId) => recorder.openSegment(cameraId) !== null || (await index.expired(cameraId, Number.MAX_SAFE_INTEGER, 1)).length > 0,
    ...identity,
    users: identity.users,
    tokens: identity.tokens,
    ssoProviders: () => identity.sso.list(),
    publicUrl: () => publicUrl,
    fourEyes,
  });
  // Refusals of authenticated callers: one summarised access.denied per actor, route, reason and minute.
  const deniedRequests = new RefusalSummary(60_000);
  const server = await buildServer({
    routes,
    logger: log,
    tls,
    auth: {
      fromSession: (token, opts) => identity.authenticator.fromSession(token, opts),
      fromBearer: (token) => identity.authenticator.fromBearer(token),
      placements: identity.placements,
      audit,
      denied: (key) => deniedRequests.refused(key, clock.now()),
    },
    websocketRecheckMs: config.live.recheckSeconds * 1000,
    timeouts: {
      idleMs: config.server.idleTimeoutSeconds * 1000,
      requestMs: config.server.requestTimeoutSeconds * 1000,
      keepAliveMs: config.server.keepAliveTimeoutSeconds * 1000,
    },
  });
  await server.listen({ host: config.server.host, port: config.server.port });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `https://${host}:${port}`;
  if (!publicUrl) {
    const h = config.server.host;
    publicUrl = `https://${isLoopbackHost(h) ? 'localhost' : h === '0.0.0.0' || h === '::' ? hostname() : host}:${port}`;
    if (!isLoopbackHost(h)) log.warn({ publicUrl }, 'identity.publicUrl is not set: SSO redirects and passkeys use this guess; set it to the URL users reach Custos at');
  }
  await announceSetup({ users: identity.users, setup: identity.setup, log, publicUrl, dataDir, print: deps.showSetupToken ?? process.stderr.isTTY });

  cameras.onChange(() => void recorder.reconcile());
  await recorder.start(cameraPollMs);
  const retentionTimer = setInterval(() => {
    applyRetention({ cameras, index, store, clock, log, audit, shred: (id, before) => dataKeys.destroyBefore(id, before) }).catch((e: unknown) => log.error({ err: e }, 'retention failed'));
  }, config.recording.retentionCheckSeconds * 1000);
  retentionTimer.unref();
  log.info({ url, selfSignedCertificate: tls.selfSigned }, 'Custos is listening (TLS 1.3 only)');

  let closing: Promise<void> | null = null;
  return {
    server,
    url,
    publicUrl,
    cameras,
    recorder,
    playback,
    exports,
    recovery,
    store,
    dataKeys,
    ledger,
    identity,
    close() {
      closing ??= (async () => {
        clearInterval(retentionTimer);
        await recorder.stop();
        await nativeIngest.close();
        await server.close();
        await exports.idle();
        await segmentLeaves.idle();
        await ledger.close();
        await provider.close();
        await db.destroy();
      })();
      return closing;
    },
  };
}

/** Audits recording interruptions, resumptions and camera authentication failures. */
function recordingEvent(audit: AuditLedger, event: RecordingEvent, log: Logger): void {
  const type = event.kind === 'interrupted' ? 'recording.interrupted' : event.kind === 'resumed' ? 'recording.resumed' : 'camera.auth.failed';
  audit
    .record({
      type,
      actor: recorderActor,
      target: { kind: 'camera', id: event.cameraId },
      cameraId: event.cameraId,
      outcome: event.kind === 'auth-failed' ? 'failure' : 'success',
      ...(event.reason === null ? {} : { reason: event.reason }),
    })
    .catch((e: unknown) => log.error({ err: e, cameraId: event.cameraId }, 'could not audit a recording event'));
}

/** True for loopback bind addresses (the default 127.0.0.1, ::1, localhost). */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
