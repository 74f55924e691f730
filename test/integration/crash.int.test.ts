/**
 * `kill -9` the server while it records, then start it again: recovery cuts torn segments back
 * to their last whole fragment, the index and the files agree, and every segment decodes.
 * The server runs as a real child process (`custos serve`), so the kill is a real SIGKILL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { decodeErrors, probeErrors } from '../helpers/media-probe.ts';
import { openDatabase } from '../../src/db/database.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/custos.js');

async function files(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.push(relative(root, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

test('after kill -9 while recording, a restart recovers torn segments and index and files agree', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('crash');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 2 });
  defer(() => sim.close());
  for (const [i, url] of sim.urls.entries()) {
    await run(process.execPath, [cli, 'camera', 'add', '--data-dir', dir.path, '--name', `Cam ${i + 1}`, '--url', url]);
  }
  const env = { ...process.env, CUSTOS_SERVER_PORT: '0', CUSTOS_RECORDING_SEGMENT_SECONDS: '4', CUSTOS_LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, [cli, 'serve', '--data-dir', dir.path], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  defer(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const segments = join(dir.path, 'segments');
  // Wait until both cameras have closed at least one segment and are well into the next.
  await waitFor('segments from both cameras', 30_000, async () => {
    try {
      const all = await files(segments);
      return new Set(all.map((f) => f.split('/')[0])).size === 2 && all.length >= 4;
    } catch {
      return false;
    }
  });
  await delay(2_500);
  child.kill('SIGKILL');
  await new Promise((done) => child.once('exit', done));
  // The child's ffmpeg processes lose their pipe and exit by themselves.

  const { db } = await openDatabase({ url: null, dataDir: dir.path });
  const openRows = await db.selectFrom('segments').select('id').where('state', '=', 'open').execute();
  await db.destroy();
  assert.ok(openRows.length >= 1, `the kill left open segments (stderr: ${stderr})`);

  const app = await startTestApp(dir.path, { 'recording.segmentSeconds': 4 });
  defer(() => app.close());
  assert.equal(app.recovery.recovered + app.recovery.removedEmpty + app.recovery.quarantinedOpen, openRows.length);
  assert.equal(app.recovery.removedOrphans + app.recovery.quarantined + app.recovery.reindexed, 0, 'a crash leaves no object without its row');
  // Stop recording at once: we check what the crash left, not new recordings.
  const cameras = await app.cameras.list();
  for (const camera of cameras) await app.cameras.update(camera.id, { enabled: false }, testActor);
  await app.recorder.reconcile();

  const rows = (await Promise.all(cameras.map((c) => app.playback.segments(c.id, 0, Number.MAX_SAFE_INTEGER)))).flat();
  assert.equal(rows.filter((r) => r.state === 'open').length, 0);
  const stored: string[] = [];
  for await (const key of app.store.list()) stored.push(key);
  assert.deepEqual(rows.map((r) => r.objectKey).sort(), stored.sort(), 'every index row has its object and every object its row');
  for (const row of rows) {
    // Read one byte past the indexed end: the object must hold exactly what the index says.
    await assert.rejects(app.store.read(row.objectKey, row.bytes, 1), `${row.objectKey} is longer than indexed`);
    const plain = await app.store.read(row.objectKey, 0, row.bytes);
    assert.equal(await probeErrors(plain), '', row.objectKey);
    assert.equal(await decodeErrors(plain), '', row.objectKey);
  }
  assert.ok(rows.some((r) => r.state === 'recovered'), 'at least one segment was recovered');
  // Each loss the crash caused is on the ledger: a torn fragment cut, an empty segment removed.
  const losses = await waitFor('the losses in the ledger', 15_000, async () => {
    const { db: ledgerDb } = await openDatabase({ url: null, dataDir: dir.path });
    const found = await ledgerDb.selectFrom('audit_events').select('type').where('type', 'in', ['footage.damaged', 'footage.deleted']).where('actor_id', '=', 'system:recovery').execute();
    await ledgerDb.destroy();
    return found.length > 0 || (app.recovery.truncatedBytes === 0 && app.recovery.removedEmpty === 0) ? found : null;
  });
  if (app.recovery.truncatedBytes > 0) assert.ok(losses.some((l) => l.type === 'footage.damaged'), 'a torn segment is footage.damaged');
  if (app.recovery.removedEmpty > 0) assert.ok(losses.some((l) => l.type === 'footage.deleted'), 'a removed segment is footage.deleted');
});
