/**
 * Pushing firmware to a camera, verification first (AST-3): the real firmware service over a
 * real SQLite database and audit ledger, against camsim's ONVIF device (a fake camera that takes
 * StartFirmwareUpgrade and an upload: the only kind that runs here). An image that is not a
 * vetted release, or a release for another vendor, never reaches the camera; a verified one is
 * uploaded byte for byte; both are in the ledger.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import { createTestLedger, testActor } from '../../test/helpers/audit.ts';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { defaultOnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import { startOnvifDevice } from '../../tools/camsim/onvif-device.ts';
import { systemClock } from '../lib/clock.ts';
import { isAppError } from '../lib/errors.ts';
import { signedBytes } from './firmware-manifest.ts';
import type { FirmwareManifest } from './firmware-manifest.ts';
import { FirmwareService } from './firmware.service.ts';
import { createFirmwareStore } from './firmware.store.ts';
import { startFirmwareUpgrade, uploadFirmware } from './firmware-upgrade.ts';
import { createOnvifClient } from './onvif-client.ts';

test('firmware is pushed over ONVIF only after it verified as a vetted release for that camera', async (t) => {
  const defer = teardown(t);
  const database = await createTestDatabase('sqlite');
  defer(() => database.close());
  const keys = await createTestDataKeys(database.db);
  defer(() => keys.close());
  const ledger = await createTestLedger(database.db, keys.dataKeys);
  defer(() => ledger.close());
  const firmware = new FirmwareService(createFirmwareStore(database.db), systemClock, ledger.ledger);

  const device = await startOnvifDevice({ identity: { ...defaultOnvifIdentity, manufacturer: 'Acme Optics', model: 'AO-200' }, rtspUrl: 'rtsp://127.0.0.1:1/fw', username: 'admin', password: 'fw-pass', clock: systemClock });
  defer(() => device.close());
  const onvif = createOnvifClient({ xaddr: device.xaddr, username: 'admin', password: 'fw-pass', clock: systemClock });
  await onvif.systemDateAndTime();
  const push = async (image: Uint8Array) => uploadFirmware(await startFirmwareUpgrade(onvif, device.xaddr), image);

  const vendorKey = generateKeyPairSync('ed25519');
  await firmware.trustKey({ keyId: 'acme-1', vendor: 'Acme Optics', publicKeyPem: vendorKey.publicKey.export({ type: 'spki', format: 'pem' }).toString() }, testActor);
  const genuine = Buffer.from('AO-200 firmware 2.4.2 '.repeat(20_000));
  const tampered = Buffer.from(genuine);
  tampered[1234] = (tampered[1234] ?? 0) ^ 0x01;
  const manifest: FirmwareManifest = { vendor: 'Acme Optics', modelPattern: 'AO-*', version: '2.4.2', sha256: createHash('sha256').update(genuine).digest('hex') };
  await firmware.importManifest({ manifest, keyId: 'acme-1', algorithm: 'ed25519', signature: sign(null, signedBytes(manifest), vendorKey.privateKey).toString('base64') }, testActor);

  const refusedWith = async (p: Promise<unknown>, pattern: RegExp) => {
    await assert.rejects(p, (e: unknown) => isAppError(e, 'FIRMWARE_REFUSED') && pattern.test(e.message));
  };
  await refusedWith(firmware.pushVerified(tampered, { id: 'cam-1', vendor: 'Acme Optics', model: 'AO-200' }, testActor, push), /no vetted release has the image's SHA-256/);
  await refusedWith(firmware.pushVerified(genuine, { id: 'cam-2', vendor: 'Other Corp', model: 'AO-200' }, testActor, push), /the release is for Acme Optics AO-\*, the camera is Other Corp AO-200/);
  await refusedWith(firmware.pushVerified(genuine, { id: 'cam-3', vendor: 'Acme Optics', model: 'XB-9' }, testActor, push), /the camera is Acme Optics XB-9/);
  assert.deepEqual(device.firmwareUploads, [], 'nothing reached the camera');

  const pushed = await firmware.pushVerified(genuine, { id: 'cam-1', vendor: 'Acme Optics', model: 'AO-200' }, testActor, push);
  assert.equal(pushed.version, '2.4.2');
  assert.deepEqual(device.firmwareUploads, [{ sha256: manifest.sha256, bytes: genuine.length }]);
  // An upload path is good once.
  const upload = await startFirmwareUpgrade(onvif, device.xaddr);
  await uploadFirmware(upload, genuine);
  await assert.rejects(uploadFirmware(upload, genuine), (e: unknown) => isAppError(e, 'CAMERA_UNREACHABLE'));

  await ledger.ledger.drain();
  const outcomes = async (type: string, ids: string[]) => (await ledger.store.eventsByTarget(type, ids)).map((e) => (JSON.parse(e.record) as { outcome: string }).outcome);
  assert.deepEqual(await outcomes('firmware.image.pushed', ['cam-1', 'cam-2', 'cam-3']), ['failure', 'failure', 'success']);
  assert.deepEqual(await outcomes('firmware.image.verified', [manifest.sha256]), ['success', 'success', 'success']);
});
