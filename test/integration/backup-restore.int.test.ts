/**
 * Backup and restore with real processes (issue 15 items 6 and 7): `custos serve` records camsim
 * while `custos backup` runs beside it; the backup is restored onto new data directories with the
 * segments directory copied in (as a storage zone provides it). One restore plays, verifies and
 * passes fsck; the other is given a checkpoint published after the backup, and the restored
 * server must refuse to sign any checkpoint (it would fork the published log).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { custos, spawnServe } from '../helpers/custos-cli.ts';
import { decodeErrors } from '../helpers/media-probe.ts';
import { openDatabase } from '../../src/db/database.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';
import { parseManifest } from '../../src/backup/backup-manifest.ts';

const passphrase = 'correct horse battery staple\n';

async function segmentFiles(dataDir: string): Promise<number> {
  try {
    return (await readdir(join(dataDir, 'segments'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
}

/** Reads rows of a data directory's SQLite database (the server may be running: WAL readers are fine). */
async function query<T>(dataDir: string, q: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const { db } = await openDatabase({ url: null, dataDir });
  try {
    return await q(db);
  } finally {
    await db.destroy();
  }
}

const t0 = Date.now();
const mark = (what: string) => process.env.TIMING_BACKUP_TEST && console.log(`${Date.now() - t0} ms ${what}`);

