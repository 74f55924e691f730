/** The register's stores on real SQLite and PostgreSQL: versioned updates, lists, reminders, candidates by key. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, engines } from '../../test/helpers/databases.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { withDefaults, type Incident } from './incident.ts';
import { createIncidentStore } from './incidents.store.ts';
import { createCandidateStore } from './candidates.store.ts';
import type { Candidate } from './candidate.ts';

const incident = (awareAt: string): Incident => ({
  ...withDefaults({ title: 'stored', awareAt }),
  id: randomUUID(),
  status: 'open',
  candidateId: null,
  submissions: [],
  significance: { significant: false, entityType: 'default', criteria: [] },
  version: 1,
  createdAt: awareAt,
  updatedAt: awareAt,
});

for (const engine of engines) {
  describe(`incident stores on ${engine}`, () => {
    const defer = teardown({ after });
    const db = (async () => {
      const database = await createTestDatabase(engine);
      defer(() => database.close());
      return database.db;
    })();

    test('an update based on an old version is refused; lists are newest aware first and filter by status', async () => {
      const store = createIncidentStore(await db);
      const a = incident('2026-10-01T00:00:00.000Z');
      const b = incident('2026-10-02T00:00:00.000Z');
      await store.insert(a);
      await store.insert(b);
      assert.equal(await store.update({ ...a, title: 'v2', version: 2 }), true);
      assert.equal(await store.update({ ...a, title: 'stale', version: 2 }), false, 'version 1 is gone');
      assert.equal((await store.get(a.id))?.title, 'v2');
      assert.equal(await store.update({ ...b, status: 'closed', closedAt: '2026-10-03T00:00:00.000Z', version: 2 }), true);
      assert.deepEqual((await store.list(10)).map((i) => i.id), [b.id, a.id]);
      assert.deepEqual((await store.list(10, 'open')).map((i) => i.id), [a.id]);
      assert.equal(await store.markReminder(a.id, 'early-warning:1', 1), true);
      assert.equal(await store.markReminder(a.id, 'early-warning:1', 2), false, 'once');
      assert.deepEqual([...(await store.remindersSent(a.id))], ['early-warning:1']);
    });

    test('the open candidate of a key is found; a decided one is not', async () => {
      const store = createCandidateStore(await db);
      const c: Candidate = { id: randomUUID(), dedupKey: 'brute-force', kind: 'brute-force', title: 't', status: 'open', alarmSeqs: [3, 9], firstMs: 1, lastMs: 2, reason: null, incidentId: null, decidedBy: null, decidedMs: null };
      await store.insert(c);
      assert.deepEqual((await store.openByKey('brute-force'))?.alarmSeqs, [3, 9]);
      await store.update({ ...c, status: 'dismissed', reason: 'test', decidedBy: 'user:x', decidedMs: 5 });
      assert.equal(await store.openByKey('brute-force'), undefined);
      assert.equal((await store.get(c.id))?.decidedMs, 5);
    });
  });
}
