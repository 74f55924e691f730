// The randomized tamper suite of the audit ledger (LOG-2): a real ledger on SQLite and PostgreSQL
// is attacked the ways someone with write access to the database could, one attack per trial, and
// `verifyLedger` must find every one at the index where it was made. Each trial runs in a
// transaction that is rolled back, so trials are independent and the ledger stays intact.
// Replay a failing run with CUSTOS_TEST_SEED=<the seed in the test name>.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestLedger, testActor } from '../../test/helpers/audit.ts';
import { createTestDatabase, engines, type TestDatabase } from '../../test/helpers/databases.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { seededRandom, testSeed, type SeededRandom } from '../../test/helpers/seeded-random.ts';
import type { Db } from '../db/database.ts';
import type { DataKeys } from '../keys/data-keys.ts';
import { canonicalJson, type JsonValue } from '../lib/canonical-json.ts';
import { encodeLeaf, leafRecordOf, type AuditInput } from './audit-event.ts';
import { createLedgerStore } from './ledger.store.ts';
import { leafHash } from '../tlog/merkle.ts';
import { parseVerifierKey, type Verifier } from '../tlog/signed-note.ts';
import { verifyLedger, type LedgerVerifyReport } from './verify-ledger.ts';
import { startVerifyWorkers, type PageChecker } from './verify-workers.ts';
import { verifyLedger2026 } from '../../test/helpers/verify-ledger-2026.ts';
import { teardown } from '../../test/helpers/teardown.ts';

const origin = 'test.custos.local/audit';
const seed = testSeed();
const eventCount = 300;
/** Signed checkpoints at these sizes, and one at the end. */
const intermediateCheckpoints = [40, 130, 222];
const trialsPerEngine = 250;
/** Far above any seq: rows are moved through it so a shift never collides with the primary key. */
const offset = 1_000_000;

const kinds = ['flip', 'delete', 'insert', 'swap', 'truncate'] as const;
type Kind = (typeof kinds)[number];

function eventFor(i: number, rnd: SeededRandom): AuditInput {
  const user = `user:${rnd.int(0, 4)}`;
  switch (rnd.int(0, 6)) {
    case 0:
      return { type: 'auth.login.failed', actor: { kind: 'user', id: user, name: `Person ${user}` }, source: { address: `192.0.2.${rnd.int(1, 250)}` }, outcome: 'failure', reason: 'bad password' };
    case 1:
      return { type: 'camera.created', ...testActor, target: { kind: 'camera', id: `cam-${i % 5}`, name: `Gate ${i % 5}` }, cameraId: `cam-${i % 5}`, outcome: 'success' };
    case 2:
      return { type: 'footage.export.requested', actor: { kind: 'user', id: user }, cameraId: 'cam-2', outcome: 'success', personal: { requestedFor: 'Court 7' }, correlationId: randomUUID() };
    case 3:
      return { type: 'footage.segment.sealed', ...testActor, cameraId: `cam-${i % 5}`, outcome: 'success', details: { sha256: 'ab'.repeat(32), bytes: rnd.int(1, 1e6) } };
    default:
      return { type: 'footage.played', actor: { kind: 'user', id: user }, cameraId: `cam-${i % 3}`, outcome: 'success', details: { fromMs: i * 1000, toMs: i * 1000 + 60_000 } };
  }
}

/** The rows an attack needs to read. */
async function recordAt(db: Db, seq: number): Promise<string> {
  return (await db.selectFrom('audit_events').select('record').where('seq', '=', seq).executeTakeFirstOrThrow()).record;
}

/** Moves every row with seq ≥ `from` by `by` (±1), through a far offset so no two rows ever share a seq. */
async function shift(db: Db, from: number, by: number): Promise<void> {
  await db
    .updateTable('audit_events')
    .set((eb) => ({ seq: eb('seq', '+', offset) }))
    .where('seq', '>=', from)
    .execute();
  await db
    .updateTable('audit_events')
    .set((eb) => ({ seq: eb('seq', '-', offset - by) }))
    .where('seq', '>=', offset)
    .execute();
}

/** Rewrites the `seq` inside the records of rows ≥ `from` to match their (moved) row, as a careful forger would. */
async function renumber(db: Db, from: number): Promise<void> {
  const rows = await db.selectFrom('audit_events').select(['seq', 'record']).where('seq', '>=', from).execute();
  for (const row of rows) {
    const record = JSON.parse(row.record) as Record<string, JsonValue>;
    record.seq = Number(row.seq);
    await db.updateTable('audit_events').set({ record: canonicalJson(record) }).where('seq', '=', row.seq).execute();
  }
}

