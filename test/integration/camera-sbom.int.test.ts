/**
 * Vendors' SBOMs attached to inventory entries through the real server (inject, SQLite, ledger)
 * and the CLI: an identified camsim camera (a fake camera: the only kind that runs here) gets a
 * CycloneDX SBOM, reads it back byte for byte, a replacement is audited with the digest it
 * replaced; a viewer cannot attach, an unidentified camera has no entry, a non-SBOM and an
 * over-sized body are refused.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { systemClock } from '../../src/lib/clock.ts';
import { defaultOnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import { startOnvifDevice } from '../../tools/camsim/onvif-device.ts';
import { testPrincipal } from '../helpers/access.ts';
import { custos } from '../helpers/custos-cli.ts';
import { startDeferredTestApp } from '../helpers/harness.ts';
import { codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

test('a vendor SBOM is attached to an identified camera, read back and audited; bad ones are refused', async (t) => {
  const defer = teardown(t);
  const { app, dataDir } = await startDeferredTestApp(defer, 'camera-sbom');
  const admin = await testPrincipal(app, { roles: ['admin'] });
  const viewer = await testPrincipal(app, { roles: ['viewer'] });
  const device = await startOnvifDevice({ identity: { ...defaultOnvifIdentity, manufacturer: 'Acme Optics', mac: '02:00:5e:00:01:01' }, rtspUrl: 'rtsp://127.0.0.1:1/sbom', clock: systemClock });
  defer(() => device.close());
  const add = async (name: string) => (await admin.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name, url: `rtsp://127.0.0.1:1/${name}`, enabled: false } })).json<{ id: string }>().id;
  const id = await add('sbom-cam');
  assert.equal((await admin.inject({ method: 'POST', url: `/api/v1/cameras/${id}/identify`, payload: { xaddr: device.xaddr } })).statusCode, 200);

  const sbom = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, metadata: { component: { type: 'firmware', name: 'AO-200', version: '2.4.1' } }, components: [{ type: 'library', name: 'openssl', version: '3.0.13' }, { type: 'library', name: 'busybox', version: '1.36.1' }] };
  const put = await admin.inject({ method: 'PUT', url: `/api/v1/inventory/${id}/sbom`, payload: sbom });
  assert.equal(put.statusCode, 200, put.body);
  const first = put.json<{ format: string; specVersion: string; components: number; sha256: string }>();
  assert.deepEqual([first.format, first.specVersion, first.components], ['CycloneDX', '1.6', 2]);
  const got = await viewer.inject({ method: 'GET', url: `/api/v1/inventory/${id}/sbom` });
  assert.equal(got.statusCode, 200);
  assert.match(String(got.headers['content-type']), /^application\/vnd\.cyclonedx\+json/);
  assert.deepEqual(got.json(), sbom);
  assert.equal(got.headers.etag, `"${first.sha256}"`);

  const spdx = { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'AO-200 2.4.2', packages: [{ name: 'openssl', versionInfo: '3.0.14' }] };
  assert.equal((await admin.inject({ method: 'PUT', url: `/api/v1/inventory/${id}/sbom`, payload: spdx })).statusCode, 200);
  assert.match(String((await admin.inject({ method: 'GET', url: `/api/v1/inventory/${id}/sbom` })).headers['content-type']), /^application\/spdx\+json/);

  assert.equal(codeOf(await viewer.inject({ method: 'PUT', url: `/api/v1/inventory/${id}/sbom`, payload: sbom })), 'FORBIDDEN');
  assert.equal(codeOf(await admin.inject({ method: 'PUT', url: `/api/v1/inventory/${id}/sbom`, payload: { hello: 'world' } })), 'VALIDATION_FAILED');
  const huge = await admin.inject({ method: 'PUT', url: `/api/v1/inventory/${id}/sbom`, payload: { ...sbom, components: [{ type: 'library', name: 'x'.repeat(1_100_000) }] } });
  assert.equal(huge.statusCode, 400, huge.body);
  assert.equal(codeOf(huge), 'VALIDATION_FAILED');
  const other = await add('sbom-none');
  assert.equal(codeOf(await admin.inject({ method: 'PUT', url: `/api/v1/inventory/${other}/sbom`, payload: sbom })), 'NOT_FOUND');
  assert.equal(codeOf(await admin.inject({ method: 'GET', url: `/api/v1/inventory/${other}/sbom` })), 'NOT_FOUND');

  await app.ledger.drain();
  const auditor = await testPrincipal(app, { roles: ['auditor'] });
  const events = (await auditor.inject({ method: 'GET', url: '/api/v1/audit/events?type=camera.sbom.attached&limit=10' })).json<{ events: { record: { camera_id: string; details: { format: string; sha256: string; replaced: string | null } } }[] }>().events.map((e) => e.record);
  assert.deepEqual(events.map((e) => [e.camera_id, e.details.format, e.details.replaced]), [[id, 'CycloneDX', null], [id, 'SPDX', first.sha256]]);
  await app.close();

  // The CLI attaches the same way, audited as the operator; a camera without an entry is one line.
  const file = join(dataDir, 'vendor.cdx.json');
  await writeFile(file, JSON.stringify(sbom));
  const cli = await custos(['inventory', 'attach-sbom', id, file, '--data-dir', dataDir]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /^attached: CycloneDX 1\.6, 2 components, \d+ bytes, sha256 [0-9a-f]{64}\n$/);
  const missing = await custos(['inventory', 'attach-sbom', other, file, '--data-dir', dataDir]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^custos inventory: the camera has no inventory entry; identify it first\n$/);
});