test('a backup taken while recording restores onto a new data directory that plays, verifies and passes fsck, and an older backup cannot fork a published checkpoint', { concurrency: true }, async (t) => {
  const defer = teardown(t);
  const root = await tempDir('backup-live');
  defer(() => root.remove());
  const data = join(root.path, 'data');
  const backup = join(root.path, 'backup');
  const config = join(root.path, 'custos.yaml');
  await writeFile(config, 'recording:\n  segmentSeconds: 2\naudit:\n  checkpointSeconds: 1\n');
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const added = await custos(['camera', 'add', '--data-dir', data, '--name', 'Gate', '--url', sim.urls[0] as string]);
  assert.equal(added.code, 0, added.stderr);
  const cameraId = added.stdout.trim();

  mark('const server = spawnServe(');
  const server = spawnServe(defer, ['--config', config, '--data-dir', data]);
  await waitFor('two segments recorded', 30_000, async () => (await segmentFiles(data)) >= 3).catch((e: unknown) => {
    throw new Error(`${String(e)}; server stderr: ${server.stderr()}`);
  });

  // Online: the server keeps its lock and keeps recording while the backup runs.
  mark("const taken = await custos(['backup'");
  const taken = await custos(['backup', backup, '--config', config, '--data-dir', data, '--include-key', '--key-passphrase-stdin'], { input: passphrase });
  assert.equal(taken.code, 0, taken.stderr);
  assert.equal(server.child.exitCode, null, 'the server still runs');
  const manifest = parseManifest(await readFile(join(backup, 'manifest.json'), 'utf8'));
  assert.ok(manifest.database.segments >= 1 && manifest.database.ledgerSize > 0, JSON.stringify(manifest.database));
  assert.deepEqual(Object.keys(manifest.files).sort(), ['custos.db', 'custos.yaml', 'last-checkpoint', 'master-key.sealed']);
  assert.deepEqual(manifest.key?.versions, [1]);
  for (const name of Object.keys(manifest.files)) assert.equal((await stat(join(backup, name))).mode & 0o777, 0o600, `${name} is private`);
  const clearKey = (JSON.parse(await readFile(join(data, 'keys', 'master.key'), 'utf8')) as { keys: Record<string, string> }).keys['1'] as string;
  assert.ok(!(await readFile(join(backup, 'master-key.sealed'), 'utf8')).includes(clearKey), 'the key in the backup is sealed');

  // More recording after the backup, then a checkpoint is published (a witness, the SIEM), then a crash.
  const atBackup = await segmentFiles(data);
  await waitFor('segments recorded after the backup', 30_000, async () => (await segmentFiles(data)) >= atBackup + 2);
  mark("const published = await custos(['audit',");
  const published = await custos(['audit', 'checkpoint', '--data-dir', data]);
  assert.equal(published.code, 0, published.stderr);
  const publishedSize = Number(published.stdout.split('\n')[1]);
  assert.ok(publishedSize > manifest.database.ledgerSize, `the published checkpoint (${publishedSize}) is newer than the backup (${manifest.database.ledgerSize})`);
  await server.stop('SIGKILL');
  const backupEvents = await query(data, (db) => db.selectFrom('audit_events').select(['record']).where('type', '=', 'system.backup.created').execute());
  assert.equal(backupEvents.length, 1);
  assert.match(backupEvents[0]?.record ?? '', /"outcome":"success"/);

  mark('const noteFile =');
  const noteFile = join(root.path, 'published.note');
  await writeFile(noteFile, published.stdout);
  const restored = join(root.path, 'restored');
  const forked = join(root.path, 'forked');
  // The two restores are independent: run side by side.
  const plays = t.test('restored with no newer checkpoint: recordings play, audit verify and vault fsck pass', async () => {
    const r = await custos(['restore', backup, '--data-dir', restored, '--key-passphrase-stdin', '--no-published-checkpoint'], { input: passphrase });
    assert.equal(r.code, 0, r.stderr);
    const again = await custos(['restore', backup, '--data-dir', restored, '--key-passphrase-stdin', '--no-published-checkpoint'], { input: passphrase });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^custos restore: restore target .* is not empty/);
    await cp(join(data, 'segments'), join(restored, 'segments'), { recursive: true });

  mark('const app = await startTestApp');
    const app = await startTestApp(restored, { 'recording.segmentSeconds': 2 });
    try {
      // Footage recorded after the backup comes back from the zone: recovery indexes it again.
      assert.ok(app.recovery.reindexed >= 2, `reindexed ${app.recovery.reindexed}`);
      await app.cameras.update(cameraId, { enabled: false }, testActor);
      await app.recorder.reconcile();
      const rows = await app.playback.segments(cameraId, 0, Number.MAX_SAFE_INTEGER);
      assert.ok(rows.length >= atBackup + 1, `${rows.length} segments indexed`);
      for (const row of [rows[0], rows.at(-1)]) {
        assert.ok(row);
        assert.equal(await decodeErrors(await app.store.read(row.objectKey, 0, row.bytes)), '', row.objectKey);
      }
    } finally {
      await app.close();
    }
  mark("const verify = await custos(['audit', 'v");
    const verify = await custos(['audit', 'verify', '--data-dir', restored]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    const fsck = await custos(['vault', 'fsck', '--data-dir', restored]);
    assert.equal(fsck.code, 0, fsck.stdout + fsck.stderr);
    const events = await query(restored, (db) => db.selectFrom('audit_events').select(['record']).where('type', '=', 'system.restore.completed').execute());
    assert.equal(events.length, 1);
    assert.match(events[0]?.record ?? '', /"publishedCheckpoint":"none-given"/);
  });

  const guarded = t.test('restored behind a published checkpoint: the server refuses to sign a fork and raises the alarm', async () => {
    const r = await custos(['restore', backup, '--data-dir', forked, '--key-passphrase-stdin', '--published-checkpoint', noteFile], { input: passphrase });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`FORK GUARD: the published checkpoint has ${publishedSize} events, the restored ledger ${manifest.database.ledgerSize}: ${publishedSize - manifest.database.ledgerSize} audit events are lost`));
    await cp(join(data, 'segments'), join(forked, 'segments'), { recursive: true });
    const alarms = () => query(forked, (db) => db.selectFrom('audit_events').select('record').where('type', '=', 'alarm.raised').execute()).then((rows) => rows.filter((a) => a.record.includes('"rule":"checkpoint-refused"')).length);
    assert.equal(await alarms(), 1, 'the restore raised the alarm at once');

  mark('const restarted = spawnServe');
    const restarted = spawnServe(defer, ['--config', join(forked, 'custos.yaml'), '--data-dir', forked]);
    await waitFor('the server refusing its checkpoint', 30_000, async () => (await alarms()) >= 2);
  mark("const cli = await custos(['audit', 'chec");
    const cli = await custos(['audit', 'checkpoint', '--data-dir', forked]);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, new RegExp(`custos audit: the ledger holds \\d+ events but a checkpoint of ${publishedSize} was signed|does not match the checkpoint signed at that size`));
    await restarted.stop();
    const newest = await query(forked, (db) => db.selectFrom('audit_checkpoints').select('size').orderBy('size', 'desc').executeTakeFirst());
    assert.equal(newest?.size, manifest.database.checkpointSize, 'no checkpoint was signed after the restore');
    assert.match(await readFile(join(forked, 'audit', 'last-checkpoint'), 'utf8'), new RegExp(`^${publishedSize} `));
    const verify = await custos(['audit', 'verify', '--data-dir', forked]);
    assert.equal(verify.code, 1, 'verify reports the ledger behind the published checkpoint');
  });
  await Promise.all([plays, guarded]);
});
