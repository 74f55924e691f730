import { z } from 'zod';

/**
 * The `cluster` part of the one configuration schema (schema.ts composes it): several
 * `custos serve` processes on one PostgreSQL database (issue 15, docs/reference/deployment.md).
 * With SQLite (one process per data directory) only `roles` applies.
 */
export const cluster = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('Run as one node of a cluster on one PostgreSQL database: cameras are recorded under leases with fencing tokens, spread over the recorders and moved on failover. Requires database.url. Off: this process records every camera and keeps recording through a database outage (the one-process install).'),
    roles: z
      .array(z.enum(['recorder', 'api', 'jobs']))
      .min(1)
      .default(['recorder', 'api', 'jobs'])
      .describe('What this process does: `recorder` claims camera leases and records; `api` serves the API and web console; `jobs` may run the work that MUST run once per cluster (alarm rules, the alarm inbox feed and notifications, SIEM shipping): the node holding the `jobs` lease runs it, the others stand by and take over when it stops renewing the lease (ADR 0039). All three by default (the one-process install). A node without `api` serves only /healthz, /metrics and the cluster status. Give `jobs` to two or more nodes for failover.'),
    nodeId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .nullable()
      .default(null)
      .describe('Name of this node in leases, status and audit events; MUST be unique in the cluster. Default: the host name.'),
    url: z
      .url({ protocol: /^https$/ })
      .nullable()
      .default(null)
      .describe('URL viewers reach this node at (https://…): a live view asked of another node names it (CAMERA_ON_OTHER_NODE). Default: identity.publicUrl, else the listener\'s address.'),
    leaseSeconds: z
      .number()
      .min(1)
      .max(300)
      .default(5)
      .describe('PostgreSQL: a camera lease lapses this long after its last renewal; another recorder then takes the camera (failover time ≈ this + renewSeconds + the camera\'s connect time). A recorder stops writing a camera by itself once its lease may have lapsed.'),
    renewSeconds: z
      .number()
      .min(0.1)
      .max(100)
      .default(1)
      .describe('PostgreSQL: how often a recorder renews its leases, claims free cameras and balances its share. MUST be well below leaseSeconds (at most a third).'),
  })
  .prefault({})
  .refine((c) => c.renewSeconds * 3 <= c.leaseSeconds, { message: 'cluster.renewSeconds must be at most a third of cluster.leaseSeconds' })
  .describe('Several recorders on one PostgreSQL database: roles, camera leases with fencing tokens, failover (docs/reference/deployment.md).');

/** The `cluster` section with defaults applied. */
export type ClusterConfig = z.output<typeof cluster>;
