// The audit ledger against real SQLite and PostgreSQL, with real data keys: group-commit appends,
// the stored tree against the RFC 9162 tree of the stored records, proofs, checkpoints, several
// writers, the fork guard, write failures and crypto-shredded personal fields.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestLedger, testActor } from '../../test/helpers/audit.ts';
import { createTestDatabase, engines, type TestDatabase } from '../../test/helpers/databases.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { seededRandom, testSeed, type SeededRandom } from '../../test/helpers/seeded-random.ts';
import { Secret } from '../config/secret.ts';
import { openDatabase, type Db } from '../db/database.ts';
import { createDataKeyStore } from '../keys/data-keys.store.ts';
import { DataKeys } from '../keys/data-keys.ts';
import { openFileKeyProvider } from '../keys/file-key-provider.ts';
import { isAppError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import type { AuditInput } from './audit-event.ts';
import { AuditReader } from './audit-reader.ts';
import { buildLedger, type BuiltLedger } from './build-ledger.ts';
import { fileCheckpointPin } from './checkpoint-pin.ts';
import { parseCheckpoint } from '../tlog/checkpoint.ts';
import type { AuditLedger } from './ledger.ts';
import type { LedgerStore, StoredCheckpoint } from './ledger.store.ts';
import { leafHash, rootOf } from '../tlog/merkle.ts';
import { verifyConsistency, verifyInclusion } from '../tlog/merkle-proofs.ts';
import { openNote, parseVerifierKey, verifierKey } from '../tlog/signed-note.ts';
import { verifyProofBundle } from '../tlog/tlog-proof.ts';
import { rangeHashFrom, withNodes } from '../tlog/tree-nodes.ts';
import { verifyLedger } from './verify-ledger.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { systemMonotonicClock } from '../lib/monotonic-clock.ts';

const origin = 'test.custos.local/audit';
const seed = testSeed();
const writer = join(import.meta.dirname, '../../test/helpers/ledger-writer.ts');

/** A varied event: several types, cameras and targets, and personal fields on about one in seven. */
function eventFor(i: number, rnd: SeededRandom): AuditInput {
  const user = `user:${rnd.int(0, 5)}`;
  switch (rnd.int(0, 7)) {
    case 0:
      return { type: 'auth.login.failed', actor: { kind: 'user', id: user, name: `Person ${user}` }, source: { address: `192.0.2.${rnd.int(1, 250)}` }, outcome: 'failure', reason: 'bad password' };
    case 1:
      return { type: 'camera.updated', ...testActor, target: { kind: 'camera', id: `cam-${i % 7}` }, cameraId: `cam-${i % 7}`, outcome: 'success', details: { fields: ['name'] } };
    case 2:
      return { type: 'footage.export.requested', actor: { kind: 'user', id: user }, cameraId: 'cam-1', outcome: 'success', personal: { requestedFor: 'Officer Ö' }, details: { i } };
    default:
      return { type: 'footage.played', ...testActor, cameraId: `cam-${i % 3}`, outcome: 'success', details: { i, fromMs: i * 1000 } };
  }
}

/** Records `n` varied events concurrently (none awaited before the next is called). */
async function recordMany(ledger: AuditLedger, n: number, rnd: SeededRandom) {
  return Promise.all(Array.from({ length: n }, (_, i) => ledger.record(eventFor(i, rnd))));
}

/** The root of the tree as stored (perfect subtrees in audit_nodes) at `size`. */
function storedRoot(store: LedgerStore, size: number): Promise<Buffer> {
  return withNodes((lookup) => rangeHashFrom(lookup)(0, size), (c) => store.nodes(c));
}

/** Leaf hashes recomputed from every stored record text, after checking the seqs are dense. */
async function storedLeaves(store: LedgerStore): Promise<Buffer[]> {
  const rows = await store.eventPage(0, 1_000_000);
  assert.deepEqual(
    rows.map((r) => r.seq),
    rows.map((_, i) => i),
  );
  return rows.map((r) => leafHash(Buffer.from(r.record, 'utf8')));
}

/**
 * Puts the ledger's tables back to what a backup taken at `size` holds: later events, the tree
 * nodes covering any later leaf, and the head; the later checkpoints too when `checkpoints`.
 */
async function restoreOlderBackup(db: Db, size: number, opts: { checkpoints: boolean }): Promise<void> {
  const head = await db.selectFrom('audit_head').select('size').executeTakeFirstOrThrow();
  await db.deleteFrom('audit_events').where('seq', '>=', size).execute();
  // Node (level, idx) covers leaves idx·2^level … (idx+1)·2^level − 1: it is later when idx ≥ ⌊size / 2^level⌋.
  for (let level = 0; 2 ** level <= Number(head.size); level++) {
    await db.deleteFrom('audit_nodes').where('level', '=', level).where('idx', '>=', Math.floor(size / 2 ** level)).execute();
  }
  await db.updateTable('audit_head').set({ size }).where('id', '=', 1).execute();
  if (opts.checkpoints) await db.deleteFrom('audit_checkpoints').where('size', '>', size).execute();
}

/** The ledger as a restarted server builds it over `db`, with the pin in `dataDir`. */
function reopen(db: Db, built: { dataDir: string }, dataKeys: DataKeys): Promise<BuiltLedger> {
  return buildLedger({
    db,
    dataKeys,
    dataDir: built.dataDir,
    audit: { origin, checkpointSeconds: 60, checkpointEntries: 1_000_000, heartbeatSeconds: 300 },
    clock: { now: () => Date.now() },
    log: createLogger({ level: 'silent' }),
    announce: false,
  });
}

const refused = (pattern: RegExp) => (e: unknown) => isAppError(e, 'AUDIT_CHECKPOINT_REFUSED') && pattern.test(e.message);
const unavailable = (e: unknown) => isAppError(e, 'AUDIT_UNAVAILABLE');

async function alarms(store: LedgerStore): Promise<Array<{ rule?: unknown; reason?: unknown }>> {
  const rows = await store.events({ type: 'alarm.raised', limit: 100 });
  return rows.map((r) => (JSON.parse(r.record) as { details: { rule?: unknown; reason?: unknown } }).details);
}

for (const engine of engines) {
  describe(`the audit ledger on ${engine}`, () => {
    let database: TestDatabase;
    let keys: { dataKeys: DataKeys; close(): Promise<void> };
    let built: Awaited<ReturnType<typeof createTestLedger>>;
    const checkpoints: StoredCheckpoint[] = [];

    before(async () => {
      database = await createTestDatabase(engine);
      keys = await createTestDataKeys(database.db);
      built = await createTestLedger(database.db, keys.dataKeys);
    });
    const defer = teardown({ after });
    defer(() => database.close());
    defer(() => keys.close());
    defer(() => built.close());

    test(`2,000 concurrent records get dense seqs in call order, and the stored tree is the tree of the stored records (seed ${seed})`, async () => {
      const rnd = seededRandom(seed);
      const { ledger, store } = built;
      const inputs = Array.from({ length: 2000 }, (_, i) => eventFor(i, rnd));
      const recorded = await Promise.all(inputs.map((input) => ledger.record(input)));
      assert.deepEqual(
        recorded.map((e) => e.seq),
        inputs.map((_, i) => i),
      );
      assert.ok(inputs.filter((e) => e.actor.name !== undefined || e.personal !== undefined).length > 100, 'events with personal fields were among them');
      checkpoints.push((await ledger.checkpoint())!);
      for (let wave = 0; wave < 6; wave++) {
        await recordMany(ledger, rnd.int(1, 300), rnd);
        checkpoints.push((await ledger.checkpoint())!);
      }

      const leaves = await storedLeaves(store);
      assert.equal(leaves.length, ledger.size);
      assert.equal(await store.size(), ledger.size);
      const texts = new Map((await store.eventPage(0, recorded.length)).map((r) => [r.seq, r.record]));
      for (const e of recorded) {
        assert.equal(texts.get(e.seq), e.text);
        assert.equal((JSON.parse(e.text) as { seq: number }).seq, e.seq);
      }
      assert.deepEqual(await storedRoot(store, leaves.length), rootOf(leaves));
      for (const c of checkpoints) assert.deepEqual(c.root, rootOf(leaves.slice(0, c.size)), `checkpoint of size ${c.size}`);
    });

    test(`inclusion and consistency proofs from the stored tree verify against signed checkpoints (seed ${seed})`, async () => {
      const rnd = seededRandom(seed + 1);
      const { ledger, store } = built;
      const leaves = await storedLeaves(store);
      for (let trial = 0; trial < 60; trial++) {
        const c = rnd.pick(checkpoints);
        const seq = rnd.int(0, c.size);
        const proof = await ledger.inclusionProof(seq, c.size);
        assert.ok(verifyInclusion(seq, c.size, leaves[seq]!, proof, c.root), `leaf ${seq} in ${c.size}`);
        assert.ok(!verifyInclusion(seq, c.size, leaves[(seq + 1) % c.size]!, proof, c.root), `another leaf at ${seq} in ${c.size}`);
      }
      for (let trial = 0; trial < 60; trial++) {
        const [a, b] = [rnd.pick(checkpoints), rnd.pick(checkpoints)].sort((x, y) => x.size - y.size) as [StoredCheckpoint, StoredCheckpoint];
        const proof = await ledger.consistencyProof(a.size, b.size);
        assert.ok(verifyConsistency(a.size, b.size, a.root, b.root, proof), `${a.size} → ${b.size}`);
        if (a.size < b.size) assert.ok(!verifyConsistency(a.size, b.size, leaves[0]!, b.root, proof), `a wrong old root ${a.size} → ${b.size}`);
      }
      // Sizes that were never signed: the stored tree still answers, proofs check against recomputed roots.
      for (let trial = 0; trial < 20; trial++) {
        const to = rnd.int(2, leaves.length + 1);
        const from = rnd.int(1, to);
        const proof = await ledger.consistencyProof(from, to);
        assert.ok(verifyConsistency(from, to, rootOf(leaves.slice(0, from)), rootOf(leaves.slice(0, to)), proof), `${from} → ${to}`);
      }
      await assert.rejects(ledger.inclusionProof(0, ledger.size + 1), (e) => isAppError(e, 'VALIDATION_FAILED'));
      await assert.rejects(ledger.consistencyProof(0, ledger.size), (e) => isAppError(e, 'VALIDATION_FAILED'));
    });

    test('a checkpoint is a note signed by the ledger key, and signing again without new events returns the same one', async () => {
      const { ledger, store, dataDir } = built;
      await ledger.record({ type: 'footage.played', ...testActor, outcome: 'success' });
      const signed = (await ledger.checkpoint())!;
      const { body, verifiedBy } = openNote(signed.note, [parseVerifierKey(ledger.vkey)]);
      assert.deepEqual(verifiedBy, [origin]);
      const parsed = parseCheckpoint(body);
      assert.equal(parsed.origin, origin);
      assert.equal(parsed.size, ledger.size);
      assert.deepEqual(parsed.root, signed.root);
      assert.deepEqual(parsed.root, rootOf(await storedLeaves(store)));

      const count = (await store.allCheckpoints()).length;
      assert.deepEqual(await ledger.checkpoint(), signed);
      assert.equal((await store.allCheckpoints()).length, count);
      assert.equal(await readFile(join(dataDir, 'audit', 'last-checkpoint'), 'utf8'), `${signed.size} ${signed.root.toString('hex')}\n`);

      const stranger = verifierKey(origin, generateKeyPairSync('ed25519').publicKey);
      assert.throws(() => openNote(signed.note, [stranger]), (e) => isAppError(e, 'VALIDATION_FAILED'));
    });

    test('a proof bundle of any leaf verifies with the ledger key, signing a checkpoint when none covers the leaf yet', async () => {
      const { ledger, store } = built;
      const verifier = parseVerifierKey(ledger.vkey);
      const latest = (await store.latestCheckpoint())!;
      const fresh = await ledger.record({ type: 'footage.played', ...testActor, outcome: 'success', details: { fresh: true } });
      for (const seq of [0, 1, latest.size - 1, fresh.seq]) {
        const { bundle, checkpoint } = await ledger.proofBundle(seq);
        assert.ok(checkpoint.size > seq);
        const text = (await store.event(seq))!.record;
        const verified = verifyProofBundle(bundle, leafHash(Buffer.from(text, 'utf8')), [verifier]);
        assert.equal(verified.index, seq);
        assert.equal(verified.checkpoint.size, checkpoint.size);
        assert.throws(() => verifyProofBundle(bundle, leafHash(Buffer.from(`${text} `, 'utf8')), [verifier]), (e) => isAppError(e, 'VALIDATION_FAILED'));
      }
      assert.equal((await store.latestCheckpoint())!.size, fresh.seq + 1);
      await assert.rejects(ledger.proofBundle(ledger.size + 5), (e) => isAppError(e, 'NOT_FOUND'));
    });

    test('a backlog of thousands of events lets timers run between its batches', async () => {
      const { ledger } = built;
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      try {
        await recordMany(ledger, 5000, seededRandom(seed + 6));
      } finally {
        clearInterval(timer);
      }
      // Batches of at most 1000: the event loop turns at least between each of them.
      assert.ok(ticks >= 4, `the timer ran ${ticks} times`);
    });

    test('personal fields are stored only sealed, open for reading, and after erasure read as erased while the ledger still verifies', async () => {
      const { ledger, store, sealer } = built;
      const subject = `user:erasable-${engine}`;
      const input: AuditInput = {
        type: 'auth.login.succeeded',
        actor: { kind: 'user', id: subject, name: 'Zoë Erasable' },
        source: { address: '198.51.100.77', userAgent: 'TestAgent/1.0' },
        outcome: 'success',
      };
      const kept = await ledger.record({ ...input, actor: { kind: 'user', id: 'user:kept', name: 'Kept Person' } });
      const erased = await ledger.record(input);
      const row = (await store.event(erased.seq))!;
      for (const secret of ['Zoë', 'Erasable', '198.51.100.77', 'TestAgent']) {
        assert.ok(!row.record.includes(secret), `the record text holds "${secret}"`);
        assert.ok(!row.personal!.includes(secret), `the sealed text holds "${secret}"`);
      }
      const record = JSON.parse(row.record) as { personal: { subject: string; sha256: string } };
      assert.deepEqual(record.personal, { subject, sha256: createHash('sha256').update(row.personal!, 'utf8').digest('hex') });

      const reader = new AuditReader({ store, sealer, audit: ledger });
      const read = async (actorId: string) => (await reader.query({ actorId, limit: 10 }, testActor)).events.map((e) => e.personal);
      assert.deepEqual(await read(subject), [{ actorName: 'Zoë Erasable', sourceAddress: '198.51.100.77', userAgent: 'TestAgent/1.0' }]);
      assert.deepEqual(await sealer.open(subject, row.personal!), { actorName: 'Zoë Erasable', sourceAddress: '198.51.100.77', userAgent: 'TestAgent/1.0' });

      assert.equal(await sealer.erase(subject), 1);
      assert.equal(await sealer.open(subject, row.personal!), null);
      assert.deepEqual(await read(subject), ['erased']);
      assert.deepEqual(await read('user:kept'), [{ actorName: 'Kept Person', sourceAddress: '198.51.100.77', userAgent: 'TestAgent/1.0' }]);
      assert.ok(kept.seq < erased.seq);

      await ledger.checkpoint();
      const report = await verifyLedger({ store, verifiers: [parseVerifierKey(ledger.vkey)], origin });
      assert.equal(report.ok, true, report.problems.join('\n'));
      assert.equal(report.events, ledger.size);
      assert.equal(report.checkpointsVerified, report.checkpoints);
    });

    test('a second process appending into the same ledger interleaves into one tree with dense seqs', { timeout: 60_000 }, async (t) => {
      const own = await createTestDatabase(engine);
      const dir = await mkdtemp(join(tmpdir(), 'custos-two-writers-'));
      const provider = await openFileKeyProvider({ path: join(dir, 'master.key'), passphrase: null });
      const defer = teardown(t);
      defer(() => rm(dir, { recursive: true, force: true }));
      defer(() => own.close());
      defer(() => provider.close());
      const dataKeys = new DataKeys({ provider, store: createDataKeyStore(own.db), clock: { now: () => Date.now() }, monotonic: systemMonotonicClock, hours: 1, cacheMs: 60_000 });
      const { ledger, store } = await reopen(own.db, { dataDir: dir }, dataKeys);
      const rnd = seededRandom(seed + 2);
      await recordMany(ledger, 10, rnd);

      const job = { engine, location: own.location, masterKey: join(dir, 'master.key'), dataDir: dir, origin, events: 400, batch: 10, pauseMs: 3 };
      const child = spawn(process.execPath, [writer, JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          if (out.startsWith('ready\n')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`the writer process exited (${code}) before it was ready`)));
      });
      child.stdin.end('go\n');
      // Rounds of 10 until the other process has written all of its events, and one more after.
      const mine: number[] = [];
      let theirsDone = false;
      while (!theirsDone || mine.length < 400) {
        theirsDone = out.split('\n').length > 2;
        for (const e of await Promise.all(Array.from({ length: 10 }, (_, i) => ledger.record(eventFor(i, rnd))))) mine.push(e.seq);
      }
      assert.equal(await exited, 0);
      const theirs = JSON.parse(out.split('\n')[1]!) as number[];

      assert.equal(theirs.length, 400);
      for (const seqs of [mine, theirs]) assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'each writer’s seqs ascend in its call order');
      assert.deepEqual(
        [...mine, ...theirs].sort((a, b) => a - b),
        Array.from({ length: mine.length + 400 }, (_, i) => 10 + i),
      );
      assert.ok(
        theirs.some((s) => s > mine[0]! && s < mine.at(-1)!),
        `the writers’ transactions interleaved (mine ${mine[0]}…${mine.at(-1)}, theirs ${theirs[0]}…${theirs.at(-1)})`,
      );
      const leaves = await storedLeaves(store);
      assert.equal(leaves.length, 10 + mine.length + 400);
      const signed = (await ledger.checkpoint())!;
      assert.equal(signed.size, leaves.length);
      assert.deepEqual(signed.root, rootOf(leaves));
      const report = await verifyLedger({ store, verifiers: [parseVerifierKey(ledger.vkey)], origin });
      assert.equal(report.ok, true, report.problems.join('\n'));
      assert.equal(report.checkpointsVerified, report.checkpoints, 'the checkpoints both processes signed are of one tree');
    });

    test('a database restored from an older backup makes checkpoint signing refuse and raise an alarm', async (t) => {
      const own = await createTestDatabase(engine);
      const ownKeys = await createTestDataKeys(own.db);
      const first = await createTestLedger(own.db, ownKeys.dataKeys);
      const defer = teardown(t);
      defer(() => own.close());
      defer(() => ownKeys.close());
      defer(() => first.close());
      const rnd = seededRandom(seed + 3);
      await recordMany(first.ledger, 100, rnd);
      await first.ledger.checkpoint();
      await recordMany(first.ledger, 20, rnd);
      const published = (await first.ledger.checkpoint())!;
      assert.equal(published.size, 120);

      await restoreOlderBackup(own.db, 80, { checkpoints: false });
      const { ledger, store } = await reopen(own.db, first, ownKeys.dataKeys);
      assert.equal(ledger.size, 80);
      await recordMany(ledger, 10, rnd);
      await assert.rejects(ledger.checkpoint(), refused(/holds 90 events but a checkpoint of 120/));
      assert.deepEqual((await alarms(store)).map((d) => d.rule), ['checkpoint-refused']);

      // Growing past the signed size does not help: the tree at 120 is not the one that was signed.
      await recordMany(ledger, 50, rnd);
      await assert.rejects(ledger.checkpoint(), refused(/at size 120 does not match/));
      assert.deepEqual((await alarms(store)).map((d) => d.rule), ['checkpoint-refused', 'checkpoint-refused']);
      assert.equal((await store.latestCheckpoint())!.size, 120, 'no checkpoint was signed');
      // The ledger keeps recording: refusing to sign does not stop auditing.
      assert.equal((await ledger.record({ type: 'footage.played', ...testActor, outcome: 'success' })).seq, 142);
    });

    test('the pin file alone makes checkpoint signing refuse when the database and its checkpoints were rolled back', async (t) => {
      const own = await createTestDatabase(engine);
      const ownKeys = await createTestDataKeys(own.db);
      const first = await createTestLedger(own.db, ownKeys.dataKeys);
      const unpinned = await mkdtemp(join(tmpdir(), 'custos-unpinned-'));
      const defer = teardown(t);
      defer(() => rm(unpinned, { recursive: true, force: true }));
      defer(() => own.close());
      defer(() => ownKeys.close());
      defer(() => first.close());
      const rnd = seededRandom(seed + 4);
      await recordMany(first.ledger, 100, rnd);
      await first.ledger.checkpoint();
      await recordMany(first.ledger, 50, rnd);
      assert.equal((await first.ledger.checkpoint())!.size, 150);

      await restoreOlderBackup(own.db, 120, { checkpoints: true });
      const { ledger, store } = await reopen(own.db, first, ownKeys.dataKeys);
      assert.equal((await store.latestCheckpoint())!.size, 100, 'the database alone looks consistent');
      await recordMany(ledger, 5, rnd);
      await assert.rejects(ledger.checkpoint(), refused(/holds 125 events but a checkpoint of 150/));
      await recordMany(ledger, 60, rnd);
      await assert.rejects(ledger.checkpoint(), refused(/at size 150 does not match/));
      assert.deepEqual((await alarms(store)).map((d) => d.rule), ['checkpoint-refused', 'checkpoint-refused']);
      assert.equal((await store.latestCheckpoint())!.size, 100);

      // Without the pin (another data directory), the rolled-back database would be signed: the fork the pin prevents.
      const blind = await reopen(own.db, { dataDir: unpinned }, ownKeys.dataKeys);
      assert.equal((await blind.ledger.checkpoint())!.size, ledger.size);
    });

    test('verify with the pin file catches a database rolled back together with its checkpoints; without it the prefix looks intact', async (t) => {
      const own = await createTestDatabase(engine);
      const ownKeys = await createTestDataKeys(own.db);
      const built = await createTestLedger(own.db, ownKeys.dataKeys);
      const defer = teardown(t);
      defer(() => own.close());
      defer(() => ownKeys.close());
      defer(() => built.close());
      const rnd = seededRandom(seed + 6);
      await recordMany(built.ledger, 80, rnd);
      await built.ledger.checkpoint();
      await recordMany(built.ledger, 40, rnd);
      assert.equal((await built.ledger.checkpoint())!.size, 120);
      const verifiers = [parseVerifierKey(built.ledger.vkey)];
      const pinned = await fileCheckpointPin(built.dataDir).read();
      assert.equal(pinned?.size, 120);

      await restoreOlderBackup(own.db, 90, { checkpoints: true });
      const blind = await verifyLedger({ store: built.store, verifiers, origin: 'test.custos.local/audit' });
      assert.equal(blind.ok, true, 'the rolled-back prefix is self-consistent');
      const report = await verifyLedger({ store: built.store, verifiers, origin: 'test.custos.local/audit', ...(pinned ? { pinned } : {}) });
      assert.equal(report.ok, false);
      assert.equal(report.firstBad?.index, 90);
      assert.match(report.firstBad?.reason ?? '', /pin file/);
    });

    test('an event whose personal fields cannot be sealed is rejected with AUDIT_UNAVAILABLE, and the events around it commit in order', async (t) => {
      const own = await createTestDatabase(engine);
      const ownKeys = await createTestDataKeys(own.db);
      const first = await createTestLedger(own.db, ownKeys.dataKeys);
      const defer = teardown(t);
      defer(() => own.close());
      defer(() => first.close());
      const { ledger, store } = first;
      await ledger.record({ type: 'footage.played', ...testActor, outcome: 'success' });
      await ownKeys.close(); // the key provider is gone: no new subject key can be made
      const [before, personal, after] = await Promise.allSettled([
        ledger.record({ type: 'footage.played', ...testActor, outcome: 'success', details: { n: 1 } }),
        ledger.record({ type: 'auth.login.failed', actor: { kind: 'user', id: 'user:new', name: 'New Person' }, outcome: 'failure' }),
        ledger.record({ type: 'footage.played', ...testActor, outcome: 'success', details: { n: 2 } }),
      ]);
      assert.ok(personal?.status === 'rejected' && unavailable(personal.reason), String(personal?.status));
      assert.deepEqual(
        [before, after].map((r) => (r?.status === 'fulfilled' ? r.value.seq : r?.reason)),
        [1, 2],
      );
      assert.equal(await store.size(), 3);
      const report = await verifyLedger({ store, verifiers: [parseVerifierKey(ledger.vkey)], origin });
      assert.equal(report.ok, true, report.problems.join('\n'));
    });

    test('a ledger whose database write fails rejects every record with AUDIT_UNAVAILABLE and commits none of them', async (t) => {
      const own = await createTestDatabase(engine);
      const ownKeys = await createTestDataKeys(own.db);
      const first = await createTestLedger(own.db, ownKeys.dataKeys);
      const defer = teardown(t);
      defer(() => own.close());
      defer(() => ownKeys.close());
      defer(() => first.close());
      const { ledger, store } = first;
      const rnd = seededRandom(seed + 5);
      await recordMany(ledger, 5, rnd);
      const count = async () => Number((await own.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

      // The events insert, then the tree nodes cannot: the whole batch rolls back.
      await sql`ALTER TABLE audit_nodes RENAME TO audit_nodes_away`.execute(own.db);
      const failed = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => ledger.record(eventFor(i, rnd))));
      for (const r of failed) assert.ok(r.status === 'rejected' && unavailable(r.reason), String(r.status === 'rejected' ? r.reason : 'fulfilled'));
      assert.equal(await count(), 5);
      assert.equal(await store.size(), 5);
      await sql`ALTER TABLE audit_nodes_away RENAME TO audit_nodes`.execute(own.db);
      assert.equal((await ledger.record(eventFor(0, rnd))).seq, 5, 'the ledger recovers without a gap');

      // A closed database handle.
      const second = await openDatabase(engine === 'sqlite' ? { url: null, dataDir: own.location } : { url: new Secret(own.location), dataDir: tmpdir() });
      const closing = await reopen(second.db, first, ownKeys.dataKeys);
      await second.db.destroy();
      await assert.rejects(closing.ledger.record(eventFor(0, rnd)), unavailable);
      assert.equal(await count(), 6);
      const report = await verifyLedger({ store, verifiers: [parseVerifierKey(ledger.vkey)], origin });
      assert.equal(report.ok, true, report.problems.join('\n'));
    });
  });
}
