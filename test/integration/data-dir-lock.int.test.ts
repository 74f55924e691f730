/**
 * One Custos process per data directory, and what a restart finishes for the one before: a
 * second `custos serve` and `custos keys rotate` refuse while a server holds the directory, a
 * start that fails (port in use) exits instead of hanging, and the next start closes what a
 * crash left open (downtime gaps, export and rotation intents, key-file temp files).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';
import { openDatabase } from '../../src/db/database.ts';
import { loadConfig } from '../../src/config/load.ts';
import { openCore } from '../../src/core.ts';
import { cliAuditContext } from '../../src/cli/cli-actor.ts';
import { serverDownReason } from '../../src/recording/downtime-gaps.ts';

const cli = join(import.meta.dirname, '../../bin/custos.js');

/** Runs the CLI to its end (or kills it after `timeoutMs`): exit code and output. */
async function custos(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, CUSTOS_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A server recording one camsim camera on a fresh data directory; `close` is deferred. */
async function recordingServer(t: Parameters<typeof teardown>[0], prefix: string) {
  const defer = teardown(t);
  const dir = await tempDir(prefix);
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const app = await startTestApp(dir.path, { 'recording.segmentSeconds': 3 });
  let closed = false;
  defer(() => (closed ? undefined : app.close()));
  const camera = await app.cameras.add({ name: 'Held', url: sim.urls[0]! }, testActor);
  await waitFor('recording', 20_000, () => app.recorder.status(camera).state === 'recording');
  const close = async () => {
    closed = true;
    await app.close();
  };
  return { dir: dir.path, app, camera, close };
}

test('a second server on a data directory a server holds refuses at once, naming the holder, and the first records on untouched', async (t) => {
  const { dir, app, camera, close } = await recordingServer(t, 'lock-serve');
  const second = await custos(['serve', '--data-dir', dir, '--port', '0']);
  assert.equal(second.code, 1, second.stderr);
  assert.match(second.stderr, /custos serve: data directory .* is in use by another Custos process \(custos serve, pid \d+ on .*\); stop it first/);
  assert.equal(app.recorder.status(camera).state, 'recording', 'the running server records on');
  await close();
  const segments = await openDatabase({ url: null, dataDir: dir });
  const recovered = await segments.db.selectFrom('segments').select('id').where('state', 'in', ['recovered', 'open']).execute();
  await segments.db.destroy();
  assert.equal(recovered.length, 0, 'no recovery ran against its open segments');
  const again = await startTestApp(dir);
  await again.close();
});

test('keys rotate refuses while a server holds the data directory and leaves the master key untouched; after the server stops it rotates', async (t) => {
  const { dir, close } = await recordingServer(t, 'lock-rotate');
  const keyFile = join(dir, 'keys', 'master.key');
  const keysBefore = await readFile(keyFile, 'utf8');
  const rotate = await custos(['keys', 'rotate', '--data-dir', dir]);
  assert.equal(rotate.code, 1, rotate.stderr);
  assert.match(rotate.stderr, /custos keys: data directory .* is in use by another Custos process \(custos serve/);
  assert.equal(await readFile(keyFile, 'utf8'), keysBefore, 'the master key file is untouched');
  await close();
  const rotated = await custos(['keys', 'rotate', '--data-dir', dir]);
  assert.equal(rotated.code, 0, rotated.stderr);
  const again = await startTestApp(dir);
  await again.close();
});

test('a start that fails because the port is in use exits non-zero and releases the data directory', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('port-in-use');
  defer(() => dir.remove());
  const blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  defer(() => new Promise((done) => blocker.close(done)));
  const port = (blocker.address() as { port: number }).port;

  const started = performance.now();
  const result = await custos(['serve', '--data-dir', dir.path, '--port', String(port)], 60_000);
  assert.equal(result.code, 1, `exit code (null: still running after 60 s, killed): ${result.stderr}`);
  assert.match(result.stderr, /EADDRINUSE/);
  assert.ok(performance.now() - started < 55_000);
  const app = await startTestApp(dir.path);
  await app.close();
});

test('the next start records the downtime as a "server not running" gap and ends interrupted export and rotation intents', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('restart');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const first = await startTestApp(dir.path, { 'recording.segmentSeconds': 2 });
  const camera = await first.cameras.add({ name: 'Down', url: sim.urls[0]! }, testActor);
  await waitFor('a closed segment', 30_000, async () => (await first.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER)).some((s) => s.state === 'closed'));
  await first.close();
  const stoppedAt = Date.now();

  // What a crash leaves: an export job that never finished, a rotation that never recorded its outcome.
  const exportId = randomUUID();
  const { db } = await openDatabase({ url: null, dataDir: dir.path });
  await db
    .insertInto('exports')
    .values({ id: exportId, camera_id: camera.id, from_ms: 0, to_ms: 1, state: 'running', bytes: null, error: null, created_ms: Date.now(), finished_ms: null, custody: null, evidence: null })
    .execute();
  await db.destroy();
  const config = await loadConfig({ file: null, env: {}, overrides: { dataDir: dir.path } });
  const keys = await openCore(config);
  await (await keys.ledger()).record({ type: 'key.rotated', ...cliAuditContext(), target: { kind: 'master-key', id: 'file' }, outcome: 'success', reason: 'rotation started', details: { fromVersion: 1 } });
  await keys.close();
  // Longer than the timeline's span-joining tolerance (2 s), so the downtime is a visible hole.
  await delay(4_000);

  const second = await startTestApp(dir.path, { 'recording.segmentSeconds': 2 });
  defer(() => second.close());
  const gaps = await second.playback.timeline(camera.id, stoppedAt - 60_000, Date.now() + 1_000);
  const down = gaps.gaps.filter((g) => g.reason === serverDownReason);
  assert.equal(down.length, 1, JSON.stringify(gaps.gaps));
  // The gap starts where the last segment ends. Inside a segment, times follow the stream's decode
  // timestamps from its wall-clock anchor, so on a loaded machine (a camera catching up after a
  // stall) that end can run a little past the wall-clock moment of the stop: allow the
  // timeline's own joining tolerance (2 s).
  assert.ok(down[0]!.startMs <= stoppedAt + 2_000 && down[0]!.endMs >= stoppedAt + 4_000, `the gap spans the downtime: ${JSON.stringify(down[0])}, stopped at ${stoppedAt}`);

  await second.ledger.drain();
  const { db: check } = await openDatabase({ url: null, dataDir: dir.path });
  const records = async (type: string) =>
    (await check.selectFrom('audit_events').select('record').where('type', '=', type).orderBy('seq').execute()).map((r) => JSON.parse(r.record) as { outcome: string; reason?: string; details?: Record<string, unknown>; target?: { id: string } });
  const rotations = await records('key.rotated');
  const completions = await records('footage.export.completed');
  await check.destroy();
  assert.equal(rotations.length, 2);
  assert.equal(rotations[1]!.outcome, 'failure');
  assert.match(rotations[1]!.reason ?? '', /^interrupted/);
  assert.equal(rotations[1]!.details?.interrupted, true);
  const ended = completions.filter((c) => c.target?.id === exportId);
  assert.equal(ended.length, 1);
  assert.equal(ended[0]!.outcome, 'failure');
  assert.equal(ended[0]!.details?.interrupted, true);
});

test('the start removes temp files a killed key-file write left behind', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('key-leftovers');
  defer(() => dir.remove());
  const first = await startTestApp(dir.path);
  await first.close();
  const keysDir = join(dir.path, 'keys');
  // What writeFileAtomic leaves when killed between its temp file and the rename: the old ring.
  const leftover = join(keysDir, '.master.key.0123456789ab.tmp');
  await writeFile(leftover, await readFile(join(keysDir, 'master.key')), { mode: 0o600 });
  const unrelated = join(keysDir, 'notes.txt');
  await writeFile(unrelated, 'kept');
  const second = await startTestApp(dir.path);
  defer(() => second.close());
  await assert.rejects(access(leftover), 'the leftover is gone');
  await access(unrelated);
  assert.deepEqual((await readdir(keysDir)).sort(), ['master.key', 'notes.txt']);
});
