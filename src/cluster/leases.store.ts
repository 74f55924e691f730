import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** A lease as read from the database. */
export interface LeaseRow {
  readonly name: string;
  readonly holder: string | null;
  readonly token: number;
  readonly expiresMs: number;
  readonly acquiredMs: number;
}

/** What a successful claim returns: the new token and how the previous holding ended. */
export interface Claimed {
  readonly token: number;
  /** The holder whose lease lapsed (failover); null when the lease was free or released. */
  readonly prevHolder: string | null;
  /** When the previous holding ended (lapse or release); null for a brand-new lease. */
  readonly prevEndMs: number | null;
  /** The database's clock at the claim. */
  readonly nowMs: number;
}

/** A node of the cluster as read from the database. */
export interface NodeRow {
  readonly nodeId: string;
  readonly roles: string[];
  readonly url: string | null;
  readonly startedMs: number;
  readonly seenMs: number;
  readonly stoppedMs: number | null;
}

/**
 * Leases and nodes in PostgreSQL (migration 0020). Every time is the database's clock, so the
 * nodes' clocks never decide who holds what. Contracts:
 * - `claim` succeeds only on a lease that is free (released or lapsed) or new, and gives the
 *   previous token + 1, in one statement: two claimers cannot both win.
 * - `renew` extends only leases still held under the given tokens.
 */
export interface LeaseStore {
  claim(name: string, holder: string, ttlMs: number): Promise<Claimed | null>;
  /** Renews the held leases; returns the names renewed (the others were lost). */
  renew(held: ReadonlyMap<string, number>, holder: string, ttlMs: number): Promise<Set<string>>;
  /** Releases leases held under these tokens (a clean stop or a handover). */
  release(held: ReadonlyMap<string, number>, holder: string): Promise<void>;
  /** Every lease whose name starts with `prefix`. */
  list(prefix: string): Promise<LeaseRow[]>;
  /**
   * One round trip for a keeper's round: the heartbeat and the renewal of the held leases in one
   * statement. Returns the database's clock and the names renewed.
   */
  beat(node: { nodeId: string; instance: string; roles: readonly string[]; url: string | null }, held: ReadonlyMap<string, number>, ttlMs: number): Promise<{ nowMs: number; renewed: Set<string> }>;
  /** The nodes and the leases starting with `prefix`, in one statement (the balance's view). */
  view(prefix: string): Promise<{ nodes: NodeRow[]; leases: LeaseRow[] }>;
  /** Records this node's heartbeat; returns the database's clock. */
  heartbeat(node: { nodeId: string; instance: string; roles: readonly string[]; url: string | null }): Promise<number>;
  /** Marks a node stopped (clean stop). */
  stopped(nodeId: string, instance: string): Promise<void>;
  nodes(): Promise<NodeRow[]>;
}

