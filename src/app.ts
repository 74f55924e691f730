import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from './config/schema.ts';
import { pingDatabase } from './db/database.ts';
import { openCore } from './core.ts';
import { ensureDataDir } from './lib/private-files.ts';
import { diskProblems } from './lib/disk-space.ts';
import { ConcurrencyLimit } from './lib/concurrency-limit.ts';
import { buildSpaceGuard } from './recording/build-space-guard.ts';
import { reclaimSpace } from './recording/space-reclaim.ts';
import { systemClock } from './lib/clock.ts';
import { systemMonotonicClock } from './lib/monotonic-clock.ts';
import { RefusalSummary } from './identity/refusal-summary.ts';
import { CamerasService } from './cameras/cameras.service.ts';
import { createCameraStore } from './cameras/cameras.store.ts';
import { LiveHub } from './live/live-hub.ts';
import { SubStreamFeeds } from './recording/sub-stream-feeds.ts';
import { Recorder } from './recording/recorder.ts';
import type { Camera } from './cameras/camera.ts';
import { createOnvifClient } from './onvif/onvif-client.ts';
import { buildOnboarding, cameraState } from './onvif/build-onboarding.ts';
import { buildCameraControl } from './onvif/build-camera-control.ts';
import { buildSbom } from './sbom/build-sbom.ts';
import { recordableCameras } from './onvif/quarantine-gate.ts';
import { probe } from './onvif/ws-discovery.ts';
import { addressCheck } from './ingest/camera-networks.ts';
import { recoverSegments, type RecoveryReport } from './recording/recovery.ts';
import { applyRetention } from './recording/retention.ts';
import { recordDowntimeGaps } from './recording/downtime-gaps.ts';
import { ClockWatch } from './lib/clock-watch.ts';
import { createSegmentIndex } from './recording/segment-index.store.ts';
import { IndexWriter } from './recording/index-writer.ts';
import { DeferredAudit } from './audit/deferred-audit.ts';
import { HealthMonitor } from './health/health-monitor.ts';
import { keyHealthSource } from './keys/key-health.ts';
import type { Segment } from './media/segment.ts';
import { VaultSegmentStore } from './vault/vault-segment-store.ts';
import { createDataKeyStore } from './keys/data-keys.store.ts';
import { keyStateOf } from './recording/orphan-objects.ts';
import { PlaybackService } from './playback/playback.service.ts';
import { ExportsService } from './playback/exports.service.ts';
import { createExportStore } from './playback/exports.store.ts';
import { BookmarksService } from './playback/bookmarks.service.ts';
import { createBookmarkStore } from './playback/bookmarks.store.ts';
import { createVaultExporter } from './playback/vault-exporter.ts';
import { apiVersion, routeTable } from './routes.ts';
import { buildSiem } from './siem/build-siem.ts';
import type { SiemShipper } from './siem/delivery/shipper.ts';
import { buildServer } from './http/server.ts';
import { WakeSignal } from './lib/wake-signal.ts';
import { requestGuard } from './identity/request-auth.ts';
import type { AlarmWatch } from './audit/alarm-watch.ts';
import { buildAlarmWatch } from './audit/build-alarm-watch.ts';
import { AuditReader } from './audit/audit-reader.ts';
import { buildWitnesses } from './audit/build-witnesses.ts';
import { createCosignatureStore } from './audit/cosignature.store.ts';
import type { WitnessCosigner } from './audit/witness-cosigner.ts';
import { SegmentLeaves } from './recording/segment-leaves.ts';
import { auditClockStep, auditRecordingEvent, stoppedByFullDisk } from './recording/recording-audit.ts';
import { PlaybackAudit } from './playback/playback-audit.ts';
import { buildIngest } from './ingest/build-ingest.ts';
import { startHousekeeping } from './recording/housekeeping-timers.ts';
import { guessPublicUrl } from './http/public-url.ts';
import { createMetrics } from './metrics/metrics.ts';
import { loadTlsMaterial } from './http/tls.ts';
import { buildIdentity } from './identity/build-identity.ts';
import { announceSetup } from './identity/first-run.ts';
import { buildIncidents, type BuiltIncidents } from './incidents/build-incidents.ts';
import { buildGovernance } from './governance/build-governance.ts';
import { collectLocations } from './residency/locations.ts';
import { assertResidency } from './residency/residency-check.ts';
import { buildResidencyReport } from './residency/residency-report.ts';
import { recordResidencyChange } from './residency/residency-audit.ts';
import { createResidencyStore } from './residency/residency.store.ts';
import { buildRecordingStore } from './storage/build-recording-store.ts';
import { Replicator, spoolSettings } from './storage/replicator.ts';
import { scrub } from './storage/scrub.ts';
import { assertClusterConfig, buildCluster, clusterNodeId, type BuiltCluster } from './cluster/build-cluster.ts';
import { buildClusterJobs, jobsFence } from './cluster/build-cluster-jobs.ts';
import { takeOverCamera } from './recording/camera-takeover.ts';



