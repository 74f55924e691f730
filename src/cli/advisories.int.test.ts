/**
 * `custos advisories import|list` and `custos camera score` as a user runs them (bin/custos.js, a
 * fresh SQLite data directory) against a camera identified over camsim's ONVIF device service.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { csafAdvisory, osvAdvisory } from '../../test/helpers/advisory-documents.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { custos } from '../../test/helpers/custos-cli.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { systemClock } from '../lib/clock.ts';
import { defaultOnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import { startOnvifDevice } from '../../tools/camsim/onvif-device.ts';


test('advisory files are imported offline all or nothing, matched against an identified camera, and its score names a default password by vendor only', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('cli-advisories');
  defer(() => dir.remove());
  const password = 'admin';
  const device = await startOnvifDevice({
    identity: { ...defaultOnvifIdentity, manufacturer: 'Acme Optics', model: 'AO-200', firmwareVersion: 'V2.4.1 build 260101', mac: '02:00:5e:aa:dd:01' },
    rtspUrl: 'rtsp://127.0.0.1:8554/cam1', username: 'admin', password, clock: systemClock,
  });
  defer(() => device.close());
  const added = await custos(['camera', 'add', '--data-dir', dir.path, '--name', 'Dock', '--url', 'rtsp://127.0.0.1:8554/cam1', '--username', 'admin', '--password-stdin'], { input: `${password}\n` });
  assert.equal(added.code, 0, added.stderr);
  const id = added.stdout.trim();
  const identified = await custos(['camera', 'identify', id, '--data-dir', dir.path, '--xaddr', device.xaddr]);
  assert.equal(identified.code, 0, identified.stderr);

  const csaf = join(dir.path, 'acme-sa-2026-0042.json');
  await writeFile(csaf, JSON.stringify(csafAdvisory({ trackingId: 'ACME-SA-2026-0042', cve: 'CVE-2026-41234', affected: [{ id: 'p1', vendor: 'Acme Optics', model: 'AO-200', range: '<= 2.4.1' }] }), null, 2));
  const osv = join(dir.path, 'osv-other-vendor.json');
  await writeFile(osv, JSON.stringify(osvAdvisory({ id: 'OSV-2026-0099', aliases: ['CVE-2026-7777'], vendor: 'Globex', model: 'AO-200', events: [{ introduced: '0' }] })));
  const broken = join(dir.path, 'broken.json');
  await writeFile(broken, '{"document": {"csaf_version": "2.0"');

  // One bad file refuses the whole import: one line, exit 1, nothing stored.
  const refused = await custos(['advisories', 'import', '--data-dir', dir.path, csaf, broken]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, /advisory refused \(not-json\)/);
  assert.equal((await custos(['advisories', 'list', '--data-dir', dir.path])).stdout, '');

  const imported = await custos(['advisories', 'import', '--data-dir', dir.path, csaf, osv]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /acme-sa-2026-0042\.json: new csaf ACME-SA-2026-0042 critical CVE-2026-41234, 1 product\(s\); 1 camera\(s\) newly affected/);
  assert.match(imported.stdout, /osv-other-vendor\.json: new osv OSV-2026-0099 high CVE-2026-7777, 1 product\(s\); 0 camera\(s\) newly affected/);
  const listed = JSON.parse((await custos(['advisories', 'list', '--data-dir', dir.path, '--json'])).stdout) as { documentId: string; cameras: { cameraId: string }[] }[];
  assert.deepEqual(listed.map((a) => [a.documentId, a.cameras.map((c) => c.cameraId)]), [['ACME-SA-2026-0042', [id]], ['OSV-2026-0099', []]]);

  const score = await custos(['camera', 'score', id, '--data-dir', dir.path, '--json']);
  assert.equal(score.code, 0, score.stderr);
  assert.ok(!score.stdout.includes('"admin"'), 'neither the username nor the password is printed');
  const s = JSON.parse(score.stdout) as { grade: string; factors: { id: string; state: string; evidence: string }[] };
  const f = new Map(s.factors.map((x) => [x.id, x]));
  assert.match(f.get('credentials')?.evidence ?? '', /^matches a known default for vendor any/);
  assert.match(f.get('advisories')?.evidence ?? '', /ACME-SA-2026-0042 \(critical\)/);
  assert.equal(f.get('last-seen')?.state, 'unknown', 'the CLI runs no recorder');
  assert.equal(s.grade, 'F');
  const text = await custos(['camera', 'score', id, '--data-dir', dir.path]);
  assert.match(text.stdout, /grade F/);
});
