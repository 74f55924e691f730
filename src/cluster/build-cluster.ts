import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db, DbEngine } from '../db/database.ts';
import type { ClusterConfig } from '../config/cluster.schema.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { MonotonicClock } from '../lib/monotonic-clock.ts';
import { clusterStatus, type ClusterStatus } from './cluster-status.ts';
import { LeaseKeeper, type ClaimedCamera, type LeaseKeeperDeps, type TakenOver } from './lease-keeper.ts';
import { createLeaseStore } from './leases.store.ts';

/** The cluster part of a running server (issue 15). */
export interface BuiltCluster {
  readonly enabled: boolean;
  readonly nodeId: string;
  readonly recorder: boolean;
  readonly api: boolean;
  /** May run the once-per-cluster jobs (alarm rules, alarm inbox and notifications, SIEM shipping) when it holds the jobs lease. */
  readonly jobs: boolean;
  /** The lease keeper (cluster mode), else null: this process records every camera. */
  readonly keeper: LeaseKeeper | null;
  status(): Promise<ClusterStatus>;
  /** The node recording a camera, when it is not this one (cluster mode). */
  recordedElsewhere(cameraId: string): Promise<{ node: string; url: string | null } | null>;
}

/** Refuses a cluster on SQLite (one process per data directory): CONFIG_INVALID, one line. */
export function assertClusterConfig(config: ClusterConfig, databaseUrl: unknown): void {
  if (config.enabled && databaseUrl === null) throw new AppError('CONFIG_INVALID', 'cluster.enabled needs PostgreSQL (database.url): SQLite serves one process');
  if (!config.enabled && !(['recorder', 'api', 'jobs'] as const).every((r) => config.roles.includes(r))) throw new AppError('CONFIG_INVALID', 'cluster.roles other than all three need cluster.enabled (several processes on one PostgreSQL)');
}

/** This node's id in the cluster: `cluster.nodeId`, else the host name. */
export function clusterNodeId(config: Pick<ClusterConfig, 'nodeId'>): string {
  return config.nodeId ?? hostname();
}

/** Builds the cluster part; the keeper starts later (app.ts), once the recorder exists. */
export function buildCluster(opts: {
  db: Db;
  engine: DbEngine;
  config: ClusterConfig;
  clock: Clock;
  monotonic: MonotonicClock;
  log: Logger;
  url: () => string | null;
  wanted: () => Promise<string[]>;
  takeOver: (claim: ClaimedCamera) => Promise<TakenOver>;
  reconcile: () => Promise<void>;
  onJobs?: LeaseKeeperDeps['onJobs'];
}): BuiltCluster {
  const { config } = opts;
  const nodeId = clusterNodeId(config);
  const store = createLeaseStore(opts.db);
  const leaseMs = config.leaseSeconds * 1000;
  const keeper = config.enabled
    ? new LeaseKeeper({
        store,
        nodeId,
        instance: randomUUID(),
        roles: config.roles,
        url: opts.url,
        leaseMs,
        renewMs: config.renewSeconds * 1000,
        monotonic: opts.monotonic,
        log: opts.log.child({ node: nodeId }),
        wanted: opts.wanted,
        takeOver: opts.takeOver,
        reconcile: opts.reconcile,
        ...(opts.onJobs === undefined ? {} : { onJobs: opts.onJobs }),
      })
    : null;
  return {
    enabled: config.enabled,
    nodeId,
    recorder: config.roles.includes('recorder'),
    api: config.roles.includes('api'),
    jobs: config.roles.includes('jobs'),
    keeper,
    status: () => clusterStatus(store, { enabled: config.enabled, node: nodeId, leaseMs, nowMs: opts.clock.now() }),
    async recordedElsewhere(cameraId) {
      if (keeper === null || keeper.lease(cameraId) !== null) return null;
      const status = await clusterStatus(store, { enabled: true, node: nodeId, leaseMs, nowMs: opts.clock.now() });
      const holder = status.cameras.find((c) => c.cameraId === cameraId)?.holder ?? null;
      if (holder === null || holder === nodeId) return null;
      return { node: holder, url: status.nodes.find((n) => n.id === holder)?.url ?? null };
    },
  };
}
