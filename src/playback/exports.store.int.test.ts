import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, engines, type TestDatabase } from '../../test/helpers/databases.ts';
import { createExportStore } from './exports.store.ts';
import type { ExportJob } from './export-job.ts';

for (const engine of engines) {
  describe(`export store on ${engine}`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(engine);
    });
    after(async () => database.close());

    test('a job round-trips, changes state, and unfinished jobs are found for recovery', async () => {
      const store = createExportStore(database.db);
      const job: ExportJob = { id: '00000000-0000-4000-8000-00000000e001', cameraId: 'cam', fromMs: 1_795_000_000_000, toMs: 1_795_000_060_000, state: 'pending', bytes: null, error: null, createdMs: 1_795_000_100_000, finishedMs: null, custody: '{"v":1}', evidence: null };
      await store.insert(job);
      assert.deepEqual(await store.get(job.id), job);
      assert.deepEqual((await store.unfinished()).map((j) => j.id), [job.id]);
      const done = { ...job, state: 'done' as const, bytes: 12_345_678, finishedMs: 1_795_000_101_000 };
      await store.update(done);
      assert.deepEqual(await store.get(job.id), done);
      assert.deepEqual(await store.unfinished(), []);
      assert.equal(await store.get('00000000-0000-4000-8000-00000000e002'), undefined);
    });
  });
}
