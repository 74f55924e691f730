/**
 * A four-eyes firmware push through the real server (inject, SQLite, ledger, approvals) to
 * camsim's ONVIF device (a fake camera that takes StartFirmwareUpgrade and an upload: the only
 * kind that runs here). The image is verified and staged on the host with the CLI first; one
 * admin asks, cannot approve their own request, a second approves, and only then do the bytes
 * reach the camera — after the server verified them again.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../../src/lib/clock.ts';
import { signedBytes } from '../../src/onvif/firmware-manifest.ts';
import type { FirmwareManifest } from '../../src/onvif/firmware-manifest.ts';
import { defaultOnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import { startOnvifDevice } from '../../tools/camsim/onvif-device.ts';
import { testPrincipal } from '../helpers/access.ts';
import { custos } from '../helpers/custos-cli.ts';
import { startTestApp, tempDir } from '../helpers/harness.ts';
import { codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

test('a staged, vetted image is pushed to a camera only after a second person approves', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('firmware-push');
  defer(() => dir.remove());
  const d = (...a: string[]): string[] => [...a, '--data-dir', dir.path];

  // On the host: trust the vendor key, import the signed release, stage the image.
  const vendorKey = generateKeyPairSync('ed25519');
  const image = Buffer.from('AO-200 firmware 2.5.0 '.repeat(50_000));
  const sha256 = createHash('sha256').update(image).digest('hex');
  const manifest: FirmwareManifest = { vendor: 'Acme Optics', modelPattern: 'AO-*', version: '2.5.0', sha256 };
  const files = await tempDir('firmware-push-files');
  defer(() => files.remove());
  await writeFile(join(files.path, 'acme.pem'), vendorKey.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  await writeFile(join(files.path, 'release.json'), JSON.stringify({ manifest, keyId: 'acme-1', algorithm: 'ed25519', signature: sign(null, signedBytes(manifest), vendorKey.privateKey).toString('base64') }));
  await writeFile(join(files.path, 'image.bin'), image);
  await writeFile(join(files.path, 'other.bin'), Buffer.from('not a vetted image'));
  assert.equal((await custos(d('firmware', 'trust-key', '--key-id', 'acme-1', '--vendor', 'Acme Optics', '--public-key-file', join(files.path, 'acme.pem')))).code, 0);
  assert.equal((await custos(d('firmware', 'import', join(files.path, 'release.json')))).code, 0);
  const unvetted = await custos(d('firmware', 'stage', join(files.path, 'other.bin')));
  assert.equal(unvetted.code, 1, 'an image that is not a vetted release is not staged');
  const staged = await custos(d('firmware', 'stage', join(files.path, 'image.bin')));
  assert.equal(staged.code, 0, staged.stderr);
  assert.equal(staged.stdout, `staged: ${sha256}\n`);

  // The camera reports a vetted release (Acme has releases now, so other versions are quarantined:
  // firmware is not pushed to a quarantined camera).
  const app = await startTestApp(dir.path);
  defer(() => app.close());
  const first = await testPrincipal(app, { roles: ['admin'] });
  const second = await testPrincipal(app, { roles: ['admin'] });
  const device = await startOnvifDevice({ identity: { ...defaultOnvifIdentity, manufacturer: 'Acme Optics', model: 'AO-200', firmwareVersion: '2.5.0', mac: '02:00:5e:00:fe:01' }, rtspUrl: 'rtsp://127.0.0.1:1/fw', username: 'fw-admin', password: 'fw-pass-42', clock: systemClock });
  defer(() => device.close());
  const add = await first.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'fw-cam', url: 'rtsp://127.0.0.1:1/fw', username: 'fw-admin', password: 'fw-pass-42', enabled: false } });
  const id = add.json<{ id: string }>().id;
  const url = `/api/v1/cameras/${id}/firmware`;
  assert.equal(codeOf(await first.inject({ method: 'POST', url, payload: { sha256 } })), 'NOT_FOUND', 'not identified yet');
  assert.equal((await first.inject({ method: 'POST', url: `/api/v1/cameras/${id}/identify`, payload: { xaddr: device.xaddr } })).statusCode, 200);
  assert.equal(codeOf(await first.inject({ method: 'POST', url, payload: { sha256: 'ab'.repeat(32) } })), 'NOT_FOUND', 'not staged');

  const asked = await first.inject({ method: 'POST', url, payload: { sha256 } });
  assert.equal(codeOf(asked), 'APPROVAL_REQUIRED');
  const approvalId = asked.json<{ approvalId: string }>().approvalId;
  assert.equal(codeOf(await first.inject({ method: 'POST', url: `/api/v1/approvals/${approvalId}/decision`, payload: { approve: true } })), 'SELF_APPROVAL');
  assert.deepEqual(device.firmwareUploads, [], 'nothing is sent before the approval');
  const approved = await second.inject({ method: 'POST', url: `/api/v1/approvals/${approvalId}/decision`, payload: { approve: true } });
  assert.equal(approved.statusCode, 200, approved.body);
  assert.deepEqual(device.firmwareUploads, [{ sha256, bytes: image.length }]);

  await app.ledger.drain();
  const auditor = await testPrincipal(app, { roles: ['auditor'] });
  const pushed = (await auditor.inject({ method: 'GET', url: '/api/v1/audit/events?type=firmware.image.pushed&limit=10' })).json<{ events: { record: { outcome: string; camera_id: string; details: { version: string } } }[] }>().events.map((e) => e.record);
  assert.deepEqual(pushed.map((r) => [r.outcome, r.camera_id, r.details.version]), [['success', id, '2.5.0']]);
});
