import { CompiledQuery, PostgresAdapter, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { AuditEventTable } from '../db/tables.ts';
import { nodeKey, type NodeCoord, type TreeNode } from '../tlog/tree-nodes.ts';
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
  /**
   * What verify reads: records with seq ≥ `fromSeq`, ascending, at most `limit`, and the leaf
   * hashes stored at their indexes (a record without one has none in `leaves`), ascending.
   */
  verifyPage(fromSeq: number, limit: number): Promise<{ rows: VerifyRow[]; leaves: { index: number; hash: string }[] }>;
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

/** Writes one group commit's rows inside the caller's transaction and sets the head's size to `size`. */
type BulkInsert = (trx: Db, rows: readonly StoredEvent[], nodes: readonly TreeNode[], size: number) => Promise<void>;

/**
 * The bulk INSERTs of the append path (bench/audit-ledger.ts measures them), chosen by engine:
 * - PostgreSQL: one statement (two INSERTs and the head's UPDATE as data-modifying WITH
 *   clauses) whose rows come from `unnest()` of one array per column: a dozen parameters whatever
 *   the batch size, so the server parses and plans a few hundred bytes of SQL instead of
 *   statements with thousands of placeholders, in one round trip;
 * - SQLite: multi-row INSERTs compiled once per (table, row count) and re-used (the SQLite
 *   handle keeps them prepared, src/db/statement-cache.ts); row counts are split into powers of
 *   two up to 512 (under SQLite's 32,766 bound parameters), so at most a dozen statements per
 *   table exist.
 * Both write exactly the same rows.
 */
function bulkInsertFor(postgres: boolean): BulkInsert {
  return postgres ? unnestInsert : valuesInsert();
}

/** Whether `db` talks to PostgreSQL (the few statements that differ by engine). */
function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

async function leafRows(db: Db, from: number, limit: number): Promise<{ index: number; hash: string }[]> {
  const rows = await db.selectFrom('audit_nodes').select(['idx', 'hash']).where('level', '=', 0).where('idx', '>=', from).orderBy('idx', 'asc').limit(limit).execute();
  return rows.map((r) => ({ index: Number(r.idx), hash: r.hash }));
}

const unnestInsert: BulkInsert = async (trx, rows, nodes, size) => {
  const n = rows.length;
  const seq = new Array<number>(n);
  const eventId = new Array<string>(n);
  const timeMs = new Array<number>(n);
  const type = new Array<string>(n);
  const actorId = new Array<string>(n);
  const cameraId = new Array<string | null>(n);
  const targetId = new Array<string | null>(n);
  const record = new Array<string>(n);
  const personal = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i] as StoredEvent;
    seq[i] = r.seq;
    eventId[i] = r.eventId;
    timeMs[i] = r.timeMs;
    type[i] = r.type;
    actorId[i] = r.actorId;
    cameraId[i] = r.cameraId;
    targetId[i] = r.targetId;
    record[i] = r.record;
    personal[i] = r.personal;
  }
  const level = new Array<number>(nodes.length);
  const idx = new Array<number>(nodes.length);
  const hash = new Array<string>(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as TreeNode;
    level[i] = node.level;
    idx[i] = node.index;
    hash[i] = node.hash.toString('hex');
  }
  await sql`with
      events as (insert into audit_events (seq, event_id, time_ms, type, actor_id, camera_id, target_id, record, personal)
        select * from unnest(${seq}::bigint[], ${eventId}::text[], ${timeMs}::bigint[], ${type}::text[], ${actorId}::text[], ${cameraId}::text[], ${targetId}::text[], ${record}::text[], ${personal}::text[])),
      nodes as (insert into audit_nodes (level, idx, hash) select * from unnest(${level}::integer[], ${idx}::bigint[], ${hash}::text[]))
    update audit_head set size = ${size} where id = 1`.execute(trx);
};

/** Rows per INSERT at most (a power of two): under SQLite's 32,766 bound parameters. */
const insertChunk = 512;

