import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import type { ClusterStatus } from './cluster-status.ts';

/** Dependencies of the cluster route. Route builders MUST NOT use them before a handler runs. */
export interface ClusterRouteDeps {
  readonly clusterStatus: () => Promise<ClusterStatus>;
}

export const clusterStatusSchema = z
  .object({
    enabled: z.boolean().describe('cluster.enabled of the node answering.'),
    node: z.string().describe('The node answering.'),
    nodes: z.array(
      z.object({
        id: z.string(),
        roles: z.array(z.string()),
        url: z.string().nullable(),
        live: z.boolean().describe('Heartbeat within the lease time and not stopped.'),
        startedAt: z.string(),
        seenAt: z.string(),
        cameras: z.number().describe('Cameras whose lease it holds.'),
      }),
    ),
    cameras: z.array(
      z.object({
        cameraId: z.string(),
        holder: z.string().nullable().describe('Node recording the camera (holding its lease), or null while nobody does.'),
        token: z.number().describe('Fencing token of the lease: grows with every new holder.'),
        expiresAt: z.string(),
      }),
    ),
    checkpointSigner: z.string().nullable().describe('Node that signs the audit checkpoints now.'),
    jobsHolder: z.string().nullable().describe('Node that runs the cluster jobs now (alarm rules, alarm inbox and notifications, SIEM shipping); null while none holds the jobs lease.'),
  })
  .describe('Which node records each camera, the nodes of the cluster, and the checkpoint signer.');

/** `GET /api/v1/cluster/status`. */
export function clusterRoutes(deps: ClusterRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/cluster/status',
      access: 'camera.manage',
      scope: 'global',
      summary: 'Cluster: the nodes, which recorder holds each camera (lease holder and fencing token), and the checkpoint signer',
      tag: 'system',
      response: { status: 200, schema: clusterStatusSchema },
      handler: async () => deps.clusterStatus(),
    }),
  ];
}