/** One attack: what it did, and the index verify must name. */
interface Attack {
  readonly kind: Kind;
  readonly what: string;
  readonly expected: number;
}

/** Carries out one random attack of `kind` on the ledger of `size` events through `db`. */
async function attack(db: Db, kind: Kind, size: number, rnd: SeededRandom): Promise<Attack> {
  switch (kind) {
    case 'flip': {
      const seq = rnd.int(0, size);
      const text = await recordAt(db, seq);
      let at = rnd.int(0, text.length);
      while (text.charCodeAt(at) >= 0x80) at = rnd.int(0, text.length);
      // One of the five low bits of a printable ASCII byte: still printable ASCII, never NUL.
      const flipped = String.fromCharCode(text.charCodeAt(at) ^ (1 << rnd.int(0, 5)));
      await db.updateTable('audit_events').set({ record: text.slice(0, at) + flipped + text.slice(at + 1) }).where('seq', '=', seq).execute();
      return { kind, what: `flip byte ${at} of ${seq} (${JSON.stringify(text[at])} → ${JSON.stringify(flipped)})`, expected: seq };
    }
    case 'delete': {
      const seq = rnd.int(0, size);
      const close = rnd.next() < 0.5;
      await db.deleteFrom('audit_events').where('seq', '=', seq).execute();
      if (close) {
        await shift(db, seq + 1, -1);
        await renumber(db, seq);
      }
      return { kind, what: `delete ${seq}${close ? ', closing the gap and renumbering' : ''}`, expected: seq };
    }
    case 'insert': {
      const seq = rnd.int(0, size + 1);
      const careful = rnd.next() < 0.5;
      const template = await recordAt(db, Math.min(seq, size - 1));
      const timeMs = Date.parse((JSON.parse(template) as { time: string }).time);
      const input: AuditInput = { type: 'footage.export.downloaded', actor: { kind: 'user', id: 'user:1' }, cameraId: 'cam-1', target: { kind: 'export', id: randomUUID() }, outcome: 'success' };
      const forged = encodeLeaf(leafRecordOf(input, { id: randomUUID(), timeMs }, seq)).toString('utf8');
      await shift(db, seq, 1);
      if (careful) await renumber(db, seq + 1);
      await db
        .insertInto('audit_events')
        .values({ seq, event_id: randomUUID(), time_ms: timeMs, type: input.type, actor_id: input.actor.id, camera_id: 'cam-1', target_id: input.target!.id, record: forged, personal: null })
        .execute();
      return { kind, what: `insert a forged record at ${seq}${careful ? ', renumbering the later ones' : ''}`, expected: seq };
    }
    case 'swap': {
      const a = rnd.int(0, size);
      let b = rnd.int(0, size - 1);
      if (b >= a) b++;
      const [low, high] = a < b ? [a, b] : [b, a];
      const [lowText, highText] = [await recordAt(db, low), await recordAt(db, high)];
      await db.updateTable('audit_events').set({ record: highText }).where('seq', '=', low).execute();
      await db.updateTable('audit_events').set({ record: lowText }).where('seq', '=', high).execute();
      return { kind, what: `swap the records of ${low} and ${high}`, expected: low };
    }
    case 'truncate': {
      const from = rnd.int(0, size);
      const head = rnd.next() < 0.5;
      await db.deleteFrom('audit_events').where('seq', '>=', from).execute();
      if (head) await db.updateTable('audit_head').set({ size: from }).where('id', '=', 1).execute();
      return { kind, what: `truncate from ${from}${head ? ', lowering the head too' : ''}`, expected: from };
    }
  }
}

/** Thrown to roll a trial's transaction back. */
class Rollback extends Error {}

