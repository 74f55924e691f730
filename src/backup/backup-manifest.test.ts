import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../lib/errors.ts';
import { backupFormat, formatManifest, parseManifest, segmentsStatement, type BackupManifest } from './backup-manifest.ts';

const good: BackupManifest = {
  format: backupFormat,
  id: '6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b',
  createdAt: '2026-12-07T05:00:00.000Z',
  engine: 'sqlite',
  keyProvider: 'file',
  database: { file: 'custos.db', ledgerSize: 10, checkpointSize: 8, segments: 3, kekVersions: [1] },
  pin: { size: 8, root: 'ab'.repeat(32) },
  config: false,
  key: null,
  segments: segmentsStatement,
  keysAheadUntil: null,
  files: { 'custos.db': { sha256: 'cd'.repeat(32), bytes: 4096 }, 'last-checkpoint': { sha256: 'ef'.repeat(32), bytes: 67 } },
};

test('a manifest round-trips through its text form', () => {
  assert.deepEqual(parseManifest(formatManifest(good)), good);
});

test('a manifest that names a file outside the backup, or an unknown one, is refused', () => {
  for (const name of ['../../etc/shadow', '/etc/passwd', 'keys/master.key', 'manifest.json']) {
    const bad = { ...good, files: { ...good.files, [name]: { sha256: '00'.repeat(32), bytes: 1 } } };
    assert.throws(() => parseManifest(JSON.stringify(bad)), (e: unknown) => e instanceof AppError && e.code === 'BACKUP_INVALID', name);
  }
});

test('a manifest of another format, with unknown keys, or not JSON is refused as BACKUP_INVALID', () => {
  const cases = [JSON.stringify({ ...good, format: 'custos-backup/2' }), JSON.stringify({ ...good, extra: 1 }), JSON.stringify({ ...good, files: { 'custos.db': { sha256: 'short', bytes: 1 } } }), '{not json'];
  for (const text of cases) {
    assert.throws(() => parseManifest(text), (e: unknown) => e instanceof AppError && e.code === 'BACKUP_INVALID', text.slice(0, 60));
  }
});
