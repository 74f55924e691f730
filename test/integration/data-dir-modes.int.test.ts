/**
 * Files in the data directory that hold secrets or personal data are private to the service's
 * user, whatever the umask and whatever an earlier version left behind. Real: the app with
 * SQLite on a temporary directory; the modes are read back from the file system.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { memoryLog, startTestApp, tempDir } from '../helpers/harness.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

test('a new data directory is 0700, and the database, its WAL and shared memory, the TLS key and the setup token are 0600', async (t) => {
  const defer = teardown(t);
  // The usual umask, under which a plain file is created 0644 (readable by everyone).
  const umask = process.umask(0o022);
  defer(() => process.umask(umask));
  const parent = await tempDir('modes');
  defer(() => parent.remove());
  const dataDir = join(parent.path, 'data');
  const app = await startTestApp(dataDir);
  defer(() => app.close());
  await app.cameras.add({ name: 'Door', url: 'rtsp://127.0.0.1:9/door', enabled: false }, testActor);
  assert.equal(await modeOf(dataDir), '700');
  for (const name of ['custos.db', 'custos.db-wal', 'custos.db-shm', 'setup-token', 'tls/self-signed.key']) {
    assert.equal(await modeOf(join(dataDir, name)), '600', name);
  }
});

test('an existing database readable by others is made 0600 at start, and a data directory open to others is warned about', async (t) => {
  const defer = teardown(t);
  const umask = process.umask(0o022);
  defer(() => process.umask(umask));
  const dir = await tempDir('open-modes');
  defer(() => dir.remove());
  // As an earlier version left it: the directory 0755, the database and its WAL 0644.
  await chmod(dir.path, 0o755);
  const file = join(dir.path, 'custos.db');
  const old = new BetterSqlite3(file);
  old.pragma('journal_mode = WAL');
  old.exec('CREATE TABLE earlier (x INTEGER)');
  old.close();
  await writeFile(`${file}-wal`, '');
  await chmod(file, 0o644);
  await chmod(`${file}-wal`, 0o644);
  await mkdir(join(dir.path, 'segments'), { recursive: true });

  const { lines, destination } = memoryLog();
  const config = await loadConfig({ file: null, env: {}, overrides: { dataDir: dir.path, 'server.port': 0 } });
  const app = await startApp(config, { logger: createLogger({ level: 'warn', destination }) });
  defer(() => app.close());
  for (const name of ['custos.db', 'custos.db-wal', 'custos.db-shm']) assert.equal(await modeOf(join(dir.path, name)), '600', name);
  assert.ok(lines.some((l) => l.includes('readable by group or others') && l.includes('custos.db')), 'the tightened database file is logged');
  const warning = lines.find((l) => l.includes('data directory is accessible by group or others'));
  assert.ok(warning, 'the open data directory is warned about');
  assert.equal(JSON.parse(warning).mode, '755');
  assert.equal(await modeOf(dir.path), '755', 'the directory itself is left as the operator made it');
});
