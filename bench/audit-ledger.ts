/**
 * Audit ledger throughput (LOG-2), against its goals:
 * - appends: ≥ 20,000 committed events per second with group commit (N `record` calls in
 *   flight, all awaited), on SQLite opened as the app opens it (openDatabase: file, WAL, its
 *   `synchronous` setting, printed); also one at a time (each awaited before the next), with the
 *   other `synchronous` setting (FULL ↔ NORMAL) for comparison, and side by side with a baseline:
 *   the same rows (events and tree nodes) written straight through better-sqlite3 prepared
 *   statements, 1000 events per transaction, into a fresh database of the same schema and
 *   setting: what the database alone costs;
 * - verify: `verifyLedger` over the whole ledger at ≥ 0.5 of the rate of a bare loop that only
 *   SHA-256-hashes the same stored record texts (one-shot hash() per record, one thread), run
 *   side by side: pages checked on worker threads (one per core, as `custos audit verify` does
 *   for a large ledger) and, for comparison, on the calling thread alone.
 * The load average is printed with each measurement: the figures mean little without it.
 *
 *   node bench/audit-ledger.ts [--events 50000] [--postgres] [--rounds 2]
 */
import { createHash, hash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { buildLedger } from '../src/audit/build-ledger.ts';
import type { AuditInput } from '../src/audit/audit-event.ts';
import type { AuditLedger } from '../src/audit/ledger.ts';
import type { LedgerStore } from '../src/audit/ledger.store.ts';
import { parseVerifierKey } from '../src/tlog/signed-note.ts';
import { verifyLedger } from '../src/audit/verify-ledger.ts';
import { startVerifyWorkers } from '../src/audit/verify-workers.ts';
import { createLogger } from '../src/lib/logger.ts';
import { createTestDatabase, type TestDatabase } from '../test/helpers/databases.ts';
import { createTestDataKeys } from '../test/helpers/keys.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '50000' }, postgres: { type: 'boolean', default: false }, rounds: { type: 'string', default: '2' } } });
const events = Number(values.events);
const rounds = Number(values.rounds);
const origin = 'bench.custos.local/audit';
const goals = { appendsPerSecond: 20_000, verifyRatio: 0.5 };

/** What a recorder mostly writes (a sealed segment), with a login failure (personal fields, sealed) one time in ten. */
function eventFor(i: number): AuditInput {
  if (i % 10 === 9) return { type: 'auth.login.failed', actor: { kind: 'user', id: `user:${i % 7}`, name: 'Bench User' }, source: { address: '192.0.2.7' }, outcome: 'failure', reason: 'bad password' };
  return {
    type: 'footage.segment.sealed',
    actor: { kind: 'system', id: 'system:recorder' },
    cameraId: `cam-${i % 16}`,
    target: { kind: 'segment', id: `seg-${i}` },
    outcome: 'success',
    details: { fromMs: 1_800_000_000_000 + i * 6000, toMs: 1_800_000_006_000 + i * 6000, bytes: 3_000_000 + i, sha256: createHash('sha256').update(String(i)).digest('hex') },
  };
}

const perSecond = (n: number, ms: number): number => (n / ms) * 1000;
const load = (): string => `load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
const threads = availableParallelism();
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

async function ledgerOn(database: TestDatabase): Promise<{ ledger: AuditLedger; store: LedgerStore; close(): Promise<void> }> {
  const keys = await createTestDataKeys(database.db);
  const dataDir = await mkdtemp(join(tmpdir(), 'custos-bench-ledger-'));
  const built = await buildLedger({
    db: database.db,
    dataKeys: keys.dataKeys,
    dataDir,
    audit: { origin, checkpointSeconds: 60, checkpointEntries: 1000, heartbeatSeconds: 300 },
    clock: { now: () => Date.now() },
    log: createLogger({ level: 'warn' }),
    announce: false,
  });
  return {
    ...built,
    async close() {
      await built.ledger.close();
      await keys.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Events per second: `n` calls in flight at once (group commit), all awaited. */
async function groupCommit(ledger: AuditLedger, n: number): Promise<number> {
  const start = ledger.size;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => ledger.record(eventFor(start + i))));
  return perSecond(n, performance.now() - t0);
}

/** Events per second, each call awaited before the next (one transaction per event). */
async function oneAtATime(ledger: AuditLedger, n: number): Promise<number> {
  const start = ledger.size;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await ledger.record(eventFor(start + i));
  return perSecond(n, performance.now() - t0);
}

/**
 * Events per second of the baseline: the ledger's own rows for seqs [from, from + n) and the tree
 * nodes those appends made, inserted into a fresh SQLite database by prepared statements.
 */
async function bareInserts(source: TestDatabase, from: number, n: number, synchronous: Synchronous): Promise<number> {
  const rows = await source.db.selectFrom('audit_events').selectAll().where('seq', '>=', from).where('seq', '<', from + n).orderBy('seq').execute();
  const nodes = (await source.db.selectFrom('audit_nodes').selectAll().execute()).filter((r) => {
    const last = (Number(r.idx) + 1) * 2 ** r.level - 1;
    return last >= from && last < from + n;
  });
  const nodesByLast = new Map<number, typeof nodes>();
  for (const r of nodes) {
    const last = (Number(r.idx) + 1) * 2 ** r.level - 1;
    nodesByLast.set(last, [...(nodesByLast.get(last) ?? []), r]);
  }
  const target = await createTestDatabase('sqlite');
  const sqlite = new BetterSqlite3(join(target.location, 'custos.db'));
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${synchronous}`);
    const event = sqlite.prepare('INSERT INTO audit_events (seq, event_id, time_ms, type, actor_id, camera_id, target_id, record, personal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const node = sqlite.prepare('INSERT INTO audit_nodes (level, idx, hash) VALUES (?, ?, ?)');
    const head = sqlite.prepare('UPDATE audit_head SET size = ?, writes = writes + 1 WHERE id = 1');
    const batch = sqlite.transaction((part: typeof rows) => {
      for (const r of part) {
        event.run(r.seq, r.event_id, r.time_ms, r.type, r.actor_id, r.camera_id, r.target_id, r.record, r.personal);
        for (const x of nodesByLast.get(Number(r.seq)) ?? []) node.run(x.level, x.idx, x.hash);
      }
      head.run(Number(part.at(-1)?.seq ?? 0) + 1);
    });
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += 1000) batch(rows.slice(i, i + 1000));
    return perSecond(rows.length, performance.now() - t0);
  } finally {
    sqlite.close();
    await target.close();
  }
}

