// The governance stores on both engines (real SQLite file, real PostgreSQL database): the
// migration, a seed that never overwrites an assessment, documents kept byte for byte, the
// retention justification upsert, and the system facts live evidence reads (users × grants ×
// factors, ledger events by type and outcome from a real audit ledger, data keys by version).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, engines } from '../../test/helpers/databases.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { createTestLedger, testActor } from '../../test/helpers/audit.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { createGovernanceStore } from './governance.store.ts';
import { createSystemFacts } from './system-facts.store.ts';
import type { Requirement } from './governance-model.ts';

const requirement = (id: string, position: number): Requirement => ({
  id,
  framework: 'iso27001-2022-annex-a',
  ref: id,
  title: `Control ${id}`,
  position,
  status: 'not-assessed',
  owner: null,
  evidence: [],
  reason: null,
  updatedBy: 'system:seed',
  updatedMs: 1,
});

describe('governance stores', { concurrency: true }, () => {
  for (const engine of engines) {
    test(`${engine}: the seed adds only what is missing, documents keep their bytes, justifications are upserted, and system facts read users, ledger events and keys`, async (t) => {
      const defer = teardown(t);
      const database = await createTestDatabase(engine);
      defer(() => database.close());
      const { db } = database;
      const store = createGovernanceStore(db);
      assert.equal(await store.seedRequirements([requirement('A.1', 0), requirement('A.2', 1)]), 2);
      const assessed: Requirement = { ...requirement('A.1', 0), status: 'not-applicable', reason: 'no premises', owner: 'CISO', evidence: ['live:mfa-coverage'], updatedBy: 'user:x', updatedMs: 5 };
      await store.saveRequirement(assessed);
      assert.equal(await store.seedRequirements([requirement('A.1', 0), requirement('A.2', 1), requirement('A.3', 2)]), 1);
      const all = await store.requirements();
      assert.deepEqual(all.map((r) => r.id), ['A.1', 'A.2', 'A.3']);
      assert.deepEqual(all[0], assessed, 'a re-seed never overwrites an assessment');

      const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
      const doc = { id: randomUUID(), kind: 'policy' as const, title: 'Policy', mediaType: 'application/pdf', sha256: 'ab'.repeat(32), bytes: bytes.length, registeredBy: 'user:x', registeredMs: 7 };
      await store.insertDocument(doc, bytes);
      assert.deepEqual(await store.documentContent(doc.id), bytes);
      assert.deepEqual(await store.document(doc.id), doc);
      await store.setRetentionJustification('cam-1', 'first', 'user:x', 1);
      await store.setRetentionJustification('cam-1', 'second', 'user:y', 2);
      assert.deepEqual([...(await store.retentionJustifications())], [['cam-1', 'second']]);

      const keys = await createTestDataKeys(db);
      defer(() => keys.close());
      const ledger = await createTestLedger(db, keys.dataKeys);
      defer(() => ledger.close());
      await ledger.ledger.record({ type: 'audit.verified', ...testActor, outcome: 'success', details: { events: 1 } });
      const failed = await ledger.ledger.record({ type: 'audit.verified', ...testActor, outcome: 'failure', details: { events: 2 } });
      const ok = await ledger.ledger.record({ type: 'audit.verified', ...testActor, outcome: 'success', details: { events: 3 } });
      const facts = createSystemFacts(db);
      assert.equal((await facts.latestEvent('audit.verified', 'success'))?.seq, ok.seq);
      assert.equal((await facts.latestEvent('audit.verified', 'failure'))?.seq, failed.seq);
      assert.equal((await facts.latestEvent('audit.verified'))?.seq, ok.seq);
      assert.equal(await facts.latestEvent('key.rotated'), undefined);

      await db.insertInto('users').values({ id: 'u1', username: 'alice', display_name: 'Alice', kind: 'local', provider: null, subject: null, password_hash: null, password_changed_ms: null, external: 0, expires_ms: null, disabled: 0, created_by: 'test', created_ms: 1, updated_ms: 1, reset_ms: null }).execute();
      await db.insertInto('grants').values([
        { id: 'g1', user_id: 'u1', role: 'admin', scope_kind: 'global', scope_id: null, granted_by: 'test', granted_ms: 1, expires_ms: null, revoked_by: null, revoked_ms: null, source: 'manual' },
        { id: 'g2', user_id: 'u1', role: 'auditor', scope_kind: 'global', scope_id: null, granted_by: 'test', granted_ms: 1, expires_ms: null, revoked_by: 'test', revoked_ms: 2, source: 'manual' },
      ]).execute();
      await db.insertInto('user_totp').values({ user_id: 'u1', secret: 'v1:x', confirmed_ms: 3, last_step: 0, created_ms: 1 }).execute();
      assert.deepEqual(await facts.users(Date.now()), [{ id: 'u1', username: 'alice', kind: 'local', roles: ['admin'], totp: true, passkeys: 0 }]);
      const total = async () => [...(await facts.liveDataKeysByKek()).values()].reduce((a, b) => a + b, 0);
      const before = await total();
      await keys.dataKeys.keyFor('cam-1', Date.now());
      assert.equal(await total(), before + 1);
      await keys.dataKeys.destroyBefore('cam-1', Date.now() + 3_600_000 * 2);
      assert.equal(await total(), before, 'a destroyed key no longer counts');
    });
  }
});