/** The database's clock in ms (PostgreSQL). */
const nowMs = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Creates the lease store over a PostgreSQL handle. */
export function createLeaseStore(db: Db): LeaseStore {
  return {
    async claim(name, holder, ttlMs) {
      const result = await sql<{ token: number; prev_holder: string | null; prev_end_ms: number | null; now_ms: number }>`
        INSERT INTO cluster_leases AS l (name, holder, token, expires_ms, acquired_ms, prev_holder, prev_end_ms)
        VALUES (${name}, ${holder}, 1, ${nowMs} + ${ttlMs}, ${nowMs}, NULL, NULL)
        ON CONFLICT (name) DO UPDATE SET
          holder = excluded.holder,
          token = l.token + 1,
          expires_ms = excluded.expires_ms,
          acquired_ms = excluded.acquired_ms,
          prev_holder = l.holder,
          prev_end_ms = l.expires_ms
        WHERE l.holder IS NULL OR l.expires_ms < ${nowMs}
        RETURNING token, prev_holder, prev_end_ms, acquired_ms AS now_ms`.execute(db);
      const row = result.rows[0];
      return row === undefined ? null : { token: Number(row.token), prevHolder: row.prev_holder, prevEndMs: row.prev_end_ms === null ? null : Number(row.prev_end_ms), nowMs: Number(row.now_ms) };
    },
    async renew(held, holder, ttlMs) {
      if (held.size === 0) return new Set();
      const names = [...held.keys()];
      const tokens = names.map((n) => held.get(n) as number);
      const result = await sql<{ name: string }>`
        UPDATE cluster_leases AS l SET expires_ms = ${nowMs} + ${ttlMs}
        FROM unnest(${names}::text[], ${tokens}::bigint[]) AS h(name, token)
        WHERE l.name = h.name AND l.token = h.token AND l.holder = ${holder}
        RETURNING l.name`.execute(db);
      return new Set(result.rows.map((r) => r.name));
    },
    async release(held, holder) {
      if (held.size === 0) return;
      const names = [...held.keys()];
      const tokens = names.map((n) => held.get(n) as number);
      await sql`
        UPDATE cluster_leases AS l SET holder = NULL, expires_ms = ${nowMs}
        FROM unnest(${names}::text[], ${tokens}::bigint[]) AS h(name, token)
        WHERE l.name = h.name AND l.token = h.token AND l.holder = ${holder}`.execute(db);
    },
    async list(prefix) {
      const rows = await db.selectFrom('cluster_leases').selectAll().where('name', 'like', `${prefix}%`).orderBy('name').execute();
      return rows.map((r) => ({ name: r.name, holder: r.holder, token: Number(r.token), expiresMs: Number(r.expires_ms), acquiredMs: Number(r.acquired_ms) }));
    },
    async beat(node, held, ttlMs) {
      const names = [...held.keys()];
      const tokens = names.map((n) => held.get(n) as number);
      // Data-modifying CTEs: both run once, whatever the outer query reads.
      const result = await sql<{ name: string | null; seen_ms: number | null }>`
        WITH hb AS (
          INSERT INTO cluster_nodes AS n (node_id, instance, roles, url, started_ms, seen_ms, stopped_ms)
          VALUES (${node.nodeId}, ${node.instance}, ${node.roles.join(',')}, ${node.url}, ${nowMs}, ${nowMs}, NULL)
          ON CONFLICT (node_id) DO UPDATE SET
            seen_ms = excluded.seen_ms, roles = excluded.roles, url = excluded.url, stopped_ms = NULL,
            started_ms = CASE WHEN n.instance = excluded.instance THEN n.started_ms ELSE excluded.started_ms END,
            instance = excluded.instance
          RETURNING seen_ms
        ), rn AS (
          UPDATE cluster_leases AS l SET expires_ms = ${nowMs} + ${ttlMs}
          FROM unnest(${names}::text[], ${tokens}::bigint[]) AS h(name, token)
          WHERE l.name = h.name AND l.token = h.token AND l.holder = ${node.nodeId}
          RETURNING l.name
        )
        SELECT name, NULL::bigint AS seen_ms FROM rn UNION ALL SELECT NULL, seen_ms FROM hb`.execute(db);
      const seen = result.rows.find((r) => r.name === null);
      return { nowMs: Number(seen?.seen_ms ?? 0), renewed: new Set(result.rows.flatMap((r) => (r.name === null ? [] : [r.name]))) };
    },
    async view(prefix) {
      const result = await sql<{ kind: string; id: string; holder: string | null; a: number | null; b: number | null; c: number | null; roles: string | null }>`
        SELECT 'lease' AS kind, name AS id, holder, token AS a, expires_ms AS b, acquired_ms AS c, NULL AS roles FROM cluster_leases WHERE name LIKE ${`${prefix}%`}
        UNION ALL
        SELECT 'node', node_id, url, started_ms, seen_ms, stopped_ms, roles FROM cluster_nodes`.execute(db);
      const num = (v: number | null) => (v === null ? null : Number(v));
      return {
        leases: result.rows.filter((r) => r.kind === 'lease').map((r) => ({ name: r.id, holder: r.holder, token: Number(r.a), expiresMs: Number(r.b), acquiredMs: Number(r.c) })),
        nodes: result.rows.filter((r) => r.kind === 'node').map((r) => ({ nodeId: r.id, roles: (r.roles ?? '').split(',').filter((x) => x !== ''), url: r.holder, startedMs: Number(r.a), seenMs: Number(r.b), stoppedMs: num(r.c) })),
      };
    },
    async heartbeat(node) {
      const result = await sql<{ seen_ms: number }>`
        INSERT INTO cluster_nodes AS n (node_id, instance, roles, url, started_ms, seen_ms, stopped_ms)
        VALUES (${node.nodeId}, ${node.instance}, ${node.roles.join(',')}, ${node.url}, ${nowMs}, ${nowMs}, NULL)
        ON CONFLICT (node_id) DO UPDATE SET
          seen_ms = excluded.seen_ms, roles = excluded.roles, url = excluded.url, stopped_ms = NULL,
          started_ms = CASE WHEN n.instance = excluded.instance THEN n.started_ms ELSE excluded.started_ms END,
          instance = excluded.instance
        RETURNING seen_ms`.execute(db);
      return Number(result.rows[0]?.seen_ms ?? 0);
    },
    async stopped(nodeId, instance) {
      await sql`UPDATE cluster_nodes SET stopped_ms = ${nowMs} WHERE node_id = ${nodeId} AND instance = ${instance}`.execute(db);
    },
    async nodes() {
      const rows = await db.selectFrom('cluster_nodes').selectAll().orderBy('node_id').execute();
      return rows.map((r) => ({ nodeId: r.node_id, roles: r.roles.split(',').filter((x) => x !== ''), url: r.url, startedMs: Number(r.started_ms), seenMs: Number(r.seen_ms), stoppedMs: r.stopped_ms === null ? null : Number(r.stopped_ms) }));
    },
  };
}
