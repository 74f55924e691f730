import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.ts';
import { pingDatabase } from './db/database.ts';
import { openCore } from './core.ts';
import { ensureDataDir } from './lib/private-files.ts';
import { diskProblems } from './lib/disk-space.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { systemMonotonicClock, type MonotonicClock } from './lib/monotonic-clock.ts';
import { RefusalSummary } from './identity/refusal-summary.ts';
import type { Logger } from './lib/logger.ts';
import { CamerasService } from './cameras/cameras.service.ts';
import { createCameraStore } from './cameras/cameras.store.ts';
import { LiveHub } from './live/live-hub.ts';
import { createFfmpegIngest } from './ingest/ffmpeg/ffmpeg-ingest.ts';
import { Recorder } from './recording/recorder.ts';
import type { Camera } from './cameras/camera.ts';
import { createInventoryStore } from './onvif/inventory.store.ts';
import { OnboardingService } from './onvif/onboarding.service.ts';
import { createOnvifClient } from './onvif/onvif-client.ts';
import { recordableCameras } from './onvif/quarantine-gate.ts';
import { probe } from './onvif/ws-discovery.ts';
import { FirmwareService } from './onvif/firmware.service.ts';
import { createFirmwareStore } from './onvif/firmware.store.ts';
import { addressCheck } from './ingest/camera-networks.ts';
import { recoverSegments, type RecoveryReport } from './recording/recovery.ts';
import { applyRetention } from './recording/retention.ts';
import { recordDowntimeGaps } from './recording/downtime-gaps.ts';
import { ClockWatch } from './lib/clock-watch.ts';
import { createSegmentIndex } from './recording/segment-index.store.ts';
import { IndexWriter } from './recording/index-writer.ts';
import { DeferredAudit } from './audit/deferred-audit.ts';
import { HealthMonitor } from './health/health-monitor.ts';
import type { SegmentStore } from './recording/segment-store.ts';
import { VaultSegmentStore } from './vault/vault-segment-store.ts';
import type { DataKeys } from './keys/data-keys.ts';
import { createDataKeyStore } from './keys/data-keys.store.ts';
import { PlaybackService } from './playback/playback.service.ts';
import { ExportsService } from './playback/exports.service.ts';
import { createExportStore } from './playback/exports.store.ts';
import { createVaultExporter } from './playback/vault-exporter.ts';
import { routeTable } from './routes.ts';
import { buildServer } from './http/server.ts';
import { requestGuard } from './identity/request-auth.ts';
import type { AlarmWatch } from './audit/alarm-watch.ts';
import { buildAlarmWatch } from './audit/build-alarm-watch.ts';
import { AuditReader } from './audit/audit-reader.ts';
import type { AuditLedger } from './audit/ledger.ts';
import { SegmentLeaves } from './recording/segment-leaves.ts';
import { auditClockStep, auditRecordingEvent, stoppedByFullDisk } from './recording/recording-audit.ts';
import { PlaybackAudit } from './playback/playback-audit.ts';
import { createChosenIngest } from './ingest/chosen-ingest.ts';
import { createWorkerIngest } from './ingest/native/worker-ingest.ts';
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
/** How often the wall clock is compared with the monotonic clock. */
const clockSampleMs = 1000;
/** A wall clock moving this much more or less than the monotonic clock between two samples was stepped (NTP slews far less). */
const clockStepToleranceMs = 2000;

/** How often the alarm rules read what other processes (the CLI) committed to the ledger. */
const alarmTickMs = 1000;

/** How often health is checked for the `storage-fault` alarm. */
const healthCheckMs = 2000;

/** How long `close` waits for writes held during an outage. */
const closeGraceMs = 5000;

/**
 * The composition root (STYLE rule 1): builds every adapter, hands each module what it needs,
 * recovers from an unclean stop, then starts listening and recording.
 */
export async function startApp(config: Config, deps: AppDeps): Promise<App> {
  const dataDir = resolve(config.dataDir);
  // Private before anything is written into it (0700 when made here; a warning when it is open).
  const openMode = await ensureDataDir(dataDir);
  if (openMode !== null) {
    deps.logger.warn({ dataDir, mode: openMode.toString(8) }, 'the data directory is accessible by group or others; run chmod 700 on it (the files Custos writes there are private, their names and sizes are not)');
  }
  const undo: (() => Promise<unknown>)[] = [];
  try {
    return await buildApp(config, deps, dataDir, undo);
  } catch (e) {
    // A failed start (port in use, key unavailable) releases what it built, so the process ends.
    for (const step of undo.reverse()) await step().catch((err: unknown) => deps.logger.error({ err }, 'cleanup after a failed start failed'));
    throw e;
  }
}