type Synchronous = 'FULL' | 'NORMAL';

/** The `synchronous` setting of a SQLite handle, by name. */
async function synchronousOf(database: TestDatabase): Promise<Synchronous> {
  const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(database.db);
  const level = rows[0]?.synchronous;
  if (level === 2) return 'FULL';
  if (level === 1) return 'NORMAL';
  throw new Error(`unexpected synchronous level ${String(level)}`);
}

interface Figures {
  readonly engine: string;
  /** SQLite: the setting the app opens the database with (the main figures) and the other one. */
  readonly synchronous?: { readonly app: Synchronous; readonly other: Synchronous; readonly group: number; readonly single: number };
  readonly group: number;
  readonly bare?: number;
  readonly single: number;
  readonly singleCount: number;
  readonly leaves: number;
  /** Verify rates with pages checked on worker threads, and on the calling thread alone. */
  readonly verify: number[];
  readonly verifyInline: number[];
  readonly raw: number[];
  readonly loads: string[];
}

async function bench(engine: 'sqlite' | 'postgres'): Promise<Figures> {
  const database = await createTestDatabase(engine);
  const built = await ledgerOn(database);
  const { ledger, store } = built;
  try {
    await groupCommit(ledger, 1000); // warm-up: data keys, prepared paths, JIT
    const group = await groupCommit(ledger, events);
    console.log(`${engine}: group commit ${fmt(group)} appends/s (${events} events in flight; ${load()})`);
    let synchronous: Figures['synchronous'];
    let bare: number | undefined;
    if (engine === 'sqlite') {
      const app = await synchronousOf(database);
      const other: Synchronous = app === 'FULL' ? 'NORMAL' : 'FULL';
      bare = await bareInserts(database, 1000, events, app);
      console.log(`${engine}: synchronous=${app} as the app opens it; baseline, the same rows by prepared statements: ${fmt(bare)} events/s (ledger/baseline ${(group / bare).toFixed(2)})`);
      await sql.raw(`PRAGMA synchronous = ${other}`).execute(database.db);
      const otherGroup = await groupCommit(ledger, events);
      const otherSingle = await oneAtATime(ledger, 1000);
      await sql.raw(`PRAGMA synchronous = ${app}`).execute(database.db);
      synchronous = { app, other, group: otherGroup, single: otherSingle };
      console.log(`${engine}: synchronous=${other}: group commit ${fmt(otherGroup)} appends/s, one at a time ${fmt(otherSingle)}/s`);
    }
    const singleCount = Math.min(events, 3000);
    const single = await oneAtATime(ledger, singleCount);
    console.log(`${engine}: one at a time ${fmt(single)} appends/s (${singleCount} events)`);
    await ledger.checkpoint();
    await ledger.drain();

    const texts = (await store.eventPage(0, Number.MAX_SAFE_INTEGER)).map((r) => r.record);
    const verifiers = [parseVerifierKey(ledger.vkey)];
    const verify: number[] = [];
    const verifyInline: number[] = [];
    const raw: number[] = [];
    const loads = [load()];
    const workers = startVerifyWorkers(threads);
    const timed = async (checker?: typeof workers): Promise<number> => {
      const t0 = performance.now();
      const report = await verifyLedger({ store, verifiers, origin, ...(checker === undefined ? {} : { checker }) });
      if (!report.ok || report.events !== texts.length) throw new Error(`the bench ledger does not verify: ${report.problems.join('; ')}`);
      return perSecond(report.events, performance.now() - t0);
    };
    try {
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        // The fastest plain hash Node offers: one-shot hash() of each record text, no prefix, one thread.
        for (const text of texts) hash('sha256', text, 'buffer');
        raw.push(perSecond(texts.length, performance.now() - t0));
        verify.push(await timed(workers));
        verifyInline.push(await timed());
        loads.push(load());
        console.log(`${engine}: round ${r + 1}: raw SHA-256 ${fmt(raw.at(-1)!)} records/s, verify ${fmt(verify.at(-1)!)} leaves/s on ${threads} worker threads, ${fmt(verifyInline.at(-1)!)} on this thread alone (${loads.at(-1)})`);
      }
    } finally {
      await workers.close();
    }
    return { engine, group, ...(bare === undefined ? {} : { bare }), ...(synchronous === undefined ? {} : { synchronous }), single, singleCount, leaves: texts.length, verify, verifyInline, raw, loads };
  } finally {
    await built.close();
    await database.close();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

console.log(`bench: audit ledger, ${events} events per group-commit run, ${rounds} verify rounds`);
const results = [await bench('sqlite'), ...(values.postgres ? [await bench('postgres')] : [])];
console.log('\n| engine | measure | figure | goal |');
console.log('|---|---|---|---|');
for (const f of results) {
  const setting = f.synchronous === undefined ? '' : `, synchronous=${f.synchronous.app}`;
  console.log(`| ${f.engine} | appends, group commit (${events} in flight${setting}) | ${fmt(f.group)}/s | ≥ ${fmt(goals.appendsPerSecond)}/s: ${met(f.group >= goals.appendsPerSecond)} |`);
  if (f.bare !== undefined) console.log(`| ${f.engine} | baseline: the same rows by prepared statements, 1000 per transaction${setting} | ${fmt(f.bare)}/s | ledger/baseline ${(f.group / f.bare).toFixed(2)} |`);
  console.log(`| ${f.engine} | appends, one at a time (${f.singleCount}${setting}) | ${fmt(f.single)}/s | (comparison) |`);
  if (f.synchronous !== undefined) {
    console.log(`| ${f.engine} | appends, group commit, synchronous=${f.synchronous.other} | ${fmt(f.synchronous.group)}/s | (comparison) |`);
    console.log(`| ${f.engine} | appends, one at a time (1000), synchronous=${f.synchronous.other} | ${fmt(f.synchronous.single)}/s | (comparison) |`);
  }
  const v = median(f.verify);
  const vi = median(f.verifyInline);
  const h = median(f.raw);
  console.log(`| ${f.engine} | raw SHA-256 of the ${f.leaves} record texts, one thread | ${fmt(h)}/s | (baseline) |`);
  console.log(`| ${f.engine} | verifyLedger, pages on ${threads} worker threads | ${fmt(v)} leaves/s | ratio ${(v / h).toFixed(2)}, ≥ ${goals.verifyRatio}: ${met(v / h >= goals.verifyRatio)} |`);
  console.log(`| ${f.engine} | verifyLedger, this thread alone | ${fmt(vi)} leaves/s | ratio ${(vi / h).toFixed(2)} (comparison) |`);
  console.log(`| ${f.engine} | load average during verify | ${f.loads.join('; ')} | ${threads} cores |`);
}
console.log('\nGoals:');
for (const f of results) {
  const ratio = median(f.verify) / median(f.raw);
  console.log(`- ${f.engine}: appends ${fmt(f.group)}/s, goal ≥ ${fmt(goals.appendsPerSecond)}/s: ${met(f.group >= goals.appendsPerSecond)}; verify ratio ${ratio.toFixed(2)}, goal ≥ ${goals.verifyRatio}: ${met(ratio >= goals.verifyRatio)}`);
}
