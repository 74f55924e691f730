import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, engines, type TestDatabase } from '../../../test/helpers/databases.ts';
import { createAssertionReplayStore, type AssertionReplayStore } from './assertion-replay.store.ts';

for (const engine of engines) {
  describe(`assertion replay store on ${engine}`, () => {
    let database: TestDatabase;
    let store: AssertionReplayStore;
    let now = 1_700_000_000_000;
    before(async () => {
      database = await createTestDatabase(engine);
      store = createAssertionReplayStore(database.db, { now: () => now });
    });
    after(async () => {
      await database.close();
    });

    test('an assertion id is claimed the first time and refused the second', async () => {
      assert.equal(await store.claim('_a1', now + 60_000), true);
      assert.equal(await store.claim('_a1', now + 60_000), false);
      assert.equal(await store.claim('_a2', now + 60_000), true, 'another id is independent');
    });

    test('an id stays claimed until its expiry and is purged after it', async () => {
      assert.equal(await store.claim('_b1', now + 1_000), true);
      now += 999;
      assert.equal(await store.claim('_b1', now + 1_000), false, 'still remembered just before expiry');
      now += 1;
      assert.equal(await store.claim('_other', now + 1_000), true);
      const rows = await database.db.selectFrom('sso_replay').select('id').where('id', '=', '_b1').execute();
      assert.deepEqual(rows, [], 'the expired row was purged by the next claim');
      assert.equal(await store.claim('_b1', now + 1_000), true, 'an expired id can be claimed again');
    });

    test('of concurrent claims of one id exactly one succeeds', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => store.claim('_race', now + 60_000)));
      assert.equal(results.filter(Boolean).length, 1);
    });
  });
}
