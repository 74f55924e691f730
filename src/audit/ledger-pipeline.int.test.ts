// Group commit with a backlog (src/audit/ledger.ts): batches encoded while the previous one
// commits, against real SQLite and PostgreSQL. A batch whose write fails, and another writer
// appending between two batches, make the prediction wrong; the later batches must still land
// densely, in call order, in a tree that verifies.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestLedger, testActor } from '../../test/helpers/audit.ts';
import { createTestDatabase, engines } from '../../test/helpers/databases.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { isAppError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import type { AuditInput } from './audit-event.ts';
import { fileCheckpointPin } from './checkpoint-pin.ts';
import { AuditLedger } from './ledger.ts';
import { loadLedgerKey } from './ledger-signer.ts';
import { createLedgerStore, type LedgerStore } from './ledger.store.ts';
import { createPersonalSealer } from './personal-sealer.ts';
import { leafHash, rootOf } from '../tlog/merkle.ts';
import { parseVerifierKey } from '../tlog/signed-note.ts';
import { verifyLedger } from './verify-ledger.ts';

const origin = 'test.custos.local/audit';
const event = (i: number): AuditInput =>
  i % 3 === 0
    ? { type: 'auth.login.failed', actor: { kind: 'user', id: `user:${i % 4}`, name: `Person ${i}` }, outcome: 'failure', reason: 'bad password' }
    : { type: 'footage.played', ...testActor, cameraId: `cam-${i % 2}`, outcome: 'success', details: { i } };

for (const engine of engines) {
  describe(`group commit with a backlog on ${engine}`, () => {
    test('a failed batch and a neighbour appending between batches leave the later batches dense, in call order, verifiable', async (t) => {
      const database = await createTestDatabase(engine);
      const keys = await createTestDataKeys(database.db);
      const neighbour = await createTestLedger(database.db, keys.dataKeys);
      const dir = await mkdtemp(join(tmpdir(), 'custos-pipeline-'));
      const defer = teardown(t);
      defer(() => database.close());
      defer(() => keys.close());
      defer(() => neighbour.close());
      defer(() => rm(dir, { recursive: true, force: true }));

      // The real store; its second transaction's append fails (as a full disk would make it),
      // and before its fourth one the neighbour appends an event of its own.
      const real = createLedgerStore(database.db);
      let transactions = 0;
      const store: LedgerStore = {
        ...real,
        async locked(work) {
          transactions++;
          const n = transactions;
          if (n === 4) await neighbour.ledger.record(event(1000));
          return real.locked((tx, size) => work(n === 2 ? { ...tx, append: () => Promise.reject(new Error('injected write failure')) } : tx, size));
        },
      };
      const ledger = new AuditLedger({
        store,
        sealer: createPersonalSealer(keys.dataKeys),
        key: await loadLedgerKey(keys.dataKeys, origin),
        pin: fileCheckpointPin(dir),
        clock: { now: () => Date.now() },
        log: createLogger({ level: 'silent' }),
        origin,
        maxBatch: 4,
        checkpointEntries: 1_000_000,
      });
      defer(() => ledger.close());
      await ledger.open({ announce: false });

      // A backlog of full batches (the first call starts a batch of its own at once): the second
      // transaction fails, the fourth follows the neighbour's event.
      const settled = await Promise.allSettled(Array.from({ length: 24 }, (_, i) => ledger.record(event(i))));
      const rejected = settled.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
      assert.equal(rejected.length, 4, 'exactly one batch of four is rejected');
      assert.deepEqual(rejected, [0, 1, 2, 3].map((k) => (rejected[0] as number) + k), 'the rejected events are one batch');
      for (const r of settled) if (r.status === 'rejected') assert.ok(isAppError(r.reason, 'AUDIT_UNAVAILABLE'), String(r.reason));
      const seqs = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value.seq] : []));
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in call order');
      const theirs = (await store.eventPage(0, 100)).find((r) => !seqs.includes(r.seq));
      assert.ok(theirs !== undefined && theirs.seq > (seqs[0] as number) && theirs.seq < (seqs.at(-1) as number), 'the neighbour’s leaf lies between ours');
      assert.deepEqual([...seqs, theirs.seq].sort((a, b) => a - b), Array.from({ length: 21 }, (_, i) => i), 'dense');

      const rows = await store.eventPage(0, 100);
      assert.deepEqual(
        rows.map((r) => r.seq),
        rows.map((_, i) => i),
      );
      const signed = await ledger.checkpoint();
      assert.deepEqual(signed?.root, rootOf(rows.map((r) => leafHash(Buffer.from(r.record, 'utf8')))), 'the stored tree is the tree of the stored records');
      const report = await verifyLedger({ store: real, verifiers: [parseVerifierKey(ledger.vkey)], origin });
      assert.equal(report.ok, true, report.problems.join('\n'));
      assert.equal(report.events, 21);
    });
  });
}
