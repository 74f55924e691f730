import type { Db } from '../db/database.ts';
import type { AuditEventTable } from '../db/tables.ts';
import { nodeKey, type NodeCoord, type TreeNode } from '../tlog/tree-nodes.ts';
import { bulkInsertFor } from './ledger-inserts.ts';
import type { VerifyRow } from './verify-page.ts';

/** A signed checkpoint as stored. */
export interface StoredCheckpoint {
  readonly size: number;
  readonly root: Buffer;
  /** The signed note text. */
  readonly note: string;
  readonly signedMs: number;
}

/** A committed event row. */
export interface StoredEvent {
  readonly seq: number;
  readonly eventId: string;
  readonly timeMs: number;
  readonly type: string;
  readonly actorId: string;
  readonly cameraId: string | null;
  readonly targetId: string | null;
  /** The canonical JSON leaf text. */
  readonly record: string;
  readonly personal: string | null;
}

/** What an audit query may filter on; every filter is optional, results ascend by seq. */
export interface EventFilter {
  readonly actorId?: string;
  readonly type?: string;
  readonly cameraId?: string;
  readonly fromMs?: number;
  readonly toMs?: number;
  /** Only events with seq greater than this (keyset paging). */
  readonly afterSeq?: number;
  readonly limit: number;
}

/** Writes made while holding the ledger lock. */
export interface LedgerTx {
  /** Appends events and the tree nodes they complete; the head's size becomes `size`. */
  append(rows: readonly StoredEvent[], nodes: readonly TreeNode[], size: number): Promise<void>;
  nodes(coords: readonly NodeCoord[]): Promise<Map<string, Buffer>>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  insertCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
}

/**
 * Persistence of the audit ledger (SQLite or PostgreSQL).
 *
 * Contract: `locked` runs `work` in one transaction that first takes the ledger's write lock
 * (an UPDATE of the single head row: the write lock on SQLite, a row lock on PostgreSQL), so
 * appends and checkpoint signing from several processes (server, CLI) are serialised and a
 * writer always sees the committed size. Everything `work` writes commits together or not at all.
 */
export interface LedgerStore {
  locked<T>(work: (tx: LedgerTx, size: number) => Promise<T>): Promise<T>;
  /** Committed size (without locking). */
  size(): Promise<number>;
  nodes(coords: readonly NodeCoord[]): Promise<Map<string, Buffer>>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** Checkpoints by descending size, below `beforeSize` when given. */
  checkpoints(limit: number, beforeSize?: number): Promise<StoredCheckpoint[]>;
  /** Every checkpoint by ascending size (for verify). */
  allCheckpoints(): Promise<StoredCheckpoint[]>;
  events(filter: EventFilter): Promise<StoredEvent[]>;
  event(seq: number): Promise<StoredEvent | undefined>;
  /** Events of `type` whose target id is one of `targetIds`. */
  eventsByTarget(type: string, targetIds: readonly string[]): Promise<StoredEvent[]>;
  /** Events with seq ≥ `fromSeq`, ascending, at most `limit`, with only seq, record and personal filled (for verify). */
  eventPage(fromSeq: number, limit: number): Promise<StoredEvent[]>;
  /** Records with seq ≥ `fromSeq`, ascending, at most `limit`: the rows verify reads. */
  recordPage(fromSeq: number, limit: number): Promise<VerifyRow[]>;
  /** Stored leaf hashes (level-0 nodes) with index ≥ `from`, ascending. */
  leafPage(from: number, limit: number): Promise<{ index: number; hash: string }[]>;
}

const toEvent = (r: AuditEventTable): StoredEvent => ({
  seq: Number(r.seq),
  eventId: r.event_id,
  timeMs: Number(r.time_ms),
  type: r.type,
  actorId: r.actor_id,
  cameraId: r.camera_id,
  targetId: r.target_id,
  record: r.record,
  personal: r.personal,
});

const toCheckpoint = (r: { size: number; root: string; note: string; signed_ms: number }): StoredCheckpoint => ({
  size: Number(r.size),
  root: Buffer.from(r.root, 'hex'),
  note: r.note,
  signedMs: Number(r.signed_ms),
});