import type { App, AppDeps } from './app-types.ts';

export type { App, AppDeps } from './app-types.ts';

/** The routes a node without the `api` role serves (cluster.roles). */
const nodeOnlyRoutes = new Set(['/healthz', '/metrics', '/api/v1/cluster/status']);

/** Cluster mode skips start-up recovery (each camera is recovered at takeover). */
const noRecovery: RecoveryReport = { recovered: 0, truncatedBytes: 0, removedEmpty: 0, quarantinedOpen: 0, reindexed: 0, quarantined: 0, removedOrphans: 0 };

/** How often the recorder re-reads the camera list (changes made by the CLI). */
const cameraPollMs = 3000;
/** How often the wall clock is compared with the monotonic clock. */
const clockSampleMs = 1000;
/** A wall clock moving this much more or less than the monotonic clock between two samples was stepped (NTP slews far less). */
const clockStepToleranceMs = 2000;

/** How often the alarm rules read what other processes (the CLI) committed to the ledger. */
const alarmTickMs = 1000;

/** How often advisories are matched again against the inventory (changes made by the CLI). */
const advisoryRematchMs = 60_000;
/** How often health is checked for the `storage-fault` alarm. */
const healthCheckMs = 2000;

/** How long `close` waits for writes held during an outage. */
const closeGraceMs = 5000;

/**
 * The composition root (STYLE rule 1): builds every adapter, hands each module what it needs,
 * recovers from an unclean stop, then starts listening and recording.
 */
