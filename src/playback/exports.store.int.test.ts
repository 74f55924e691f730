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
      const job: ExportJob = { id: '00000000-0000-4000-8000-00000000e001', cameraId: 'cam', fromMs: 1_795_000_000_000, toMs: 1_795_000_060_000, state: 'pending', bytes: null, error: null, createdMs: 1_795_000_100_000, finishedMs: null, custody: '{"v":1}', evidence: null, owners: { requestedBy: 'user:a', approvedBy: null } };
      await store.insert(job);
      assert.deepEqual(await store.get(job.id), job);
      assert.deepEqual((await store.unfinished()).map((j) => j.id), [job.id]);
      const done = { ...job, state: 'done' as const, bytes: 12_345_678, finishedMs: 1_795_000_101_000 };
      await store.update(done);
      assert.deepEqual(await store.get(job.id), done);
      assert.deepEqual(await store.unfinished(), []);
      assert.equal(await store.get('00000000-0000-4000-8000-00000000e002'), undefined);
    });

    test('the exports of a user are those they requested or approved, newest first, and no one else\'s', async () => {
      const store = createExportStore(database.db);
      const base: ExportJob = { id: '', cameraId: 'cam', fromMs: 1, toMs: 2, state: 'done', bytes: 1, error: null, createdMs: 0, finishedMs: 3, custody: null, evidence: null, owners: { requestedBy: null, approvedBy: null } };
      const job = (n: number, requestedBy: string | null, approvedBy: string | null): ExportJob => ({ ...base, id: `00000000-0000-4000-8000-0000000f000${n}`, createdMs: 1_795_000_000_000 + n, owners: { requestedBy, approvedBy } });
      for (const j of [job(1, 'user:r', null), job(2, 'user:x', 'user:r'), job(3, 'user:x', 'user:y'), job(4, null, null)]) await store.insert(j);
      assert.deepEqual((await store.ofUser('user:r', 10)).map((j) => j.id.slice(-1)), ['2', '1']);
      assert.deepEqual((await store.ofUser('user:y', 10)).map((j) => j.owners), [{ requestedBy: 'user:x', approvedBy: 'user:y' }]);
      assert.deepEqual(await store.ofUser('user:nobody', 10), []);
    });

    test('the history lists every job, newest first, by camera and by time requested', async () => {
      const store = createExportStore(database.db);
      const base: ExportJob = { id: '', cameraId: 'cam-h', fromMs: 1, toMs: 2, state: 'done', bytes: 1, error: null, createdMs: 0, finishedMs: 3, custody: null, evidence: null, owners: { requestedBy: 'user:h', approvedBy: null } };
      const at = 1_796_000_000_000;
      for (let n = 1; n <= 4; n++) await store.insert({ ...base, id: `00000000-0000-4000-8000-0000000a000${n}`, cameraId: n === 4 ? 'cam-other' : 'cam-h', createdMs: at + n * 1000 });
      const ids = (jobs: ExportJob[]) => jobs.map((j) => j.id.slice(-1));
      assert.deepEqual(ids(await store.history({ cameraId: 'cam-h', limit: 10 })), ['3', '2', '1']);
      assert.deepEqual(ids(await store.history({ fromMs: at + 2000, toMs: at + 4000, limit: 10 })), ['3', '2'], 'from inclusive, to exclusive');
      assert.deepEqual(ids(await store.history({ fromMs: at, limit: 2 })), ['4', '3']);
    });
  });
}
