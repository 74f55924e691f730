import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExportProgressBoard } from './export-progress.ts';
import type { ExportJob } from './export-job.ts';

const job = (state: ExportJob['state']): ExportJob => ({ id: 'j1', cameraId: 'c', fromMs: 0, toMs: 1, state, bytes: null, error: null, createdMs: 0, finishedMs: null, custody: null, evidence: null, owners: { requestedBy: null, approvedBy: null } });

test('a job this process runs goes queued → waiting → rendering (by bytes read) → proving; stored states say the rest', () => {
  const board = new ExportProgressBoard();
  assert.deepEqual(board.of(job('pending')), { phase: 'queued', percent: 0, bytes: null, totalBytes: null });
  board.phase('j1', 'waiting-for-footage');
  assert.deepEqual(board.of(job('running')), { phase: 'waiting-for-footage', percent: 0, bytes: null, totalBytes: null });
  board.rendering('j1', 1000);
  board.fed('j1', 500);
  assert.deepEqual(board.of(job('running')), { phase: 'rendering', percent: 45, bytes: 500, totalBytes: 1000 });
  board.fed('j1', 2000);
  assert.equal(board.of(job('running')).percent, 90, 'never past the render\'s share');
  board.phase('j1', 'proving');
  assert.deepEqual(board.of(job('running')), { phase: 'proving', percent: 95, bytes: 1000, totalBytes: 1000 });
  board.finished('j1');
  assert.deepEqual(board.of(job('done')), { phase: 'done', percent: 100, bytes: null, totalBytes: null });
  assert.deepEqual(board.of(job('failed')), { phase: 'failed', percent: null, bytes: null, totalBytes: null });
});

test('a running job of another process (or before a restart) has no percent', () => {
  assert.deepEqual(new ExportProgressBoard().of(job('running')), { phase: 'rendering', percent: null, bytes: null, totalBytes: null });
});
