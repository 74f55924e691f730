/**
 * Recording with the master key only in an HSM (real SoftHSM2 through PKCS#11): record, stop,
 * start again and play back; a wrong PIN or a missing token stops start-up with one clear line
 * and touches nothing already stored. Real camsim, ffmpeg, SQLite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createSoftHsm } from '../helpers/softhsm.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { decodeErrors } from '../helpers/media-probe.ts';
import { isAppError } from '../../src/lib/errors.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(join(entry.parentPath, entry.name), (await readFile(join(entry.parentPath, entry.name))).toString('base64'));
  }
  return files;
}

test('with the master key in SoftHSM2, recordings survive a restart, and a wrong PIN or missing token stops start-up without touching them', async (t) => {
  const defer = teardown(t);
  const hsm = await createSoftHsm();
  defer(() => hsm.cleanup());
  const dir = await tempDir('hsm');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const keys = (pin: string, tokenLabel = hsm.tokenLabel) => ({
    'keys.provider': 'pkcs11',
    'keys.pkcs11.module': hsm.module,
    'keys.pkcs11.tokenLabel': tokenLabel,
    'keys.pkcs11.pin': pin,
    'recording.segmentSeconds': 3,
  });

  const first = await startTestApp(dir.path, keys(hsm.pin));
  defer(() => first.close());
  const camera = await first.cameras.add({ name: 'HSM', url: sim.urls[0]!, password: 'camera-secret' }, testActor);
  await waitFor('recording', 20_000, () => first.recorder.status(camera).state === 'recording');
  await delay(7_000);
  await first.close();
  // No master key material in the data directory: the file provider's key file does not exist.
  await assert.rejects(readFile(join(dir.path, 'keys', 'master.key')));

  const before = await snapshot(dir.path);
  await assert.rejects(startTestApp(dir.path, keys('000000')), (e) => isAppError(e, 'KEY_UNAVAILABLE') && /PIN/i.test(e.message) && !e.message.includes('\n'));
  await assert.rejects(startTestApp(dir.path, keys(hsm.pin, 'no-such-token')), (e) => isAppError(e, 'KEY_UNAVAILABLE') && e.message.includes('no-such-token'));
  const after = await snapshot(dir.path);
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort(), 'no file was added or removed');
  for (const [path, bytes] of before) {
    // SQLite may rewrite its WAL/shm bookkeeping on open; every other file is byte-identical.
    if (/custos\.db/.test(path)) continue;
    assert.equal(after.get(path), bytes, `${path} changed`);
  }

  const second = await startTestApp(dir.path, { ...keys(hsm.pin) });
  defer(() => second.close());
  await second.cameras.update(camera.id, { enabled: false }, testActor);
  await second.recorder.reconcile();
  assert.equal((await second.cameras.get(camera.id)).password, 'camera-secret', 'the sealed credential opens with the HSM key');
  const segments = await second.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER);
  assert.ok(segments.length >= 2, `segments: ${segments.length}`);
  for (const s of segments) assert.equal(await decodeErrors(await second.store.read(s.objectKey, 0, s.bytes)), '', s.objectKey);
});
