/**
 * A full disk (issue 12, item 5): the data directory is a small tmpfs the test mounts (we run as
 * root) and fills while a real `custos serve` records. `/healthz` MUST say so, the API MUST NOT
 * answer 500, the interruption, its gap reason and the alarm MUST be written once space returns,
 * and `serve` / `audit verify` on a full disk MUST name the real error, not "cannot rollback".
 * Afterwards `vault fsck` is clean: the write that hit ENOSPC left the last whole fragment
 * readable. The free-space watermark is off here (0): this is the ENOSPC path;
 * disk-watermark.int.test.ts tests the disk-full policy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, open, rm, rmdir } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/db/database.ts';
import { isAppError } from '../../src/lib/errors.ts';
import { freePort, startTestCamsim, waitFor } from '../helpers/harness.ts';
import { teardown } from '../helpers/teardown.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/custos.js');

/** GET over HTTPS (self-signed), with an optional bearer token. */
function get(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 20_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer`)));
    req.on('error', reject);
    req.end();
  });
}

/** Writes zeros into `path` until the disk refuses (ENOSPC). */
async function fill(path: string): Promise<void> {
  const file = await open(path, 'a');
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (;;) await file.write(chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    await file.close().catch(() => undefined);
  }
}

test('a full disk under a recording server: /healthz says so, the camera list still reads, the interruption, its gap and the alarm are written once space returns, and serve and audit verify name the full disk', async (t) => {
  const defer = teardown(t);
  const dir = await mkdtemp(join(tmpdir(), 'custos-diskfull-'));
  defer(() => rmdir(dir));
  await run('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', dir]);
  defer(() => run('umount', ['-l', dir]));
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  await run(process.execPath, [cli, 'camera', 'add', '--data-dir', dir, '--name', 'Cam', '--url', sim.urls[0]!]);
  const userAdd = spawn(process.execPath, [cli, 'user', 'add', 'operator', '--role', 'admin', '--data-dir', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
  userAdd.stdin.end('Pw#48213975560031848213\n');
  await new Promise((done) => userAdd.once('exit', done));
  const { stdout: token } = await run(process.execPath, [cli, 'token', 'create', '--user', 'operator', '--name', 'ops', '--permission', 'camera.read', '--data-dir', dir]);

  const port = await freePort();
  const env = { ...process.env, CUSTOS_SERVER_PORT: String(port), CUSTOS_RECORDING_SEGMENT_SECONDS: '3', CUSTOS_RECORDING_RETRY_MAX_SECONDS: '2', CUSTOS_LOG_LEVEL: 'warn', CUSTOS_RECORDING_MIN_FREE_BYTES: '0' };
  const child = spawn(process.execPath, [cli, 'serve', '--data-dir', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((done) => child.once('exit', done));
  defer(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let logs = '';
  child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  const base = `https://127.0.0.1:${port}`;
  await waitFor('the server', 30_000, async () => (await get(`${base}/healthz`).catch(() => ({ status: 0 }))).status === 200);
  await waitFor('recording', 30_000, async () => {
    const cameras = JSON.parse((await get(`${base}/api/v1/cameras`, token.trim())).body) as { status: { state: string; fragments: number } }[];
    return cameras[0]?.status.state === 'recording' && cameras[0].status.fragments > 3;
  });

  const filler = join(dir, 'filler');
  await fill(filler);
  const fullAt = Date.now();
  const health = await waitFor('health to report the full disk', 30_000, async () => {
    const res = await get(`${base}/healthz`);
    return res.status === 503 ? (JSON.parse(res.body) as { status: string; problems: string[] }) : null;
  });
  assert.equal(health.status, 'degraded');
  assert.ok(health.problems.some((p) => /full/.test(p)), JSON.stringify(health));
  const cameras = await get(`${base}/api/v1/cameras`, token.trim());
  assert.equal(cameras.status, 200, `the camera list still reads on a full disk: ${cameras.body}`);
  // Long enough for the recorder to fail on the full disk and open a gap.
  await waitFor('the camera to stop recording', 30_000, async () => {
    const res = await get(`${base}/api/v1/cameras`, token.trim());
    if (res.status !== 200) return false;
    return (JSON.parse(res.body) as { status: { state: string } }[])[0]?.status.state !== 'recording';
  });

  await rm(filler);
  const freedAt = Date.now();
  await waitFor('health ok once space returns', 60_000, async () => (await get(`${base}/healthz`)).status === 200);
  child.kill('SIGTERM');
  await exited;
  assert.equal(child.exitCode, 0, stderr);

  const { db } = await openDatabase({ url: null, dataDir: dir });
  try {
    const gaps = await db.selectFrom('gaps').selectAll().execute();
    const gap = gaps.find((g) => g.start_ms >= fullAt - 10_000 && g.start_ms <= freedAt);
    assert.ok(gap, `a gap for the full disk: ${JSON.stringify(gaps)}`);
    assert.match(gap.reason, /ENOSPC|no space|full/i);
    const events = (await db.selectFrom('audit_events').select(['type', 'record']).execute()).map((e) => ({ type: e.type, record: JSON.parse(e.record) as { details?: Record<string, unknown> } }));
    const interrupted = events.find((e) => e.type === 'recording.interrupted');
    assert.ok(interrupted, `recording.interrupted is in the ledger: ${events.map((e) => e.type).join(', ')}`);
    assert.ok(events.some((e) => e.type === 'alarm.raised' && e.record.details?.rule === 'storage-fault'), `the storage-fault alarm is in the ledger: ${logs}`);
    assert.ok(events.some((e) => e.type === 'alarm.raised' && e.record.details?.rule === 'recording-gap'), 'the recording-gap alarm is in the ledger');
  } finally {
    await db.destroy();
  }

  // ENOSPC during a write left every segment readable to its last whole fragment: the vault,
  // the index and the ledger agree (vault fsck authenticates every chunk and cross-checks them).
  const fsck = await run(process.execPath, [cli, 'vault', 'fsck', '--data-dir', dir], { env: { PATH: process.env.PATH ?? '' } }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
  assert.equal(fsck.code, 0, fsck.out);
  assert.doesNotMatch(fsck.out, /CORRUPT|MISSING|VANISHED/);

  // Starting on a full disk: the real error, in one line.
  await fill(filler);
  const verify = await run(process.execPath, [cli, 'audit', 'verify', '--data-dir', dir]).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
  assert.doesNotMatch(verify.out, /cannot rollback/);
  assert.notEqual(verify.code, 0);
  assert.match(verify.out, /disk under the database is full/, verify.out);
  const serve = await run(process.execPath, [cli, 'serve', '--data-dir', dir], { env, timeout: 60_000 }).then(
    () => ({ code: 0, out: '' }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
  assert.notEqual(serve.code, 0);
  assert.doesNotMatch(serve.out, /cannot rollback/);
  assert.match(serve.out, /STORAGE_FULL|disk .*full|SQLITE_FULL/i);
});

test('a transaction that fails on a full disk reports STORAGE_FULL, not SQLite\'s "cannot rollback"', async (t) => {
  const defer = teardown(t);
  const dir = await mkdtemp(join(tmpdir(), 'custos-diskfull-tx-'));
  defer(() => rmdir(dir));
  await run('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir]);
  defer(() => run('umount', ['-l', dir]));
  const { db } = await openDatabase({ url: null, dataDir: dir });
  defer(() => db.destroy());
  await fill(join(dir, 'filler'));
  const reason = 'x'.repeat(1 << 20);
  const failure = await db
    .transaction()
    .execute((trx) => trx.insertInto('gaps').values({ id: 'g1', camera_id: 'c1', start_ms: 1, end_ms: null, reason }).execute())
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.ok(isAppError(failure, 'STORAGE_FULL'), `STORAGE_FULL, got: ${String(failure)}`);
  // Reads still work.
  assert.deepEqual(await db.selectFrom('gaps').select('id').execute(), []);
});
