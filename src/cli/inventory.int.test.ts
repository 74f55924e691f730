/**
 * `custos camera identify` and `custos inventory list --csv` as a user runs them (bin/custos.js,
 * a fresh SQLite data directory) against camsim's ONVIF device service (a fake camera: the only
 * kind that runs here).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../lib/clock.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { custos } from '../../test/helpers/custos-cli.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { defaultOnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import { startOnvifDevice } from '../../tools/camsim/onvif-device.ts';


test('a camera identified from the CLI is vetted (a relabel exits 3) and the inventory exports as CSV with formula cells neutralised', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('cli-inventory');
  defer(() => dir.remove());
  const device = await startOnvifDevice({
    identity: { ...defaultOnvifIdentity, manufacturer: '=HYPERLINK("http://x")', model: 'Acme, "Pro"', mac: 'bc:ad:28:00:00:07' },
    rtspUrl: 'rtsp://127.0.0.1:8554/cam1', username: 'cam', password: 'Camera-Pass-1', clock: systemClock,
  });
  defer(() => device.close());
  const added = await custos(['camera', 'add', '--data-dir', dir.path, '--name', 'Dock', '--url', 'rtsp://127.0.0.1:8554/cam1', '--username', 'cam', '--password-stdin'], { input: 'Camera-Pass-1\n' });
  assert.equal(added.code, 0, added.stderr);
  const id = added.stdout.trim();

  // The camera's stored RTSP credentials serve for ONVIF too.
  const identified = await custos(['camera', 'identify', id, '--data-dir', dir.path, '--xaddr', device.xaddr]);
  assert.equal(identified.code, 3, identified.stderr);
  const shown = JSON.parse(identified.stdout) as { vetting: string; likelyRelabel: boolean; quarantined: boolean };
  assert.deepEqual([shown.vetting, shown.likelyRelabel, shown.quarantined], ['flagged', true, true]);

  const csv = await custos(['inventory', 'list', '--data-dir', dir.path, '--csv']);
  assert.equal(csv.code, 0, csv.stderr);
  const [header, row, end] = csv.stdout.split('\r\n');
  assert.match(header ?? '', /^camera_id,camera_name,vendor,model,serial,mac,oui,/);
  assert.equal(end, '');
  assert.ok(row?.startsWith(`${id},Dock,"'=HYPERLINK(""http://x"")","Acme, ""Pro""",`), row);
  assert.match(row ?? '', /,bc:ad:28:00:00:07,bc:ad:28,.*,flagged,true,oui:hikvision,true,,/);

  const wrong = await custos(['camera', 'identify', id, '--data-dir', dir.path, '--xaddr', device.xaddr, '--username', 'cam', '--password-stdin'], { input: 'not-the-password\n' });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^custos camera: SOAP fault Sender\/NotAuthorized/);
  assert.doesNotMatch(wrong.stderr, /not-the-password/);
});
