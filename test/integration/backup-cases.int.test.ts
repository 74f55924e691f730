/**
 * `custos backup` / `custos restore` without a server (real SQLite, real PostgreSQL with the real
 * pg_dump and pg_restore): what each refuses, with one line, and the PostgreSQL round trip. The
 * CLI runs in-process through `main` (the live-server case is backup-restore.int.test.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { main } from '../../src/cli/main.ts';
import { tempDir } from '../helpers/harness.ts';
import { pgAdminUrl } from '../helpers/databases.ts';
import { teardown } from '../helpers/teardown.ts';
import { custos } from '../helpers/custos-cli.ts';
import { parseManifest } from '../../src/backup/backup-manifest.ts';
import { openDatabase } from '../../src/db/database.ts';

const passphrase = 'correct horse battery staple\n';

/** Runs the CLI in-process with captured output. */
async function run(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _e, done) {
        add(chunk.toString());
        done();
      },
    });
  const code = await main(args, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    stdin: Readable.from(opts.input === undefined ? [] : [Buffer.from(opts.input)]),
    env: opts.env ?? {},
  });
  return { code, stdout, stderr };
}

/** A new, empty PostgreSQL database (no migrations), dropped by `defer`. */
async function emptyPgDatabase(defer: (f: () => unknown) => void): Promise<string> {
  const name = `custos_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  defer(async () => {
    const a = new pg.Client({ connectionString: pgAdminUrl });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  });
  const url = new URL(pgAdminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

describe('backup and restore refusals and PostgreSQL', { concurrency: true }, () => {
  test('backup and restore refuse bad requests with one line, leave nothing half-done, and refuse a published checkpoint the restored ledger contradicts', async (t) => {
    const defer = teardown(t);
    const root = await tempDir('backup-cases');
    defer(() => root.remove());
    const data = join(root.path, 'data');
    const door = await run(['camera', 'add', '--data-dir', data, '--name', 'Door', '--url', 'rtsp://127.0.0.1:9/door']);
    assert.equal(door.code, 0);
    // Signed before the backup: the backup holds it (every backup then adds an event to the live ledger).
    const before = await run(['audit', 'checkpoint', '--data-dir', data]);
    assert.equal(before.code, 0);
    await writeFile(join(root.path, 'own.note'), before.stdout);

    const refusals: [string[], string | undefined, number, RegExp][] = [
      [['backup', join(root.path, 'b0'), '--data-dir', data, '--include-key'], undefined, 2, /--include-key needs the passphrase/],
      [['backup', join(root.path, 'b0'), '--data-dir', data, '--include-key', '--key-passphrase-stdin'], 'short\n', 2, /at least 12 characters/],
      [['backup', join(root.path, 'b0'), '--data-dir', data, '--key-passphrase-stdin'], passphrase, 2, /without --include-key/],
      [['backup', root.path, '--data-dir', data], undefined, 1, /backup destination .* is not empty/],
    ];
    for (const [args, input, code, message] of refusals) {
      const r = await run(args, input === undefined ? {} : { input });
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split('\n').length, 2, 'one line');
    }
    // An HSM's key never leaves it: refused before the HSM is even opened.
    const hsm = await run(['backup', join(root.path, 'b0'), '--data-dir', data, '--include-key', '--key-passphrase-stdin'], { input: passphrase, env: { CUSTOS_KEYS_PROVIDER: 'pkcs11' } });
    assert.equal(hsm.code, 2);
    assert.match(hsm.stderr, /^custos backup: the master key is in an HSM \(keys.provider pkcs11\) and never leaves it/);

    const backup = join(root.path, 'b1');
    const taken = await run(['backup', backup, '--data-dir', data, '--include-key', '--key-passphrase-stdin'], { input: passphrase });
    assert.equal(taken.code, 0, taken.stderr);
    const noKey = join(root.path, 'b2');
    assert.equal((await run(['backup', noKey, '--data-dir', data, '--keys-ahead', '0'])).code, 0);
    const noKeyManifest = parseManifest(await readFile(join(noKey, 'manifest.json'), 'utf8'));
    assert.equal(noKeyManifest.key, null);
    assert.equal(noKeyManifest.keysAheadUntil, null);
    const aheadUntil = Date.parse(parseManifest(await readFile(join(backup, 'manifest.json'), 'utf8')).keysAheadUntil ?? '');
    assert.ok(aheadUntil > Date.now() + 23 * 3_600_000, 'data keys made 24 h ahead by default');

    const target = (n: string) => join(root.path, `r-${n}`);
    const restore = (src: string, to: string, extra: string[] = [], input?: string) => run(['restore', src, '--data-dir', to, ...extra], input === undefined ? {} : { input });
    let r = await restore(backup, target('a'), ['--key-passphrase-stdin'], passphrase);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--published-checkpoint FILE .* or --no-published-checkpoint/);
    r = await restore(backup, target('a'), ['--no-published-checkpoint']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the backup holds the master key: give its passphrase/);
    r = await restore(backup, target('a'), ['--no-published-checkpoint', '--key-passphrase-stdin'], 'the wrong passphrase\n');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /passphrase incorrect/);
    r = await restore(noKey, target('a'), ['--no-published-checkpoint']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the backup holds no master key/);

    // A flipped byte in any file: nothing is restored.
    const damaged = join(root.path, 'b-damaged');
    await cp(backup, damaged, { recursive: true });
    const db = await readFile(join(damaged, 'custos.db'));
    db[db.length - 100] = (db[db.length - 100] as number) ^ 1;
    await writeFile(join(damaged, 'custos.db'), db);
    r = await restore(damaged, target('d'), ['--no-published-checkpoint', '--key-passphrase-stdin'], passphrase);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'custos restore: backup: custos.db does not match its SHA-256 in the manifest (damaged or altered)\n');
    await assert.rejects(stat(target('d')), 'the target was not even created');
    // A backup whose manifest is missing (interrupted) is no backup.
    await writeFile(join(damaged, 'manifest.json'), '{"format":"custos-backup/1"}');
    r = await restore(damaged, target('d'), ['--no-published-checkpoint']);
    assert.match(r.stderr, /manifest.json is not a custos-backup\/1 manifest/);

    // A published checkpoint of another log is not evidence about this one.
    const other = join(root.path, 'other');
    assert.equal((await run(['camera', 'add', '--data-dir', other, '--name', 'X', '--url', 'rtsp://127.0.0.1:9/x'])).code, 0);
    const foreign = await run(['audit', 'checkpoint', '--data-dir', other]);
    await writeFile(join(root.path, 'foreign.note'), foreign.stdout);
    r = await restore(backup, target('f'), ['--published-checkpoint', join(root.path, 'foreign.note'), '--key-passphrase-stdin'], passphrase);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the published checkpoint is not signed by this ledger's key/);

    // The good one, with the checkpoint this backup already holds: consistent.
    const good = target('g');
    r = await restore(backup, good, ['--published-checkpoint', join(root.path, 'own.note'), '--key-passphrase-stdin'], passphrase);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /fork guard: the published checkpoint \(size \d+\) is in the restored ledger/);
    assert.equal((await stat(join(good, 'keys', 'master.key'))).mode & 0o777, 0o600);
    assert.match((await run(['camera', 'list', '--data-dir', good])).stdout, /Door/);
    // Footage recorded after the backup stays decryptable: its data keys are in the restored database.
    const restoredDb = (await openDatabase({ url: null, dataDir: good })).db;
    const windows = await restoredDb.selectFrom('data_keys').select('hour_ms').where('camera_id', '=', door.stdout.trim()).where('wrapped', '<>', '').execute();
    await restoredDb.destroy();
    assert.ok(windows.some((w) => w.hour_ms + 3_600_000 > aheadUntil) && windows.length >= 24, `${windows.length} windows, up to ${Math.max(...windows.map((w) => w.hour_ms))}`);
    assert.equal((await run(['audit', 'verify', '--data-dir', good])).code, 0);
    assert.deepEqual((await readdir(good)).filter((f) => f.startsWith('.')), [], 'no temp files left');

    // Two installations grown from one backup are two logs with one key: a checkpoint of the
    // original contradicts a backup of the restored copy at the same size, and the restore fails.
    const published = await run(['audit', 'checkpoint', '--data-dir', data]);
    const publishedSize = Number(published.stdout.split('\n')[1]);
    await writeFile(join(root.path, 'original.note'), published.stdout);
    for (let i = 0; i < 5; i++) assert.equal((await run(['camera', 'add', '--data-dir', good, '--name', `C${i}`, '--url', `rtsp://127.0.0.1:9/c${i}`])).code, 0);
    const diverged = join(root.path, 'b-diverged');
    assert.equal((await run(['backup', diverged, '--data-dir', good, '--include-key', '--key-passphrase-stdin'], { input: passphrase })).code, 0);
    assert.ok(parseManifest(await readFile(join(diverged, 'manifest.json'), 'utf8')).database.ledgerSize >= publishedSize);
    r = await restore(diverged, target('c'), ['--published-checkpoint', join(root.path, 'original.note'), '--key-passphrase-stdin'], passphrase);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`^custos restore: the restored ledger contradicts the published checkpoint at size ${publishedSize}`));
  });

  test('PostgreSQL: custos backup runs pg_dump (custom format) and restore runs pg_restore into an empty database; the restored ledger verifies', async (t) => {
    const defer = teardown(t);
    const root = await tempDir('backup-pg');
    defer(() => root.remove());
    const source = await emptyPgDatabase(defer);
    const fresh = await emptyPgDatabase(defer);
    const data = join(root.path, 'data');
    const env = { CUSTOS_DATABASE_URL: source };
    assert.equal((await run(['camera', 'add', '--data-dir', data, '--name', 'Dock', '--url', 'rtsp://127.0.0.1:9/dock'], { env })).code, 0);
    assert.equal((await run(['audit', 'checkpoint', '--data-dir', data], { env })).code, 0);
    // Without the client tools: one line that says what to do, nothing written.
    const noTools = await custos(['backup', join(root.path, 'no-tools'), '--data-dir', data], { env: { ...env, PATH: '/nonexistent' } });
    assert.equal(noTools.code, 2);
    assert.match(noTools.stderr, /^custos backup: the database is PostgreSQL and pg_dump is not installed \(apt install postgresql-client\)[^\n]*\n$/);
    await assert.rejects(stat(join(root.path, 'no-tools')));
    const backup = join(root.path, 'backup');
    const taken = await run(['backup', backup, '--data-dir', data, '--include-key', '--key-passphrase-stdin'], { input: passphrase, env });
    assert.equal(taken.code, 0, taken.stderr);
    const manifest = parseManifest(await readFile(join(backup, 'manifest.json'), 'utf8'));
    assert.equal(manifest.engine, 'postgres');
    assert.deepEqual(Object.keys(manifest.files).sort(), ['last-checkpoint', 'master-key.sealed', 'postgres.dump']);
    assert.equal((await readFile(join(backup, 'postgres.dump'))).subarray(0, 5).toString(), 'PGDMP', 'pg_dump custom format');

    const restored = join(root.path, 'restored');
    const busy = await run(['restore', backup, '--data-dir', restored, '--no-published-checkpoint', '--key-passphrase-stdin'], { input: passphrase, env });
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /the target PostgreSQL database is not empty/);
    const r = await run(['restore', backup, '--data-dir', join(root.path, 'restored2'), '--no-published-checkpoint', '--key-passphrase-stdin'], { input: passphrase, env: { CUSTOS_DATABASE_URL: fresh } });
    assert.equal(r.code, 0, r.stderr);
    const freshEnv = { env: { CUSTOS_DATABASE_URL: fresh } };
    assert.match((await run(['camera', 'list', '--data-dir', join(root.path, 'restored2')], freshEnv)).stdout, /Dock/);
    const verify = await run(['audit', 'verify', '--data-dir', join(root.path, 'restored2')], freshEnv);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /ledger intact/);
  });
});
