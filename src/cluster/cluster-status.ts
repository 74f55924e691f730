import type { LeaseStore } from './leases.store.ts';
import { jobsLease, signerLease } from './lease-keeper.ts';

/** Which node records each camera and which nodes are alive (`GET /api/v1/cluster/status`, `custos cluster status`). */
export interface ClusterStatus {
  readonly enabled: boolean;
  /** The node answering. */
  readonly node: string;
  readonly nodes: readonly {
    readonly id: string;
    readonly roles: readonly string[];
    readonly url: string | null;
    /** Seen within the lease time and not stopped. */
    readonly live: boolean;
    readonly startedAt: string;
    readonly seenAt: string;
    readonly cameras: number;
  }[];
  readonly cameras: readonly {
    readonly cameraId: string;
    /** Node holding the lease, or null (released, or lapsed and not yet taken). */
    readonly holder: string | null;
    readonly token: number;
    readonly expiresAt: string;
  }[];
  /** Node that signs the audit checkpoints now, or null. */
  readonly checkpointSigner: string | null;
  /** Node that runs the cluster jobs now (alarm rules, alarm inbox and notifications, SIEM shipping), or null. */
  readonly jobsHolder: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Reads the cluster's state from the lease store; `nowMs` is the caller's clock (status only). */
export async function clusterStatus(store: Pick<LeaseStore, 'nodes' | 'list'>, opts: { enabled: boolean; node: string; leaseMs: number; nowMs: number }): Promise<ClusterStatus> {
  const [nodes, leases, signer, jobs] = await Promise.all([store.nodes(), store.list('camera:'), store.list(signerLease), store.list(jobsLease)]);
  const holderOf = (l: { holder: string | null; expiresMs: number }) => (l.holder !== null && l.expiresMs >= opts.nowMs ? l.holder : null);
  const cameras = leases.map((l) => ({ cameraId: l.name.slice('camera:'.length), holder: holderOf(l), token: l.token, expiresAt: iso(l.expiresMs) }));
  return {
    enabled: opts.enabled,
    node: opts.node,
    nodes: nodes.map((n) => ({
      id: n.nodeId,
      roles: n.roles,
      url: n.url,
      live: n.stoppedMs === null && n.seenMs >= opts.nowMs - opts.leaseMs,
      startedAt: iso(n.startedMs),
      seenAt: iso(n.seenMs),
      cameras: cameras.filter((c) => c.holder === n.nodeId).length,
    })),
    cameras,
    checkpointSigner: signer[0] === undefined ? null : holderOf(signer[0]),
    // list() matches by prefix: the jobs lease is the row named exactly so.
    jobsHolder: ((l) => (l === undefined ? null : holderOf(l)))(jobs.find((l) => l.name === jobsLease)),
  };
}
