// The ledger replica (LOG-3) against a real ledger over SQLite: every leaf and checkpoint is
// handed to the real replica destination (as the delivery loop will, redeliveries included),
// written to real files, and `custos audit verify --replica` proves the log from the replica
// alone once the database is gone, naming the index of a changed byte.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createTestLedger, testActor } from '../../test/helpers/audit.ts';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { teardown, type Defer } from '../../test/helpers/teardown.ts';
import type { LeafRecord } from '../audit/audit-event.ts';
import type { LedgerStore } from '../audit/ledger.store.ts';
import { verifyReplica } from '../audit/verify-replica.ts';
import { main } from '../cli/main.ts';
import { leafHashOfText } from '../tlog/merkle.ts';
import { parseVerifierKey } from '../tlog/signed-note.ts';
import type { SiemDestination } from './destination.ts';
import { createReplicaDestination } from './replica-destination.ts';
import { LEAVES_FILE } from './replica-format.ts';
import { readReplica } from './replica-reader.ts';

const signal = new AbortController().signal;

/** A ledger of `n` events with a checkpoint every 50, its store, key and database. */
async function ledgerOf(defer: Defer, n: number) {
  const db = await createTestDatabase('sqlite');
  defer(() => db.close());
  const keys = await createTestDataKeys(db.db);
  defer(() => keys.close());
  const built = await createTestLedger(db.db, keys.dataKeys, { checkpointEntries: 100 });
  defer(() => built.close());
  for (let i = 0; i < n; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => built.ledger.record({ type: 'camera.updated', ...testActor, target: { kind: 'camera', id: `cam-${i + j}` }, outcome: 'success', details: { note: `change ${i + j} "quoted" \\ ünïcode` } })));
    await built.ledger.checkpoint();
  }
  return { db, store: built.store, vkey: built.ledger.vkey, origin: built.ledger.origin };
}

/** Ships the whole ledger to `dest` in batches of 64, every batch offered twice (at-least-once), checkpoints in size order. */
async function ship(store: LedgerStore, dest: SiemDestination): Promise<void> {
  const rows = await store.eventPage(0, 1_000_000);
  for (let i = 0; i < rows.length; i += 64) {
    const batch = rows.slice(Math.max(0, i - 10), i + 64).map((r) => ({ record: JSON.parse(r.record) as LeafRecord, text: r.record }));
    for (let k = 0; k < 2; k++) assert.deepEqual(await dest.send(batch, signal), { ok: true });
  }
  for (const c of await store.allCheckpoints()) {
    for (let k = 0; k < 2; k++) assert.deepEqual(await dest.sendCheckpoint?.({ size: c.size, note: c.note }, signal), { ok: true });
  }
}

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => true }, stdin: process.stdin, env: {} } as unknown as Parameters<typeof main>[1];
  const code = await main(args, io);
  return { code, out: out.join('') };
}

/** Changes one character of the leaf text on line `index` (keeping valid JSON); with `fixHash`, also rewrites the hash beside it. */
async function tamper(path: string, index: number, fixHash: boolean): Promise<void> {
  const file = join(path, LEAVES_FILE);
  const lines = (await readFile(file, 'utf8')).split('\n');
  const line = lines[index] as string;
  const [seq, hash, ...text] = line.split(' ');
  const changed = text.join(' ').replace(`cam-${index}"`, `cam-${index}x"`);
  assert.notEqual(changed, text.join(' '), 'the tamper changed the text');
  lines[index] = `${seq} ${fixHash ? leafHashOfText(changed).toString('base64') : hash} ${changed}`;
  await writeFile(file, lines.join('\n'));
}

