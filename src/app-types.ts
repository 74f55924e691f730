// The composition root's contract: what startApp takes and what a running Custos exposes to
// tests and the CLI (kept apart from app.ts, which wires the pieces).

import type { FastifyInstance } from 'fastify';
import type { AuditLedger } from './audit/ledger.ts';
import type { CamerasService } from './cameras/cameras.service.ts';
import type { BuiltCluster } from './cluster/build-cluster.ts';
import type { Governance } from './governance/build-governance.ts';
import type { Identity } from './identity/build-identity.ts';
import type { BuiltIncidents } from './incidents/build-incidents.ts';
import type { DataKeys } from './keys/data-keys.ts';
import type { Clock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';
import type { MonotonicClock } from './lib/monotonic-clock.ts';
import type { ExportsService } from './playback/exports.service.ts';
import type { PlaybackService } from './playback/playback.service.ts';
import type { Recorder } from './recording/recorder.ts';
import type { RecoveryReport } from './recording/recovery.ts';
import type { SegmentStore } from './recording/segment-store.ts';
import type { SiemShipper } from './siem/delivery/shipper.ts';
import type { Replicator } from './storage/replicator.ts';
import type { ScrubReport } from './storage/scrub.ts';
import type { SegmentCopies } from './storage/segment-copies.store.ts';
import type { ZoneSet } from './storage/zone-set.ts';

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
  /** Storage zones: placement, spool and backfill, scrub. */
  readonly storage: { readonly zoneSet: ZoneSet; readonly replicator: Replicator; readonly copies: SegmentCopies; scrub(): Promise<ScrubReport> };
  /** Users, grants, sessions, tokens: what tests and the CLI use to set up access. */
  readonly identity: Identity;
  /** The alarm inbox, notifications and the incident register (issue 18). */
  readonly incidents: BuiltIncidents;
  /** The NIS2 catalogue, live evidence, management records and signed bundles. */
  readonly governance: Governance;
  /** SIEM shipping: status and dead letters per destination. */
  readonly siem: SiemShipper;
  /** Several recorders on one PostgreSQL (issue 15): roles, leases, status. */
  readonly cluster: BuiltCluster;
  /** Stops recording (closing open segments), the server and the database, in that order. */
  close(): Promise<void>;
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
