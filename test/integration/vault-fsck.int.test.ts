/**
 * `custos vault fsck` checks objects ↔ index ↔ ledger both ways, on real recordings: the real
 * command (a child process) after real recording through camsim, then each fault made by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, open, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { openDatabase } from '../../src/db/database.ts';
import { RECORD_OVERHEAD } from '../../src/vault/chunk-cipher.ts';
import type { FsckReport } from '../../src/vault/vault-fsck.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/custos.js');

async function fsck(dataDir: string): Promise<{ code: number; report: FsckReport; text: string }> {
  const args = [cli, 'vault', 'fsck', '--data-dir', dataDir];
  const env = { PATH: process.env.PATH ?? '' };
  const json = await run(process.execPath, [...args, '--json'], { env }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  const text = await run(process.execPath, args, { env }).then(
    (r) => r.stdout,
    (e: { stdout: string }) => e.stdout,
  );
  return { code: json.code, report: JSON.parse(json.stdout) as FsckReport, text };
}

test('vault fsck reports deleted, unindexed, vanished and index-revealed damaged objects, and empty leftovers as empty, not corrupt', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('fsck-cross');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const app = await startTestApp(dir.path, { 'recording.segmentSeconds': 2 });
  try {
    const camera = await app.cameras.add({ name: 'Yard', url: sim.urls[0]! }, testActor);
    await waitFor('five closed segments', 40_000, async () => (await app.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER)).filter((s) => s.state === 'closed').length >= 5);
    await app.cameras.update(camera.id, { enabled: false }, testActor);
    await app.recorder.reconcile();
  } finally {
    await app.close();
  }
  const clean = await fsck(dir.path);
  assert.equal(clean.code, 0, clean.text);

  const { db } = await openDatabase({ url: null, dataDir: dir.path });
  defer(() => db.destroy());
  const rows = await db.selectFrom('segments').selectAll().orderBy('start_ms').execute();
  const [recovered, deleted, unindexed, vanished] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
  const pathOf = (key: string) => join(dir.path, 'segments', key);

  // A leftover of a create that failed on a full disk: an empty file.
  const emptyKey = `${recovered.camera_id}/2026-01-01/1767225600000-00000000-0000-4000-8000-000000000001.mp4`;
  await mkdir(dirname(pathOf(emptyKey)), { recursive: true });
  await writeFile(pathOf(emptyKey), '');
  // A recovered segment (no final chunk, as recovery leaves it) is a clean tear…
  await truncate(pathOf(recovered.object_key), (await stat(pathOf(recovered.object_key))).size - RECORD_OVERHEAD);
  await db.updateTable('segments').set({ state: 'recovered' }).where('id', '=', recovered.id).execute();
  const torn = await fsck(dir.path);
  assert.equal(torn.code, 0, torn.text);
  assert.deepEqual(torn.report.empty, [{ key: emptyKey }]);
  assert.deepEqual(torn.report.corrupt, []);
  assert.match(torn.text, /^empty: .*left by a failed create/m);
  assert.equal(torn.report.torn.find((x) => x.key === recovered.object_key)?.wholeChunks, 1 + (JSON.parse(recovered.fragments) as unknown[]).length);

  // …until its last chunk is damaged: the walk alone reads that as a shorter tear.
  const fh = await open(pathOf(recovered.object_key), 'r+');
  const { size } = await fh.stat();
  await fh.write(Buffer.from([0x5a]), 0, 1, size - 20);
  await fh.close();
  await rm(pathOf(deleted.object_key));
  await db.deleteFrom('segments').where('id', '=', unindexed.id).execute();
  await db.deleteFrom('segments').where('id', '=', vanished.id).execute();
  await rm(pathOf(vanished.object_key));

  const bad = await fsck(dir.path);
  assert.equal(bad.code, 1, bad.text);
  assert.ok(bad.report.corrupt.some((c) => c.key === recovered.object_key), `the damaged last chunk is CORRUPT:\n${bad.text}`);
  assert.deepEqual(bad.report.cross?.missing, [{ key: deleted.object_key, segmentId: deleted.id }]);
  assert.deepEqual(bad.report.cross?.unindexed, [{ key: unindexed.object_key }]);
  assert.deepEqual(bad.report.cross?.vanished.map((v) => v.segmentId), [vanished.id]);
  assert.match(bad.text, /^CORRUPT: /m);
  assert.match(bad.text, /^MISSING: /m);
  assert.match(bad.text, /^UNINDEXED: /m);
  assert.match(bad.text, /^VANISHED: segment /m);
});