/** Runs `work` in a transaction of `db` that is always rolled back, and returns what it returned. */
async function rolledBack<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  let result: { value: T } | undefined;
  try {
    await db.transaction().execute(async (trx) => {
      result = { value: await work(trx) };
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return result!.value;
}

for (const engine of engines) {
  describe(`tampering with the audit ledger on ${engine}`, () => {
    let database: TestDatabase;
    let keys: { dataKeys: DataKeys; close(): Promise<void> };
    let built: Awaited<ReturnType<typeof createTestLedger>>;
    let verifiers: Verifier[];
    let workers: PageChecker;
    /**
     * The report of verify, checked to be the same three ways: on this thread, on worker threads
     * in pages of 32 rows (many pages, checkpoints inside pages, gaps across pages), and by the
     * record-by-record verify of 2026-11 (test/helpers/verify-ledger-2026.ts).
     */
    const verify = async (db: Db): Promise<LedgerVerifyReport> => {
      const store = createLedgerStore(db);
      const report = await verifyLedger({ store, verifiers, origin });
      assert.deepEqual(await verifyLedger({ store, verifiers, origin, checker: workers, pageSize: 32 }), report, 'on worker threads, in pages of 32');
      assert.deepEqual(await verifyLedger2026({ store, verifiers, origin }), report, 'as the verify of 2026-11');
      return report;
    };

    before(async () => {
      workers = startVerifyWorkers(2);
      database = await createTestDatabase(engine);
      keys = await createTestDataKeys(database.db);
      built = await createTestLedger(database.db, keys.dataKeys);
      verifiers = [parseVerifierKey(built.ledger.vkey)];
      const rnd = seededRandom(seed);
      for (const [i, size] of [...intermediateCheckpoints, eventCount].entries()) {
        const from = built.ledger.size;
        await Promise.all(Array.from({ length: size - from }, (_, k) => built.ledger.record(eventFor(from + k, rnd))));
        assert.equal((await built.ledger.checkpoint())?.size, size, `checkpoint ${i}`);
      }
    });
    const defer = teardown({ after });
    defer(() => database.close());
    defer(() => keys.close());
    defer(() => built.close());
    defer(() => workers.close());

    test('the untouched ledger verifies, every checkpoint with it', async () => {
      const report = await verify(database.db);
      assert.equal(report.ok, true, report.problems.join('\n'));
      assert.deepEqual([report.events, report.headSize, report.checkpoints, report.checkpointsVerified], [eventCount, eventCount, 4, 4]);
    });

    test(`${trialsPerEngine} random attacks are all found at the index attacked (seed ${seed})`, { timeout: 60_000 }, async (t) => {
      const rnd = seededRandom(seed ^ (engine === 'sqlite' ? 0x5117e : 0x9057));
      const missed: string[] = [];
      const counts = new Map<Kind, number>();
      const started = performance.now();
      for (let trial = 0; trial < trialsPerEngine; trial++) {
        const kind = kinds[trial % kinds.length]!;
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
        const { done, report } = await rolledBack(database.db, async (trx) => ({ done: await attack(trx, kind, eventCount, rnd), report: await verify(trx) }));
        if (report.ok || report.firstBad?.index !== done.expected) {
          missed.push(`trial ${trial} (${done.what}): expected index ${done.expected}, got ${report.ok ? 'ok' : `${report.firstBad?.index}: ${report.firstBad?.reason}`}`);
        }
      }
      t.diagnostic(`seed ${seed}: ${trialsPerEngine} trials (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}) in ${((performance.now() - started) / 1000).toFixed(1)} s, ${trialsPerEngine - missed.length} found at the right index`);
      assert.deepEqual(missed, [], `seed ${seed}`);
      const after = await verify(database.db);
      assert.equal(after.ok, true, `every trial was rolled back: ${after.problems.join('\n')}`);
    });

    test(`rewriting a record and its stored leaf hash is still found, by the first signed checkpoint covering it (seed ${seed})`, async () => {
      const rnd = seededRandom(seed + 7);
      const sizes = [...intermediateCheckpoints, eventCount];
      for (const seq of [0, rnd.int(1, 40), 40, rnd.int(131, 222), eventCount - 1]) {
        const report = await rolledBack(database.db, async (trx) => {
          const record = JSON.parse(await recordAt(trx, seq)) as Record<string, JsonValue>;
          record.outcome = record.outcome === 'success' ? 'failure' : 'success';
          const text = canonicalJson(record);
          await trx.updateTable('audit_events').set({ record: text }).where('seq', '=', seq).execute();
          await trx.updateTable('audit_nodes').set({ hash: leafHash(Buffer.from(text, 'utf8')).toString('hex') }).where('level', '=', 0).where('idx', '=', seq).execute();
          return verify(trx);
        });
        const covering = sizes.find((s) => s > seq)!;
        assert.equal(report.ok, false, `leaf ${seq}`);
        assert.equal(report.firstBad?.index, covering, `leaf ${seq}: ${report.firstBad?.reason}`);
        assert.match(report.firstBad?.reason ?? '', /checkpoint of size \d+: its root differs/);
        // Every later checkpoint is found bad too: none of them is a prefix of the altered tree.
        assert.equal(report.checkpointsVerified, sizes.filter((s) => s <= seq).length, `leaf ${seq}`);
      }
    });
  });
}
