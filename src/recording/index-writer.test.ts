import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../lib/logger.ts';
import { IndexWriter } from './index-writer.ts';

const log = createLogger({ level: 'silent' });
/** What PostgreSQL's fencing trigger throws (SQLSTATE CU001, migration 0020). */
const fenced = () => Object.assign(new Error('CUSTOS_FENCED: camera c1 is leased under token 6, the write carries 5'), { code: 'CU001' });

test('a write the database refuses for an older lease token is dropped, not retried', async () => {
  const told: string[] = [];
  const writer = new IndexWriter({ log, onFenced: (label) => told.push(label) });
  let attempts = 0;
  await writer.write('segment closed', async () => {
    attempts++;
    throw fenced();
  });
  assert.equal(writer.pending, 0);
  assert.equal(attempts, 1);
  assert.deepEqual(told, ['segment closed']);
  assert.deepEqual(writer.problems(), []);
});

test('a queued write found fenced on retry is dropped and the writes behind it go on', async () => {
  const writer = new IndexWriter({ log, retryMaxMs: 20 });
  let down = true;
  const done: string[] = [];
  await writer.write('first', async () => {
    if (down) throw new Error('connection refused');
    throw fenced();
  });
  await writer.write('second', async () => void done.push('second'));
  assert.equal(writer.pending, 2);
  down = false;
  assert.equal(await writer.close(5_000), 0, 'the fenced write left the queue, the next was made');
  assert.deepEqual(done, ['second']);
});