const eventColumns = ['seq', 'event_id', 'time_ms', 'type', 'actor_id', 'camera_id', 'target_id', 'record', 'personal'] as const;

/** Writes a row's bound values into `into` from `at` on. */
type Bind<T> = (row: T, into: unknown[], at: number) => void;

const bindEvent: Bind<StoredEvent> = (r, p, at) => {
  p[at] = r.seq;
  p[at + 1] = r.eventId;
  p[at + 2] = r.timeMs;
  p[at + 3] = r.type;
  p[at + 4] = r.actorId;
  p[at + 5] = r.cameraId;
  p[at + 6] = r.targetId;
  p[at + 7] = r.record;
  p[at + 8] = r.personal;
};

const bindNode: Bind<TreeNode> = (n, p, at) => {
  p[at] = n.level;
  p[at + 1] = n.index;
  p[at + 2] = n.hash.toString('hex');
};

/** A table's multi-row INSERT texts by row count, compiled on first use. */
interface InsertTexts {
  readonly width: number;
  readonly build: (db: Db, rows: number) => CompiledQuery;
  readonly compiled: Map<number, string>;
}

function valuesInsert(): BulkInsert {
  const events: InsertTexts = {
    width: eventColumns.length,
    compiled: new Map(),
    build: (db, rows) =>
      db
        .insertInto('audit_events')
        .values(Array.from({ length: rows }, () => Object.fromEntries(eventColumns.map((c) => [c, null])) as unknown as AuditEventTable))
        .compile(),
  };
  const nodeTexts: InsertTexts = {
    width: 3,
    compiled: new Map(),
    build: (db, rows) =>
      db
        .insertInto('audit_nodes')
        .values(Array.from({ length: rows }, () => ({ level: 0, idx: 0, hash: '' })))
        .compile(),
  };
  return async (trx, rows, nodes, size) => {
    await insertChunks(trx, events, rows, bindEvent);
    await insertChunks(trx, nodeTexts, nodes, bindNode);
    await trx.updateTable('audit_head').set({ size }).where('id', '=', 1).execute();
  };
}

async function insertChunks<T>(db: Db, texts: InsertTexts, rows: readonly T[], bind: Bind<T>): Promise<void> {
  let at = 0;
  while (at < rows.length) {
    let n = insertChunk;
    while (n > rows.length - at) n /= 2;
    let text = texts.compiled.get(n);
    if (text === undefined) {
      text = texts.build(db, n).sql;
      texts.compiled.set(n, text);
    }
    const parameters = new Array<unknown>(n * texts.width);
    for (let i = 0; i < n; i++) bind(rows[at + i] as T, parameters, i * texts.width);
    await db.executeQuery(CompiledQuery.raw(text, parameters));
    at += n;
  }
}

/** The ledger's tables in the metadata database. */
export function createLedgerStore(db: Db): LedgerStore {
  const postgres = isPostgres(db);
  const bulkInsert = bulkInsertFor(postgres);
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
    async verifyPage(fromSeq, limit) {
      // Two ordered range scans: a join (an index lookup per record) measured twice as slow on PostgreSQL.
      const [rows, leaves] = await Promise.all([
        db.selectFrom('audit_events').select(['seq', 'record', 'personal']).where('seq', '>=', fromSeq).orderBy('seq', 'asc').limit(limit).execute(),
        leafRows(db, fromSeq, limit),
      ]);
      // Rows reaching past the leaves read (rows were deleted in this page): their leaves too.
      const lastRow = rows.at(-1)?.seq ?? -1;
      const lastLeaf = leaves.at(-1)?.index ?? fromSeq - 1;
      if (leaves.length === limit && lastRow > lastLeaf) leaves.push(...(await leafRows(db, lastLeaf + 1, lastRow - lastLeaf)));
      return { rows, leaves };
    },
    leafPage: (from, limit) => leafRows(db, from, limit),
  };
}
