/**
 * The firmware trust store from the CLI as an operator uses it (bin/custos.js, fresh SQLite data
 * directory): keys trusted, manifests imported or refused, and identification of camsim ONVIF
 * devices (fake cameras: the only kind that runs here) judged against the vetted releases.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../lib/clock.ts';
import { signedBytes } from '../onvif/firmware-manifest.ts';
import type { FirmwareManifest } from '../onvif/firmware-manifest.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { custos } from '../../test/helpers/custos-cli.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { defaultOnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import { startOnvifDevice } from '../../tools/camsim/onvif-device.ts';


test('vendor keys and signed manifests are imported or refused, and identification quarantines firmware that no vetted release covers', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('cli-firmware');
  defer(() => dir.remove());
  const d = (...a: string[]): string[] => [...a, '--data-dir', dir.path];
  const vendorKey = generateKeyPairSync('ed25519');
  const stranger = generateKeyPairSync('ed25519');
  const pemFile = join(dir.path, 'acme.pem');
  await writeFile(pemFile, vendorKey.publicKey.export({ type: 'spki', format: 'pem' }));
  const manifest: FirmwareManifest = { vendor: 'Acme Optics', modelPattern: 'AO-*', version: '2.4.1', sha256: createHash('sha256').update('image 2.4.1').digest('hex') };
  const file = async (name: string, body: object): Promise<string> => {
    const p = join(dir.path, name);
    await writeFile(p, JSON.stringify(body));
    return p;
  };
  const good = await file('good.json', { manifest, keyId: 'acme-1', algorithm: 'ed25519', signature: sign(null, signedBytes(manifest), vendorKey.privateKey).toString('base64') });
  const unknown = await file('unknown.json', { manifest, keyId: 'acme-9', algorithm: 'ed25519', signature: sign(null, signedBytes(manifest), stranger.privateKey).toString('base64') });
  const other = { ...manifest, sha256: createHash('sha256').update('another image').digest('hex') };
  const rehashed = await file('rehashed.json', { manifest: other, keyId: 'acme-1', algorithm: 'ed25519', signature: sign(null, signedBytes(manifest), vendorKey.privateKey).toString('base64') });

  assert.equal((await custos(d('firmware', 'trust-key', '--key-id', 'acme-1', '--vendor', 'Acme Optics', '--public-key-file', pemFile))).code, 0);
  const refusedUnknown = await custos(d('firmware', 'import', unknown));
  assert.equal(refusedUnknown.code, 1);
  assert.match(refusedUnknown.stderr, /^custos firmware: firmware refused: signing key "acme-9" is not in the trust store\n$/);
  const refusedHash = await custos(d('firmware', 'import', rehashed));
  assert.equal(refusedHash.code, 1);
  assert.match(refusedHash.stderr, /the signature does not verify/);
  const imported = await custos(d('firmware', 'import', good));
  assert.equal(imported.code, 0, imported.stderr);
  assert.match((await custos(d('firmware', 'list'))).stdout, /release Acme Optics {2}AO-\* {2}2\.4\.1/);

  const identify = async (firmwareVersion: string): Promise<{ code: number; out: { vetting: string; quarantined: boolean } }> => {
    const device = await startOnvifDevice({ identity: { ...defaultOnvifIdentity, manufacturer: 'Acme Optics', model: 'AO-200', firmwareVersion }, rtspUrl: 'rtsp://127.0.0.1:8554/cam1', clock: systemClock });
    defer(() => device.close());
    const added = await custos(d('camera', 'add', '--name', `fw-${firmwareVersion}`, '--url', `rtsp://127.0.0.1:8554/fw-${firmwareVersion}`));
    assert.equal(added.code, 0, added.stderr);
    const r = await custos(d('camera', 'identify', added.stdout.trim(), '--xaddr', device.xaddr));
    return { code: r.code, out: JSON.parse(r.stdout) as { vetting: string; quarantined: boolean } };
  };
  const vetted = await identify('2.4.1');
  assert.equal(vetted.code, 0);
  assert.deepEqual([vetted.out.vetting, vetted.out.quarantined], ['clear', false]);
  const unvetted = await identify('2.4.0');
  assert.equal(unvetted.code, 3);
  assert.deepEqual([unvetted.out.vetting, unvetted.out.quarantined], ['unvetted', true]);
});