export async function startApp(config: Config, deps: AppDeps): Promise<App> {
  // Residency first: a location outside residency.allowed (or undeclared) MUST NOT see a byte.
  assertResidency(config.residency.allowed, collectLocations(config));
  assertClusterConfig(config.cluster, config.database.url);
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

/** Builds and starts everything; `undo` collects how to take each started piece down again. */
async function buildApp(config: Config, deps: AppDeps, dataDir: string, undo: (() => Promise<unknown>)[]): Promise<App> {
  const clock = deps.clock ?? systemClock;
  const monotonic = deps.monotonic ?? (deps.clock ? deps.clock : systemMonotonicClock);
  const log = deps.logger;

  // The core (database, keys, ledger) under the data directory's lock: a second server would
  // recover the first one's open segments. Opening the ledger closes an interrupted key rotation.
  // The alarm rules see every committed record (this server's at once, other processes' by
  // tailing the ledger); their alarms go back into the same ledger through the deferred sink.
  const watching: { alarms?: AlarmWatch; witnesses?: WitnessCosigner; siem?: SiemShipper; incidents?: BuiltIncidents; cluster?: BuiltCluster } = {};
  const core = await openCore(config, {
    lockFor: 'custos serve',
    log,
    clock,
    monotonic,
    announce: true,
    onCommitted: (records) => {
      watching.alarms?.committed(records);
      watching.siem?.committed();
      // New alarms reach the inbox at once rather than at the next tick.
      if (records.some((r) => r.type === 'alarm.raised' || r.type === 'audit.verified')) void watching.incidents?.feed.sync();
    },
    // Every newly signed checkpoint is offered to the configured witnesses (issue 16 item 5).
    onCheckpoint: (checkpoint) => watching.witnesses?.offer(checkpoint),
    // Cluster mode: the periodic checkpoints are signed by the holder of the signer lease only.
    signingTurn: () => watching.cluster?.keeper?.signing() ?? !config.cluster.enabled,
  });
  undo.push(() => core.close());
  const { database, dataKeys } = core;
  const { db, health: databaseHealth } = database;
  // One process: built before the ledger opens, so a first start evaluates from this server's
  // first event on. A cluster builds it each time this node takes the jobs lease (ADR 0039).
  const earlyWatch = config.cluster.enabled ? null : await buildAlarmWatch({ db, clock, log });
  watching.alarms = earlyWatch ?? undefined;
  const { ledger, store: ledgerStore, sealer } = await core.openLedger();
  const witnesses = await buildWitnesses({ witnesses: config.witnesses, db, ledger, clock, log });
  watching.witnesses = witnesses;
  // Before the core closes: the last offers need the ledger's proofs.
  undo.push(() => witnesses.close());
  const residencyStore = createResidencyStore(db);
  await recordResidencyChange({ audit: ledger, lastRecordedHash: () => residencyStore.lastRecordedHash(), allowed: config.residency.allowed, locations: collectLocations(config), log });
  const tls = await loadTlsMaterial({ ...config.server.tls, dataDir });
  // Faults seen as they happen raise the storage-fault alarm at once (the monitor is built below).
  const faults: { report(source: string, problem: string): void } = { report: () => undefined };
  const deferredAudit = new DeferredAudit({ audit: ledger, log, onFailing: (reason) => faults.report('audit', `the ledger cannot write: ${reason}`) });
  // An alarm, like every event no action waits on, is held in memory while the ledger cannot
  // write (a full disk, a database outage) and written when it can.
  // The once-per-cluster jobs (alarm rules, inbox feed, notifications, SIEM) run on the holder of
  // the jobs lease only (ADR 0039), so alarms and deliveries are not duplicated; their cursor
  // writes are fenced by its token.
  const nodeId = clusterNodeId(config.cluster);
  const turn = { token: () => watching.cluster?.keeper?.jobsToken() ?? null };
  const fence = jobsFence(db, { enabled: config.cluster.enabled, nodeId, turn });
  ledger.startTimers({ heartbeatMs: config.audit.heartbeatSeconds * 1000, checkpointMs: config.audit.checkpointSeconds * 1000 });
  const audit = ledger;
  // SIEM shipping (issue 16) reads the committed ledger from each destination's cursor; its own
  // events (alarms, recoveries, a changed configuration) go through the deferred sink.
  // Configurations only: shipping starts with the jobs (below).
  const { shipper: siem, connect: connectSiem } = await buildSiem({ config: config.siem, db, fence, ledger: ledgerStore, record: (input) => deferredAudit.record(input), clock, monotonic, log, product: { version: apiVersion, hostname: hostname() } });
  watching.siem = siem;
  undo.push(() => siem.stop());

  // Storage zones (issue 14) and the seal workers (issue 20, ADR 0044).
  const { zoneSet, copies, scratchDir, sealPool, store } = await buildRecordingStore({ storage: config.storage, dataDir, dataKeys, db, sealWorkers: config.recording.ingestWorkers || availableParallelism(), log });
  undo.push(() => zoneSet.close());
  undo.push(() => sealPool.close());
  const index = createSegmentIndex(db);
  const indexWriter = new IndexWriter({ log, onBacklog: (backlog) => backlog && faults.report('recording', `index writes failing: ${backlog.reason}`) });
  const segmentLeaves = new SegmentLeaves({ audit: deferredAudit, store, log });
  const dataKeyRows = createDataKeyStore(db);
  const recoveryDeps = {
    audit,
    keyState: async (id: string) => keyStateOf(await dataKeyRows.get(id)),
    onRecovered: (segment: Segment) => segmentLeaves.sealed(segment),
  };
  // Cluster mode: other nodes are writing; each camera's open segments are recovered by whoever
  // takes its lease (camera-takeover.ts), never all of them at start-up.
  const recovery = config.cluster.enabled ? noRecovery : await recoverSegments(store, index, log, recoveryDeps);

  const cameraStore = createCameraStore(db, dataKeys);
  const sealed = await cameraStore.sealLegacyCredentials();
  if (sealed > 0) log.warn({ cameras: sealed }, 'sealed camera credentials stored in clear by an earlier version');
  const cameras = new CamerasService(cameraStore, clock, audit);
  const replicator = new Replicator({
    zoneSet,
    copies,
    audit: deferredAudit,
    log,
    clock,
    cameraOf: (id) => cameras.get(id).catch(() => undefined),
    cameras: () => cameras.list(),
    write: (label, op) => indexWriter.write(label, op),
    scratchDir,
    ...spoolSettings(config.storage.spool),
  });
  const runScrub = () => scrub({ zoneSet, copies, audit: deferredAudit, actor: { kind: 'system', id: 'system:storage' }, clock, log, scratchDir });
  // ONVIF and unicast discovery obey the same camera network policy as the ingests.
  const cameraAddresses = addressCheck(config.recording.cameraNetworks);
  // Onboarding (issue 17): inventory, firmware trust store, advisories and security scores. The
  // score reads the recorder's status (built below; only called once the server runs).
  const { onboarding, firmware, advisories, securityScores, facts: supplyChainFacts, startRematching } = buildOnboarding({
    db, clock, audit, cameras,
    connect: (target) => createOnvifClient({ ...target, clock, addressCheck: cameraAddresses }),
    probe: (opts) => probe({ ...opts, addressCheck: cameraAddresses }),
    status: async (id) => cameraState(await cameras.get(id), (c) => recorderStatus.status(c)),
  });
  // PTZ (sessions end after ptz.sessionIdleSeconds or at shutdown), four-eyes firmware pushes, camera SBOMs.
  const cameraControl = buildCameraControl({
    db, clock, audit, cameras, onboarding, firmware, dataDir, addressCheck: cameraAddresses, ptzIdleMs: config.ptz.sessionIdleSeconds * 1000,
  });
  undo.push(() => cameraControl.ptzSessions.close());
  const live = new LiveHub({
    maxBufferedBytes: config.live.maxBufferedBytes,
    onDrop: (cameraId, reason) => log.warn({ cameraId, reason }, 'live viewer dropped'),
  });
  const { native: nativeIngest, ingest } = buildIngest(config.recording, log, availableParallelism(), (ring) => sealPool.share(ring));
  undo.push(() => nativeIngest.close());
  // Retention trusts the wall clock only once it has run in step with the monotonic clock.
  const clockWatch = new ClockWatch({
    wall: clock,
    monotonic,
    toleranceMs: clockStepToleranceMs,
    confirmMs: config.recording.clockConfirmSeconds * 1000,
    onStep: (step) => auditClockStep(audit, step, log),
  });
  // Retention and the disk-full policy delete one at a time (never the same segment twice).
  const housekeeping = new ConcurrencyLimit(1);
  const shred = (id: string, before: number) => dataKeys.destroyBefore(id, before);
  // The disk-full policy (issue 14 item 6) of the recording zone, where segments are written.
  const space = buildSpaceGuard({
    zoneSet,
    config,
    reclaim: (where, needBytes) => housekeeping.run(() => reclaimSpace({ cameras, index, store, clock, log, audit, clockTrust: () => clockWatch.steady(), shred, where }, needBytes)),
    audit: deferredAudit,
    log,
    onStop: (reason) => faults.report('disk', reason),
  });
  const recordable = recordableCameras(cameras, onboarding);
  // Cluster mode: the recorder records the cameras whose lease this node holds (src/cluster/).
  const leases = { lease: (id: string) => watching.cluster?.keeper?.lease(id) ?? null };
  // Sub-streams (ADR 0037): pulled on demand for live viewers, or fed by their recording (ADR 0043).
  const subLive = new LiveHub({ maxBufferedBytes: config.live.maxBufferedBytes, stream: 'sub', onDrop: (cameraId, reason) => log.warn({ cameraId, reason, stream: 'sub' }, 'live viewer dropped') });
  const recorder = new Recorder({
    cameras: recordable,
    log,
    ...(config.cluster.enabled ? { leases } : {}),
    subLive, onSubRecording: (id) => liveFeeds.recordingStarts(id),
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
      onSealed: (segment, hashes, fence) => {
        // Cluster mode: the leaf names the lease token it was sealed under (deployment.md).
        segmentLeaves.sealed(segment, hashes, fence);
        void replicator.sealed(segment, hashes.objectSha256);
      },
      onRecordingEvent: (event) => {
        if (stoppedByFullDisk(event)) {
          faults.report('disk', event.reason ?? 'full');
          // A write found the disk full: the policy looks at once, not at its next tick.
          void space.check().catch((e: unknown) => log.error({ err: e }, 'free-space check failed'));
        }
        auditRecordingEvent(deferredAudit, event, log);
      },
      space,
    },
  });
  const liveFeeds = new SubStreamFeeds({
    ingest, main: live,
    sub: subLive, recorded: (id) => recorder.recordsSub(id),
    log,
    viewable: (c) => c.enabled && !recordable.isQuarantined(c.id),
    retryMs: config.recording.retryMaxSeconds * 1000,
    idleMs: 10_000,
  });
  undo.push(() => liveFeeds.close());
  const cluster = buildCluster({
    db,
    engine: database.engine,
    config: config.cluster,
    clock,
    monotonic,
    log,
    url: () => config.cluster.url ?? (publicUrl || null),
    wanted: async () => (await recordable.list()).filter((c) => c.enabled).map((c) => c.id).sort(),
    takeOver: (claim) =>
      takeOverCamera(
        { ...claim, node: cluster.nodeId },
        // The leaves of the segments it recovers name the new holder's token.
        { index, store, audit: deferredAudit, log, handoverMs: config.cluster.leaseSeconds * 2000, recovery: { ...recoveryDeps, onRecovered: (segment: Segment) => segmentLeaves.sealed(segment, undefined, claim.token) } },
      ),
    reconcile: () => recorder.reconcile(),
    onJobs: (change) => void jobs.change(change),
  });
  watching.cluster = cluster;
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
    cosignatures: createCosignatureStore(db),
    sealOpen: (cameraId) => recorder.sealSoon(cameraId),
  });
  await exports.recover();

  // The URL users reach us at: SSO redirects, the SAML audience and the WebAuthn origin. Known
  // once the server listens (port 0 in tests); the default host is `localhost` for loopback
  // binds because WebAuthn does not accept an IP address as its relying party id.
  let publicUrl = config.identity.publicUrl ?? '';
  // Sessions ended here (logout, everywhere, password change) close their live views at once.
  const sessionsEnded = new WakeSignal();
  const identity = buildIdentity({ db, config: config.identity, sealer: dataKeys, audit, clock, publicUrl: () => publicUrl, sessionsEnded: () => sessionsEnded.notify() });
  const fourEyes = async (siteId: string) => (await identity.sites.site(siteId).catch(() => undefined))?.fourEyes ?? false;
  const health = new HealthMonitor({
    sources: {
      database: () => pingDatabase(db).then(() => databaseHealth.problems(), () => databaseHealth.problems()),
      recording: () => indexWriter.problems(),
      audit: () => deferredAudit.problems(),
      keys: keyHealthSource(core.provider, monotonic),
      disk: async () => [...(await diskProblems(dataDir)), ...space.problems()],
    },
  });
  faults.report = (source, problem) => health.report(source, problem);
  // Alarms reach people: the inbox, notifications and incident candidates read the committed ledger.
  const incidents = await buildIncidents({
    db,
    ledger,
    ledgerStore,
    clock,
    log,
    notifications: config.notifications,
    incidents: config.incidents,
    siteOf: async (cameraId) => (await identity.placements.placementOf(cameraId))?.siteId ?? null,
    fence,
  });
  undo.push(() => incidents.close());
  const jobs = buildClusterJobs({ db, clock, log, tickMs: alarmTickMs, cluster: { enabled: config.cluster.enabled, nodeId }, turn, fence, audit: deferredAudit, earlyWatch, incidents, siem, connectSiem, watching });
  undo.push(() => jobs.close());
  if (!config.cluster.enabled) await jobs.change({ held: true, claim: null });
  // The clock watch is made once the server listens; until then live evidence says "steady: unknown".
  const watches: { clock?: ClockWatch } = {};
  const governance = buildGovernance({
    db,
    engine: database.engine,
    ledger,
    provider: core.provider,
    clock,
    privileged: (role) => identity.roles.get(role)?.mfa ?? false,
    keys: config.keys,
    clockTrust: () => watches.clock?.steady() ?? { steady: false, waitMs: config.recording.clockConfirmSeconds * 1000 },
    cameraAdvisories: supplyChainFacts,
  });
  health.watch(healthCheckMs, (alarm) => void deferredAudit.record(alarm).catch((e: unknown) => log.error({ err: e }, 'could not record an alarm')), log);
  // The status shows a quarantined camera as such rather than as a recorder waiting to connect.
  const recorderStatus = { status: (c: Camera) => (recordable.isQuarantined(c.id) ? { ...recorder.status(c), state: 'quarantined' as const } : recorder.status(c)), subStatus: (c: Camera) => recorder.subStatus(c) };
  const routes = routeTable({
    cameras,
    recorder: recorderStatus,
    live,
    liveFeeds,
    monotonic,
    playback,
    store,
    exports,
    bookmarks: new BookmarksService({ store: createBookmarkStore(db), audit, clock }),
    audit,
    ledger,
    metrics: createMetrics({ list: () => cameras.list(), status: (c) => recorder.status(c), destinations: () => siem.status(), storage: () => replicator.status() }),
    siem,
    storageStatus: () => replicator.status(),
    auditReader: new AuditReader({ store: ledgerStore, sealer, audit }),
    playbackAudit: new PlaybackAudit(audit, clock),
    clusterStatus: () => cluster.status(),
    recordedElsewhere: (cameraId) => cluster.recordedElsewhere(cameraId),
    hasFootage: async (cameraId) => recorder.openSegment(cameraId) !== null || (await index.expired(cameraId, Number.MAX_SAFE_INTEGER, 1)).length > 0,
    ...identity,
    users: identity.users,
    tokens: identity.tokens,
    ssoProviders: () => identity.sso.list(),
    publicUrl: () => publicUrl,
    fourEyes,
    health,
    alarmInbox: incidents.alarmInbox,
    deliveries: incidents.deliveries,
    incidents: incidents.incidents,
    candidates: incidents.candidates,
    reports: incidents.reports,
    governance,
    residencyReport: async () =>
      buildResidencyReport({ allowed: config.residency.allowed, locations: collectLocations(config), cameras: await cameras.list(), footage: await residencyStore.footage(), nowMs: clock.now() }),
    onboarding,
    advisories,
    securityScores,
    ...cameraControl.routes,
    sbom: buildSbom(config.sbom.file, dataKeys),
  });
  // Refusals of authenticated callers: one summarised access.denied per actor, route, reason and minute.
  const deniedRequests = new RefusalSummary(60_000);
  const server = await buildServer({
    // A node without the api role serves its health, metrics and the cluster status only.
    routes: cluster.api ? routes : routes.filter((r) => nodeOnlyRoutes.has(r.url)),
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
    credentialsChanged: (listener) => sessionsEnded.subscribe(listener),
    requestLogLevel: config.log.requests,
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
  const url = `https://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  publicUrl ||= guessPublicUrl(config.server.host, port, hostname(), log);
  await announceSetup({ users: identity.users, setup: identity.setup, log, publicUrl, dataDir, print: deps.showSetupToken ?? process.stderr.isTTY });

  cameras.onChange(() => {
    cluster.keeper?.camerasChanged();
    void recorder.reconcile();
  });
  cameras.onChange((id, camera) => liveFeeds.changed(id, camera));
  onboarding.onChange(() => {
    cluster.keeper?.camerasChanged();
    void recorder.reconcile();
  });
  // Advisory matches follow the inventory: after an identification here, and on a timer for
  // identifications and imports the CLI made against the same database.
  const rematching = startRematching(advisoryRematchMs, (e) => log.error({ err: e }, 'advisory re-match failed'));
  undo.push(() => rematching.stop());
  // A camera quarantined at onboarding is not viewed live either: its sub-stream run ends.
  onboarding.onChange(() => void cameras.list().then((list) => list.forEach((c) => liveFeeds.changed(c.id, c)), (e: unknown) => log.error({ err: e }, 'sub-stream recheck failed')));
  // Cluster mode: each camera's downtime gap is opened by whoever takes its lease (camera-takeover.ts).
  if (!cluster.enabled) await recordDowntimeGaps({ cameras, index, nowMs: clock.now(), log });
  // Before the first camera starts: a start on a full disk frees space or stops recording first.
  await space.check().catch((e: unknown) => log.error({ err: e }, 'free-space check failed'));
  space.start(config.recording.spaceCheckSeconds * 1000);
  undo.push(async () => space.stop());
  await replicator.start();
  undo.push(() => replicator.stop());
  undo.push(() => recorder.stop());
  if (cluster.keeper !== null) {
    const keeper = cluster.keeper;
    // Leases are released after the recorder stopped (undo runs in reverse).
    undo.push(() => keeper.release());
    undo.push(() => keeper.halt());
    await keeper.start();
  }
  if (cluster.recorder) await recorder.start(cameraPollMs);
  watches.clock = clockWatch;
  const timers = startHousekeeping({
    clockWatch,
    clockSampleMs,
    retentionMs: config.recording.retentionCheckSeconds * 1000,
    // Cluster mode: one node at a time applies retention to every camera (the checkpoint signer).
    retentionTurn: () => !cluster.enabled || cluster.keeper?.signing() === true,
    retention: () => housekeeping.run(() => applyRetention({ cameras, index, store, clock, log, audit, clockTrust: () => clockWatch.steady(), shred })),
    scrub: runScrub,
    // Only with a second zone: there is then a copy to repair from (docs/reference/storage.md).
    scrubEveryMs: config.storage.scrub.intervalHours > 0 && zoneSet.zones.size > 1 ? config.storage.scrub.intervalHours * 3_600_000 : null,
    log,
  });
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
    storage: { zoneSet, replicator, copies, scrub: () => timers.scrubNow() },
    identity,
    incidents,
    governance,
    siem,
    cluster,
    close() {
      closing ??= (async () => {
        timers.stop();
        health.stop();
        // Cluster mode: no more claims or renewals while the recorder closes its segments under
        // its leases; then the leases are released, so the others take the cameras at once.
        await cluster.keeper?.halt();
        // Cluster mode: the jobs stop (saving their cursors) while the jobs lease is still held.
        if (cluster.enabled) await jobs.close();
        await recorder.stop();
        await cluster.keeper?.release().catch((e: unknown) => log.error({ err: e }, 'could not release the cluster leases; they lapse by themselves'));
        await liveFeeds.close();
        space.stop();
        // Open PTZ sessions end (reason shutdown) while the ledger still records.
        await cameraControl.ptzSessions.close();
        await nativeIngest.close();
        // Every writer closed with the recorder: nothing is left to seal.
        await sealPool.close();
        await server.close();
        // No re-match may start, nor be left running, once the database closes.
        await rematching.stop();
        await exports.idle();
        // Copies still pending stay in the spool (their rows) and are backfilled at the next start.
        await replicator.stop();
        await timers.idle();
        // Writes held during an outage get a last chance; what is still unwritten is logged (start-up
        // recovery finds those segments: their objects are in the vault).
        const unwritten = await indexWriter.close(closeGraceMs);
        if (unwritten > 0) log.error({ writes: unwritten }, 'recording index writes could not be made before shutdown');
        // Segment leaves record through the deferred sink: they MUST be handed to it before it closes.
        await segmentLeaves.idle();
        // Before the deferred sink and the ledger close: the loops record through the one and read the other.
        await jobs.close();
        await incidents.close();
        await siem.stop();
        await deferredAudit.close(closeGraceMs);
        // Offers in flight finish while the ledger can still give proofs; the final checkpoint the
        // ledger signs at close is offered by the next start's first checkpoint (it covers it).
        watching.witnesses = undefined;
        await witnesses.close();
        await zoneSet.close();
        await core.close();
      })();
      return closing;
    },
  };
}