describe('ledger replica', { concurrency: true }, () => {
  test('the replica alone verifies after the database is deleted; one changed byte fails naming its index', async (t) => {
    const defer = teardown(t);
    const { db, store, vkey } = await ledgerOf(defer, 450);
    const dir = await mkdtemp(join(tmpdir(), 'custos-replica-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'replica');
    const dest = await createReplicaDestination({ kind: 'replica', id: 'second-copy', jurisdiction: 'DE', enabled: true, path, maxBatch: 1000 });
    await ship(store, dest);
    await dest.close();
    // The database is lost.
    await db.close();
    const intact = await cli(['audit', 'verify', '--replica', path, '--key', vkey]);
    assert.equal(intact.code, 0, intact.out);
    assert.match(intact.out, /replica: 450 leaves; 9 of 9 checkpoints verified; not compared with a database/);
    assert.match(intact.out, /replica intact/);
    await tamper(path, 137, false);
    const tampered = await cli(['audit', 'verify', '--replica', path, '--key', vkey]);
    assert.equal(tampered.code, 1);
    assert.match(tampered.out, /REPLICA TAMPERED: first bad index 137/);
    assert.match(tampered.out, /BAD: index 137: the leaf text does not hash to the leaf hash written beside it/);
  });

  test('a text rewritten with its hash is caught by the checkpoint (its range), and by the database at its exact index', async (t) => {
    const defer = teardown(t);
    const { store, vkey, origin } = await ledgerOf(defer, 250);
    const dir = await mkdtemp(join(tmpdir(), 'custos-replica-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const dest = await createReplicaDestination({ kind: 'replica', id: 'r', jurisdiction: 'FR', enabled: true, path: dir, maxBatch: 100 });
    await ship(store, dest);
    await dest.close();
    await tamper(dir, 142, true);
    const verifiers = [parseVerifierKey(vkey)];
    const alone = await verifyReplica({ replica: await readReplica(dir), verifiers, origin });
    assert.equal(alone.ok, false);
    assert.deepEqual(alone.firstBad?.index, 100);
    assert.match(alone.firstBad?.reason ?? '', /from index 100 to 149 was changed/);
    const database = { size: await store.size(), leafPage: (from: number, limit: number) => store.leafPage(from, limit) };
    const withDb = await verifyReplica({ replica: await readReplica(dir), verifiers, origin, database });
    assert.equal(withDb.firstBad?.index, 142);
    assert.match(withDb.firstBad?.reason ?? '', /differs from the one the database committed/);
  });

  test('a replica cut short, or with a line removed, fails at the first missing index; a replica ahead of the database shows lost records', async (t) => {
    const defer = teardown(t);
    const { store, vkey, origin } = await ledgerOf(defer, 200);
    const dir = await mkdtemp(join(tmpdir(), 'custos-replica-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const dest = await createReplicaDestination({ kind: 'replica', id: 'r', jurisdiction: 'FR', enabled: true, path: dir, maxBatch: 100 });
    await ship(store, dest);
    await dest.close();
    const verifiers = [parseVerifierKey(vkey)];
    const file = join(dir, LEAVES_FILE);
    const original = await readFile(file, 'utf8');
    const lines = original.split('\n');
    await writeFile(file, `${lines.slice(0, 180).join('\n')}\n`);
    const cut = await verifyReplica({ replica: await readReplica(dir), verifiers, origin });
    assert.equal(cut.firstBad?.index, 180);
    assert.match(cut.firstBad?.reason ?? '', /ends at 180 leaves but a signed checkpoint covers 200/);
    await writeFile(file, [...lines.slice(0, 57), ...lines.slice(58)].join('\n'));
    const removed = await verifyReplica({ replica: await readReplica(dir), verifiers, origin });
    assert.equal(removed.firstBad?.index, 57);
    await writeFile(file, original);
    const lostDb = await verifyReplica({ replica: await readReplica(dir), verifiers, origin, database: { size: 150, leafPage: (from, limit) => store.leafPage(from, limit) } });
    assert.equal(lostDb.firstBad?.index, 150);
    assert.match(lostDb.firstBad?.reason ?? '', /beyond the database's head 150: the database lost records/);
  });

  test('the destination cuts a torn last line at open, skips redeliveries and refuses a gap', async (t) => {
    const defer = teardown(t);
    const { store, vkey, origin } = await ledgerOf(defer, 120);
    const dir = await mkdtemp(join(tmpdir(), 'custos-replica-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const rows = (await store.eventPage(0, 1000)).map((r) => ({ record: JSON.parse(r.record) as LeafRecord, text: r.record }));
    const first = await createReplicaDestination({ kind: 'replica', id: 'r', jurisdiction: 'FR', enabled: true, path: dir, maxBatch: 100 });
    assert.deepEqual(await first.send(rows.slice(0, 70), signal), { ok: true });
    const gap = await first.send(rows.slice(75, 80), signal);
    assert.equal(gap.ok, false);
    assert.equal(!gap.ok && gap.retryable, false);
    await first.close();
    // A crash in the middle of the next write: half a line, no newline.
    await appendFile(join(dir, LEAVES_FILE), `70 ${leafHashOfText(rows[70]?.text ?? '').toString('base64')} {"v":1,"se`);
    assert.equal((await readReplica(dir)).tornTail, true);
    const second = await createReplicaDestination({ kind: 'replica', id: 'r', jurisdiction: 'FR', enabled: true, path: dir, maxBatch: 100 });
    assert.deepEqual(await second.send(rows.slice(60, 120), signal), { ok: true });
    for (const c of await store.allCheckpoints()) await second.sendCheckpoint?.({ size: c.size, note: c.note }, signal);
    await second.close();
    const report = await verifyReplica({ replica: await readReplica(dir), verifiers: [parseVerifierKey(vkey)], origin });
    assert.equal(report.ok, true, report.problems.join('; '));
    assert.equal(report.leaves, 120);
    assert.equal(report.tornTail, false);
  });
});
