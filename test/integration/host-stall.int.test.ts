/**
 * A host stall is not a camera stall (issue 12, item 12): the whole `custos serve` process is
 * stopped (SIGSTOP) for longer than `recording.stallSeconds` and continued. The camera kept
 * sending meanwhile, so no interruption may be blamed on it ("camera sent no frame", "no data").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { openDatabase } from '../../src/db/database.ts';
import { startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { teardown } from '../helpers/teardown.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/custos.js');

for (const ingest of ['native', 'ffmpeg'] as const) {
  test(`a server stopped for 8 s (SIGSTOP) does not blame the camera for the stall (${ingest} ingest)`, async (t) => {
    const defer = teardown(t);
    const dir = await tempDir(`host-stall-${ingest}`);
    defer(() => dir.remove());
    const sim = await startTestCamsim({ cameras: 1 });
    defer(() => sim.close());
    await run(process.execPath, [cli, 'camera', 'add', '--data-dir', dir.path, '--name', 'Cam', '--url', sim.urls[0]!, '--ingest', ingest]);
    const env = { ...process.env, CUSTOS_SERVER_PORT: '0', CUSTOS_RECORDING_SEGMENT_SECONDS: '3', CUSTOS_RECORDING_STALL_SECONDS: '3', CUSTOS_LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, [cli, 'serve', '--data-dir', dir.path], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((done) => child.once('exit', done));
    defer(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    let logs = '';
    child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
    child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
    await waitFor('segments', 30_000, async () => {
      try {
        return (await readdir(join(dir.path, 'segments'), { recursive: true })).filter((f) => f.endsWith('.mp4')).length >= 2;
      } catch {
        return false;
      }
    });

    child.kill('SIGSTOP');
    await delay(8_000);
    child.kill('SIGCONT');
    await delay(8_000);
    child.kill('SIGTERM');
    await exited;

    const { db } = await openDatabase({ url: null, dataDir: dir.path });
    try {
      const reasons = (await db.selectFrom('gaps').select('reason').execute()).map((g) => g.reason);
      assert.deepEqual(
        reasons.filter((r) => /no frame|no data/.test(r)),
        [],
        `the stall was blamed on the camera: ${JSON.stringify(reasons)}\n${logs}`,
      );
    } finally {
      await db.destroy();
    }
  });
}