async function fetchNodes(db: Db, coords: readonly NodeCoord[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const byLevel = new Map<number, number[]>();
  for (const c of coords) byLevel.set(c.level, [...(byLevel.get(c.level) ?? []), c.index]);
  for (const [level, indexes] of byLevel) {
    const rows = await db.selectFrom('audit_nodes').select(['idx', 'hash']).where('level', '=', level).where('idx', 'in', indexes).execute();
    for (const r of rows) found.set(nodeKey(level, Number(r.idx)), Buffer.from(r.hash, 'hex'));
  }
  return found;
}

async function latest(db: Db): Promise<StoredCheckpoint | undefined> {
  const row = await db.selectFrom('audit_checkpoints').selectAll().orderBy('size', 'desc').limit(1).executeTakeFirst();
  return row && toCheckpoint(row);
}

/** The ledger's tables in the metadata database. */
export function createLedgerStore(db: Db): LedgerStore {
  const bulkInsert = bulkInsertFor(db);
  return {
    async locked(work) {
      return db.transaction().execute(async (trx) => {
        const head = await trx
          .updateTable('audit_head')
          .set((eb) => ({ writes: eb('writes', '+', 1) }))
          .where('id', '=', 1)
          .returning('size')
          .executeTakeFirstOrThrow();
        const tx: LedgerTx = {
          async append(rows, made, size) {
            await bulkInsert(trx, rows, made, size);
          },
          nodes: (coords) => fetchNodes(trx, coords),
          latestCheckpoint: () => latest(trx),
          async insertCheckpoint(c) {
            await trx.insertInto('audit_checkpoints').values({ size: c.size, root: c.root.toString('hex'), note: c.note, signed_ms: c.signedMs }).execute();
          },
        };
        return work(tx, Number(head.size));
      });
    },
    async size() {
      const head = await db.selectFrom('audit_head').select('size').where('id', '=', 1).executeTakeFirstOrThrow();
      return Number(head.size);
    },
    nodes: (coords) => fetchNodes(db, coords),
    latestCheckpoint: () => latest(db),
    async checkpoints(limit, beforeSize) {
      let q = db.selectFrom('audit_checkpoints').selectAll().orderBy('size', 'desc').limit(limit);
      if (beforeSize !== undefined) q = q.where('size', '<', beforeSize);
      return (await q.execute()).map(toCheckpoint);
    },
    async allCheckpoints() {
      return (await db.selectFrom('audit_checkpoints').selectAll().orderBy('size', 'asc').execute()).map(toCheckpoint);
    },
    async events(f) {
      let q = db.selectFrom('audit_events').selectAll().orderBy('seq', 'asc').limit(f.limit);
      if (f.actorId !== undefined) q = q.where('actor_id', '=', f.actorId);
      if (f.type !== undefined) q = q.where('type', '=', f.type);
      if (f.cameraId !== undefined) q = q.where('camera_id', '=', f.cameraId);
      if (f.fromMs !== undefined) q = q.where('time_ms', '>=', f.fromMs);
      if (f.toMs !== undefined) q = q.where('time_ms', '<', f.toMs);
      if (f.afterSeq !== undefined) q = q.where('seq', '>', f.afterSeq);
      return (await q.execute()).map(toEvent);
    },
    async event(seq) {
      const row = await db.selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirst();
      return row && toEvent(row);
    },
    async eventsByTarget(type, targetIds) {
      if (targetIds.length === 0) return [];
      const rows = await db.selectFrom('audit_events').selectAll().where('type', '=', type).where('target_id', 'in', [...targetIds]).orderBy('seq', 'asc').execute();
      return rows.map(toEvent);
    },
    async eventPage(fromSeq, limit) {
      // Only what verify reads: the index, the record text and the sealed personal fields.
      const rows = await db.selectFrom('audit_events').select(['seq', 'record', 'personal']).where('seq', '>=', fromSeq).orderBy('seq', 'asc').limit(limit).execute();
      return rows.map((r) => ({ seq: Number(r.seq), eventId: '', timeMs: 0, type: '', actorId: '', cameraId: null, targetId: null, record: r.record, personal: r.personal }));
    },
    async recordPage(fromSeq, limit) {
      // As the driver returns them (int8 is parsed as a number on PostgreSQL): no copy per row.
      return db.selectFrom('audit_events').select(['seq', 'record', 'personal']).where('seq', '>=', fromSeq).orderBy('seq', 'asc').limit(limit).execute();
    },
    async leafPage(from, limit) {
      const rows = await db.selectFrom('audit_nodes').select(['idx', 'hash']).where('level', '=', 0).where('idx', '>=', from).orderBy('idx', 'asc').limit(limit).execute();
      return rows.map((r) => ({ index: Number(r.idx), hash: r.hash }));
    },
  };
}
