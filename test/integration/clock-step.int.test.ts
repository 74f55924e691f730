/**
 * Wall-clock steps against a real `custos serve` (libfaketime steps the server's wall clock, its
 * monotonic clock runs on): a step forward past the retention deletes and shreds nothing, the
 * step is alarmed in the ledger, after the step back recording goes on with its keys, and the
 * stall watchdog still finds a camera that froze (SIGSTOP) as the clock went back 2 h.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { clipCacheDir, tempDir, waitFor } from '../helpers/harness.ts';
import { fakeWallClock } from '../helpers/faketime.ts';
import { openDatabase } from '../../src/db/database.ts';
import { teardown } from '../helpers/teardown.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/custos.js');

/** Simulated cameras in their own process, so the test can freeze them (SIGSTOP) with their connections open. */
async function camsimProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [cli, 'camsim', '--cameras', '1', '--port', '0', '--profile', 'small', '--cache-dir', clipCacheDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const url = await waitFor('the camsim URL', 60_000, () => /^(rtsp:\/\/\S+)$/m.exec(out)?.[1]);
  return { url, child };
}

async function counts(dataDir: string): Promise<{ segments: number; destroyedKeys: number; clockSteps: number; interruptions: number }> {
  const { db } = await openDatabase({ url: null, dataDir });
  try {
    const n = async (q: Promise<{ n: number | string | bigint } | undefined>) => Number((await q)?.n ?? 0);
    return {
      segments: await n(db.selectFrom('segments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst()),
      destroyedKeys: await n(db.selectFrom('data_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('destroyed_ms', 'is not', null).executeTakeFirst()),
      clockSteps: await n(db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'clock.stepped').executeTakeFirst()),
      interruptions: await n(db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'recording.interrupted').executeTakeFirst()),
    };
  } finally {
    await db.destroy();
  }
}

test('a wall-clock step forward past the retention shreds nothing and is alarmed; after the step back recording goes on, and a camera freezing as the clock goes back is still found stalled', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('clock-step');
  defer(() => dir.remove());
  const clock = await fakeWallClock(dir.path);
  const sim = await camsimProcess();
  defer(async () => {
    sim.child.kill('SIGCONT');
    sim.child.kill('SIGKILL');
    if (sim.child.exitCode === null && sim.child.signalCode === null) await new Promise((done) => sim.child.once('exit', done));
  });
  await run(process.execPath, [cli, 'camera', 'add', '--data-dir', dir.path, '--name', 'Short memory', '--url', sim.url, '--retention-hours', '1']);
  const confirmSeconds = 20;
  const env = {
    ...process.env,
    ...clock.env,
    CUSTOS_SERVER_PORT: '0',
    CUSTOS_LOG_LEVEL: 'warn',
    CUSTOS_RECORDING_SEGMENT_SECONDS: '3',
    CUSTOS_RECORDING_STALL_SECONDS: '5',
    CUSTOS_RECORDING_RETENTION_CHECK_SECONDS: '1',
    CUSTOS_RECORDING_CLOCK_CONFIRM_SECONDS: String(confirmSeconds),
  };
  const child = spawn(process.execPath, [cli, 'serve', '--data-dir', dir.path], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  defer(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((done) => child.once('exit', done));
    }
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const started = performance.now();
  await waitFor('recorded segments', 40_000, async () => (await counts(dir.path)).segments >= 2);
  // Past the start-up hold: from here retention trusts the clock unless it sees it step.
  const steadyAt = started + (confirmSeconds + 3) * 1000;
  if (performance.now() < steadyAt) await delay(steadyAt - performance.now());
  const before = await counts(dir.path);
  assert.equal(before.destroyedKeys, 0);

  await clock.step(2 * 3600);
  // Retention runs every second; the unfixed server deleted everything and its keys within 5 s.
  await delay(10_000);
  const during = await counts(dir.path);
  assert.equal(during.destroyedKeys, 0, `no data key is shredded on one clock reading (server output: ${output})`);
  assert.ok(during.segments >= before.segments, 'no segment is deleted');
  assert.ok(during.clockSteps >= 1, 'the step is a clock.stepped event in the ledger');

  await clock.step(0);
  await delay(3_000);
  const back = await counts(dir.path);
  await waitFor('recording after the step back', 30_000, async () => (await counts(dir.path)).segments >= back.segments + 2);
  assert.equal((await counts(dir.path)).interruptions, 0, `neither step stopped the camera: ${output}`);

  // The camera freezes with its connection open just as the clock goes back 2 h: the watchdog
  // (5 s) MUST still notice (one measuring on the wall clock would wait 2 h).
  sim.child.kill('SIGSTOP');
  await clock.step(-2 * 3600);
  await waitFor('the stall to be noticed', 30_000, async () => (await counts(dir.path)).interruptions >= 1);
  assert.match(output, /camera sent no frame for 5 s/);
  sim.child.kill('SIGCONT');
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  assert.equal(code, 0, output);

  const after = await counts(dir.path);
  assert.equal(after.destroyedKeys, 0);
  assert.ok(after.clockSteps >= 3, 'every step is alarmed');
  assert.doesNotMatch(output, /was destroyed/);
});