/** What startApp takes besides the configuration; clocks are injected by tests. */
export interface AppDeps {
  readonly logger: Logger;
  /** The wall clock; the system's by default. */
  readonly clock?: Clock;
  /**
   * The monotonic clock for every duration; the system's by default, or `clock` itself when only
   * a wall clock is injected (a test that moves time by hand moves both, so that is no step).
   */
  readonly monotonic?: MonotonicClock;
  readonly showSetupToken?: boolean;
}

/** Builds and starts everything; `undo` collects how to take each started piece down again. */
async function buildApp(config: Config, deps: AppDeps, dataDir: string, undo: (() => Promise<unknown>)[]): Promise<App> {
  const clock = deps.clock ?? systemClock;
  const monotonic = deps.monotonic ?? (deps.clock ? deps.clock : systemMonotonicClock);
  const log = deps.logger;

  // The core (database, keys, ledger) under the data directory's lock: a second server would
  // recover the first one's open segments. Opening the ledger closes an interrupted key rotation.
  // The alarm rules see every committed record (this server's at once, other processes' by
  // tailing the ledger); their alarms go back into the same ledger through the deferred sink.
  const watching: { alarms?: AlarmWatch } = {};
  const core = await openCore(config, { lockFor: 'custos serve', log, clock, monotonic, announce: true, onCommitted: (records) => watching.alarms?.committed(records) });
  undo.push(() => core.close());
  const { database, dataKeys } = core;
  const { db, health: databaseHealth } = database;
  // Before the ledger opens, so a first start evaluates from this server's first event on.
  const alarmWatch = await buildAlarmWatch({ db, clock, log });
  watching.alarms = alarmWatch;
  const { ledger, store: ledgerStore, sealer } = await core.openLedger();
  const tls = await loadTlsMaterial({ ...config.server.tls, dataDir });
  // Faults seen as they happen raise the storage-fault alarm at once (the monitor is built below).
  const faults: { report(source: string, problem: string): void } = { report: () => undefined };
  const deferredAudit = new DeferredAudit({ audit: ledger, log, onFailing: (reason) => faults.report('audit', `the ledger cannot write: ${reason}`) });
  // An alarm, like every event no action waits on, is held in memory while the ledger cannot
  // write (a full disk, a database outage) and written when it can.
  alarmWatch.start(deferredAudit, alarmTickMs);
  undo.push(() => alarmWatch.stop());
  ledger.startTimers({ heartbeatMs: config.audit.heartbeatSeconds * 1000, checkpointMs: config.audit.checkpointSeconds * 1000 });
  const audit = ledger;

  const store = new VaultSegmentStore(join(dataDir, 'segments'), dataKeys);
  const index = createSegmentIndex(db);
  const indexWriter = new IndexWriter({ log, onBacklog: (backlog) => backlog && faults.report('recording', `index writes failing: ${backlog.reason}`) });
  const segmentLeaves = new SegmentLeaves({ audit: deferredAudit, store, log });
  const dataKeyRows = createDataKeyStore(db);
  const recovery = await recoverSegments(store, index, log, {
    audit,
    keyState: async (id) => {
      const row = await dataKeyRows.get(id);
      return row === undefined ? 'unknown' : row.destroyedMs === null ? 'live' : 'destroyed';
    },
    onRecovered: (segment) => segmentLeaves.sealed(segment),
  });

  const cameraStore = createCameraStore(db, dataKeys);
  const sealed = await cameraStore.sealLegacyCredentials();
  if (sealed > 0) log.warn({ cameras: sealed }, 'sealed camera credentials stored in clear by an earlier version');
  const cameras = new CamerasService(cameraStore, clock, audit);
  // ONVIF and unicast discovery obey the same camera network policy as the ingests.
  const cameraAddresses = addressCheck(config.recording.cameraNetworks);
  const onboarding = new OnboardingService({
    store: createInventoryStore(db), clock, audit, cameras,
    connect: (target) => createOnvifClient({ ...target, clock, addressCheck: cameraAddresses }),
    probe: (opts) => probe({ ...opts, addressCheck: cameraAddresses }),
    firmware: new FirmwareService(createFirmwareStore(db), clock, audit),
  });
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
  undo.push(() => nativeIngest.close());
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
  const recordable = recordableCameras(cameras, onboarding);
  const recorder = new Recorder({
    cameras: recordable,
    log,
    deps: {
      ingest,
      store,
      index,
      indexWriter,
      live,
      clock,
      monotonic,
      log,
      segmentMs: config.recording.segmentSeconds * 1000,
      retryInitialMs: config.recording.retryInitialSeconds * 1000,
      retryMaxMs: config.recording.retryMaxSeconds * 1000,
      onSealed: (segment, hashes) => segmentLeaves.sealed(segment, hashes),
      onRecordingEvent: (event) => {
        if (stoppedByFullDisk(event)) faults.report('disk', event.reason ?? 'full');
        auditRecordingEvent(deferredAudit, event, log);
      },
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
    monotonic,
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
  const health = new HealthMonitor({
    sources: {
      database: async () => {
        await pingDatabase(db).catch(() => undefined);
        return databaseHealth.problems();
      },
      recording: () => indexWriter.problems(),
      audit: () => deferredAudit.problems(),
      disk: () => diskProblems(dataDir),
    },
  });
  faults.report = (source, problem) => health.report(source, problem);
  health.watch(healthCheckMs, (alarm) => void deferredAudit.record(alarm).catch((e: unknown) => log.error({ err: e }, 'could not record an alarm')), log);
  // The status shows a quarantined camera as such rather than as a recorder waiting to connect.
  const recorderStatus = { status: (c: Camera) => (recordable.isQuarantined(c.id) ? { ...recorder.status(c), state: 'quarantined' as const } : recorder.status(c)) };
  const routes = routeTable({
    cameras,
    recorder: recorderStatus,
    live,
    monotonic,
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
    health,
    onboarding,
  });
  // Refusals of authenticated callers: one summarised access.denied per actor, route, reason and minute.
  const deniedRequests = new RefusalSummary(60_000);
  const server = await buildServer({
    routes,
    logger: log,
    tls,
    guard: requestGuard({
      fromSession: (token, opts) => identity.authenticator.fromSession(token, opts),
      fromBearer: (token) => identity.authenticator.fromBearer(token),
      placements: identity.placements,
      audit,
      denied: (key) => deniedRequests.refused(key, clock.now()),
    }),
    websocketRecheckMs: config.live.recheckSeconds * 1000,
    timeouts: {
      idleMs: config.server.idleTimeoutSeconds * 1000,
      requestMs: config.server.requestTimeoutSeconds * 1000,
      keepAliveMs: config.server.keepAliveTimeoutSeconds * 1000,
    },
  });
  undo.push(() => server.close());
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
  onboarding.onChange(() => void recorder.reconcile());
  await recordDowntimeGaps({ cameras, index, nowMs: clock.now(), log });
  undo.push(() => recorder.stop());
  await recorder.start(cameraPollMs);
  // Retention trusts the wall clock only once it has run in step with the monotonic clock.
  const clockWatch = new ClockWatch({
    wall: clock,
    monotonic,
    toleranceMs: clockStepToleranceMs,
    confirmMs: config.recording.clockConfirmSeconds * 1000,
    onStep: (step) => auditClockStep(audit, step, log),
  });
  const clockTimer = setInterval(() => clockWatch.sample(), clockSampleMs);
  clockTimer.unref();
  const retentionTimer = setInterval(() => {
    applyRetention({ cameras, index, store, clock, log, audit, clockTrust: () => clockWatch.steady(), shred: (id, before) => dataKeys.destroyBefore(id, before) }).catch((e: unknown) =>
      log.error({ err: e }, 'retention failed'),
    );
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
        clearInterval(clockTimer);
        health.stop();
        await recorder.stop();
        await nativeIngest.close();
        await server.close();
        await exports.idle();
        // Writes held during an outage get a last chance; what is still unwritten is logged (start-up
        // recovery finds those segments: their objects are in the vault).
        const unwritten = await indexWriter.close(closeGraceMs);
        if (unwritten > 0) log.error({ writes: unwritten }, 'recording index writes could not be made before shutdown');
        // Segment leaves record through the deferred sink: they MUST be handed to it before it closes.
        await segmentLeaves.idle();
        await alarmWatch.stop();
        await deferredAudit.close(closeGraceMs);
        await core.close();
      })();
      return closing;
    },
  };
}

/** True for loopback bind addresses (the default 127.0.0.1, ::1, localhost). */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
