/**
 * Key custody from the command line on a real recording: `custos keys rotate` re-wraps every
 * data key under a new master-key version and retires the old one while every recording still
 * plays; `custos vault fsck` passes, then names the object and chunk of an injected corruption.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { decodeErrors } from '../helpers/media-probe.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/custos.js');

async function custos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

test('keys rotate re-wraps every data key and retires the old master key; fsck finds an injected corruption', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('keys-cli');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 2 });
  defer(() => sim.close());
  const app = await startTestApp(dir.path, { 'recording.segmentSeconds': 3 });
  defer(() => app.close());
  const ids: string[] = [];
  for (const [i, url] of sim.urls.entries()) ids.push((await app.cameras.add({ name: `Cam ${i + 1}`, url, password: `pw-${i}` }, testActor)).id);
  await waitFor('recording', 20_000, async () => (await app.cameras.list()).every((c) => app.recorder.status(c).state === 'recording'));
  await delay(6_000);
  await app.close();

  const status = await custos('keys', 'status', '--data-dir', dir.path);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /provider: file\ncurrent KEK version: 1\n/);
  const keyFileBefore = await readFile(join(dir.path, 'keys', 'master.key'), 'utf8');

  const rotated = await custos('keys', 'rotate', '--data-dir', dir.path);
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.match(rotated.stdout, /KEK rotated from version 1 to 2; (\d+) data keys re-wrapped; old versions retired\./);
  assert.match(rotated.stderr, /re-wrapping data keys: 100%/, 'progress is shown');
  const keyFileAfter = JSON.parse(await readFile(join(dir.path, 'keys', 'master.key'), 'utf8')) as { current: number; keys: Record<string, string> };
  assert.equal(keyFileAfter.current, 2);
  assert.deepEqual(Object.keys(keyFileAfter.keys), ['2'], 'version 1 is retired: gone from the key file');
  assert.notEqual(JSON.stringify(keyFileAfter), keyFileBefore);

  const clean = await custos('vault', 'fsck', '--data-dir', dir.path);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /0 corrupt, 0 not verifiable/);

  // Everything still plays and the sealed credentials still open, under the new master key.
  const again = await startTestApp(dir.path);
  defer(() => again.close());
  let corruptKey: string | undefined;
  try {
    for (const id of ids) await again.cameras.update(id, { enabled: false }, testActor);
    await again.recorder.reconcile();
    assert.deepEqual((await again.cameras.list()).map((c) => c.password).sort(), ['pw-0', 'pw-1']);
    const segments = (await Promise.all(ids.map((id) => again.playback.segments(id, 0, Number.MAX_SAFE_INTEGER)))).flat();
    assert.ok(segments.length >= 4);
    for (const s of segments) assert.equal(await decodeErrors(await again.store.read(s.objectKey, 0, s.bytes)), '', s.objectKey);
    corruptKey = segments[0]!.objectKey;
  } finally {
    await again.close();
  }

  // Flip one byte in the middle of the object: fsck names it and its chunk, and fails.
  assert.ok(corruptKey !== undefined);
  const path = join(dir.path, 'segments', corruptKey);
  const file = await open(path, 'r+');
  const { size } = await file.stat();
  const at = Math.floor(size / 2);
  const byte = Buffer.alloc(1);
  await file.read(byte, 0, 1, at);
  byte[0]! ^= 0x01;
  await file.write(byte, 0, 1, at);
  await file.close();
  const broken = await custos('vault', 'fsck', '--data-dir', dir.path);
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, new RegExp(`CORRUPT: ${corruptKey.replace(/[.]/g, '\\.')} chunk \\d+: `));
  assert.match(broken.stdout, /1 corrupt/);
});
