import { CompiledQuery, PostgresAdapter, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { AuditEventTable } from '../db/tables.ts';
import type { TreeNode } from '../tlog/tree-nodes.ts';
import type { StoredEvent } from './ledger.store.ts';

/** Writes one group commit's rows inside the caller's transaction and sets the head's size to `size`. */
export type BulkInsert = (trx: Db, rows: readonly StoredEvent[], nodes: readonly TreeNode[], size: number) => Promise<void>;

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
export function bulkInsertFor(db: Db): BulkInsert {
  return db.getExecutor().adapter instanceof PostgresAdapter ? unnestInsert : valuesInsert();
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
