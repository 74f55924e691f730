/**
 * The console's screens for onboarding, PTZ and incidents, per role, end to end through the real
 * server and Chromium (issue 19 item 7, issue 17): an administrator identifies a camera over
 * ONVIF on the inventory screen, sees a flagged camera quarantined, imports an advisory file and
 * sees the camera it matches, reads a security score and files a four-eyes risk acceptance; an
 * operator moves a PTZ camera from its maximised tile (camsim's ONVIF PTZ service moves) and saves
 * a preset; a compliance officer reads an incident's reporting clocks and downloads a report; an
 * investigator releases a legal hold; a viewer gets none of these screens or controls. axe-core finds no violation on any of them.
 * Screenshots (1440×900) go to CUSTOS_SCREENSHOT_DIR, else the temporary directory.
 * Real: camsim (RTSP) and its ONVIF devices, ffmpeg, SQLite, HTTPS, Chromium, axe-core.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { App } from '../../src/app.ts';
import { systemClock } from '../../src/lib/clock.ts';
import type { Camsim } from '../../tools/camsim/camsim.ts';
import { startOnvifDevice, type OnvifDevice } from '../../tools/camsim/onvif-device.ts';
import { defaultOnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import { strongPassword, testPrincipal, type TestPrincipal } from '../helpers/access.ts';
import { csafAdvisory } from '../helpers/advisory-documents.ts';
import { testActor } from '../helpers/audit.ts';
import { axeViolations } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { consoleTabs, signedInPage } from '../helpers/console-page.ts';
import { teardown } from '../helpers/teardown.ts';

const screenshotDir = process.env.CUSTOS_SCREENSHOT_DIR ?? tmpdir();

const tabs = consoleTabs;

describe('Inventory, PTZ and incident screens, by role', () => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let sim: Camsim | undefined;
  let app: App | undefined;
  let browser: Browser | undefined;
  let ptzDevice: OnvifDevice;
  let flaggedDevice: OnvifDevice;
  let cam1 = '';
  let cam2 = '';
  let admin: TestPrincipal;
  const password = strongPassword();
  const defer = teardown({ after });

  /** A signed-in page of `user` at the given width; closed after the test. */
  const pageOf = (user: string, width = 1440) => signedInPage(browser!, { url: app!.url, user, password, width, defer });

  before(async () => {
    dir = await tempDir('e2e-screens');
    defer(() => dir?.remove());
    sim = await startTestCamsim({ cameras: 2 });
    defer(() => sim?.close());
    // Cam 1: a PTZ camera of a neutral vendor (clear). Cam 2: a prohibited vendor (flagged).
    ptzDevice = await startOnvifDevice({ identity: defaultOnvifIdentity, rtspUrl: sim.urls[0]!, clock: systemClock, ptz: true });
    defer(() => ptzDevice.close());
    flaggedDevice = await startOnvifDevice({ identity: { ...defaultOnvifIdentity, manufacturer: 'Hikvision', model: 'DS-2CD2143G2-I', serialNumber: 'SIM0000002', mac: '44:19:b6:00:00:02' }, rtspUrl: sim.urls[1]!, clock: systemClock });
    defer(() => flaggedDevice.close());
    app = await startTestApp(dir.path, {
      'recording.segmentSeconds': 4,
      'identity.roles': { admin: { mfa: false }, 'compliance-officer': { mfa: false }, investigator: { mfa: false }, auditor: { mfa: false } },
    });
    defer(() => app?.close());
    cam1 = (await app.cameras.add({ name: 'Cam 1', url: sim.urls[0]! }, testActor)).id;
    cam2 = (await app.cameras.add({ name: 'Cam 2', url: sim.urls[1]! }, testActor)).id;
    for (const [username, role] of [['ada', 'admin'], ['otto', 'operator'], ['cora', 'compliance-officer'], ['vic', 'viewer'], ['ines', 'investigator'], ['audrey', 'auditor']] as const) {
      const u = await app.identity.users.create({ username, password }, testActor);
      await app.identity.grants.grant(u, { role, scope: 'global' }, { audit: testActor, userId: null });
    }
    // Cam 2 is identified beforehand (flagged, so quarantined); Cam 1 through the screen.
    admin = await testPrincipal(app, { roles: ['admin'] });
    const res = await admin.inject({ method: 'POST', url: `/api/v1/cameras/${cam2}/identify`, payload: { xaddr: flaggedDevice.xaddr } });
    assert.equal(res.statusCode, 200, res.body);
    // An incident of the register, aware two hours ago.
    const officer = await testPrincipal(app, { roles: ['compliance-officer'] });
    const awareAt = new Date(Date.now() - 2 * 3600_000).toISOString();
    const opened = await officer.inject({ method: 'POST', url: '/api/v1/incidents', payload: { title: 'Recorder database exposed', awareAt, description: 'The metadata port was reachable from the camera VLAN.' } });
    assert.equal(opened.statusCode, 201, opened.body);
    browser = await launchChromium();
    defer(() => browser?.close());
  });

  it('offers a viewer no inventory or incident screen and no PTZ controls on a maximised tile', async () => {
    const { page } = await pageOf('vic');
    assert.deepEqual(await tabs(page), ['Live', 'Cameras']);
    await page.getByRole('button', { name: 'Maximise Cam 1' }).click();
    await page.locator('.live-tile.maximised').waitFor();
    await page.waitForTimeout(1000);
    assert.equal(await page.locator('.ptz').count(), 0, 'no PTZ without camera.ptz');
  });

  it('lets an administrator identify a camera, see the flagged one quarantined, import an advisory, read the score and request a risk acceptance', async () => {
    const { page, errors } = await pageOf('ada');
    assert.deepEqual(await tabs(page), ['Live', 'Cameras', 'Inventory', 'Approvals', 'Users', 'Health', 'Sites']);
    await page.getByRole('link', { name: 'Inventory' }).click();
    const rows = page.locator('table.inventory tr.asset');
    await waitFor('the flagged camera in the inventory', 10_000, async () => (await rows.count()) === 1);
    const row2 = page.locator(`tr.asset[data-camera-id="${cam2}"]`);
    assert.equal(await row2.locator('.vetting').textContent(), 'Flagged');
    assert.equal(await row2.locator('.quarantine').textContent(), 'Quarantined');

    // Identify Cam 1 over ONVIF through the screen.
    const identify = page.locator('section.identify');
    await identify.getByLabel('Camera').selectOption({ label: 'Cam 1' });
    await identify.getByLabel('ONVIF device address').fill(ptzDevice.xaddr);
    await identify.getByRole('button', { name: 'Identify', exact: true }).click();
    await page.locator('#identify-status').getByText('Identified: Custos camsim SIM-1080, vetting Clear.').waitFor({ timeout: 15_000 });
    await waitFor('both cameras in the inventory', 15_000, async () => (await rows.count()) === 2);
    const row1 = page.locator(`tr.asset[data-camera-id="${cam1}"]`);
    assert.deepEqual(await row1.locator('td').allTextContents(), ['Cam 1', 'Custos camsim', 'SIM-1080', '1.0.0', '02:00:5e:00:00:01', 'Clear', 'Allowed']);

    // Import an advisory file that affects SIM-1080 firmware 1.0.0: the matched camera shows.
    const file = join(dir!.path, 'advisory.json');
    await writeFile(file, JSON.stringify(csafAdvisory({ trackingId: 'SIM-SA-2026-0001', cve: 'CVE-2026-40001', title: 'RTSP overflow in SIM-1080', affected: [{ id: 'p1', vendor: 'Custos camsim', model: 'SIM-1080', range: '<= 1.2.0' }], baseScore: 9.8 })));
    await page.getByLabel('Advisory file').setInputFiles(file);
    await page.locator('#advisory-status').getByText('Imported "RTSP overflow in SIM-1080": 1 camera affected.').waitFor({ timeout: 15_000 });
    await page.locator('.advisory', { hasText: 'RTSP overflow in SIM-1080' }).getByText('Affects: Cam 1 (1.0.0)').waitFor({ timeout: 15_000 });

    // The score of Cam 1 names the open critical advisory, and the grade is capped.
    await page.getByRole('button', { name: 'Details of Cam 1' }).click();
    const score = page.locator('tr.asset-detail .score');
    await score.locator('.score-total').waitFor({ timeout: 10_000 });
    assert.match((await score.locator('.factor-fail', { hasText: 'Advisories' }).textContent()) ?? '', /^Advisories 0\/20 fail 1 open: SIM-SA-2026-0001 \(critical\)$/);
    // rtsp:// without credentials, an unvetted firmware and the advisory: 35 of 100, grade F.
    assert.equal(await score.locator('.score-total').textContent(), '35 of 100');
    assert.equal(await score.locator('.grade').textContent(), 'Grade F');
    await page.locator('tr.asset-detail .matching-advisories').getByText('RTSP overflow in SIM-1080').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the inventory screen with a score open');
    await page.screenshot({ path: join(screenshotDir, 'console-inventory-1440.png'), fullPage: true });

    // A four-eyes risk acceptance for the flagged camera: filed, shown as pending.
    await page.getByRole('button', { name: 'Details of Cam 2' }).click();
    const detail = page.locator('tr.asset-detail');
    await detail.getByLabel('Reason').fill('replacement ordered, isolated VLAN until then');
    await detail.getByRole('button', { name: 'Request acceptance: Cam 2' }).click();
    await detail.getByText(/^Requested: the acceptance waits for a second person's approval/).waitFor({ timeout: 10_000 });
    await detail.getByText('An acceptance request is pending approval.').waitFor();
    // A second administrator sees it waiting for their decision.
    const listed = await admin.inject({ method: 'GET', url: '/api/v1/approvals?view=all' });
    const pending = listed.json<{ status: string; canDecide: boolean; details: Record<string, unknown> }[]>().filter((r) => r.status === 'pending' && r.details.change === 'camera.riskAccept');
    assert.equal(pending.length, 1);
    assert.equal(pending[0]!.details.cameraId, cam2);
    assert.equal(pending[0]!.canDecide, true);
    assert.deepEqual(await axeViolations(page), [], 'axe-core with the risk acceptance form');
    assert.deepEqual(errors.filter((e) => !/status of (401|403)/.test(e)), []);
  });

  it('fits the inventory screen on a 390 px phone, and speaks German there', async () => {
    const { page } = await pageOf('ada', 390);
    await page.getByRole('link', { name: 'Inventory' }).click();
    await page.locator('table.inventory tr.asset').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 390), true, 'no horizontal overflow of the page');
    assert.deepEqual(await axeViolations(page), [], 'axe-core at 390 px');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('de');
    await page.getByRole('heading', { name: 'Kamerainventar' }).waitFor();
    assert.equal(await page.locator(`tr.asset[data-camera-id="${cam2}"] .quarantine`).textContent(), 'In Quarantäne');
    await page.getByRole('heading', { name: 'Sicherheitshinweise' }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'axe-core in German');
    await page.getByRole('combobox', { name: 'Sprache' }).selectOption('en');
  });

  it('shows an auditor the inventory and the incident register read-only', async () => {
    const { page } = await pageOf('audrey');
    assert.deepEqual(await tabs(page), ['Cameras', 'Inventory', 'Alarms', 'Incidents', 'Audit', 'Governance', 'Residency', 'Access register']);
    await page.getByRole('link', { name: 'Inventory' }).click();
    await waitFor('the inventory', 10_000, async () => (await page.locator('table.inventory tr.asset').count()) === 2);
    assert.equal(await page.locator('.asset-toggle, section.advisories, section.identify').count(), 0, 'no score, advisories, acceptance or identification without camera.manage');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the read-only inventory');
    await page.getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('button', { name: 'Open Recorder database exposed' }).click();
    await page.locator('tr.clock-early-warning').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.incident-reports').count(), 0, 'no report generation without incident.manage');
  });

  it('lets an operator pan a PTZ camera from its maximised tile while a button is held, and save a preset', async () => {
    const { page } = await pageOf('otto');
    await page.getByRole('button', { name: 'Maximise Cam 1' }).click();
    const ptz = page.getByRole('group', { name: 'PTZ of Cam 1' });
    await ptz.waitFor({ timeout: 10_000 });
    const sim = ptzDevice.ptz!;
    const right = ptz.getByRole('button', { name: 'Pan right' });
    await right.hover();
    await page.mouse.down();
    await waitFor('the camera pans right', 5_000, async () => sim.moving() && sim.position().pan > 0.1);
    await page.mouse.up();
    await waitFor('the camera stops on release', 5_000, async () => !sim.moving());
    const stoppedAt = sim.position().pan;
    assert.ok(stoppedAt > 0.1 && stoppedAt < 1, `pan ${stoppedAt}`);
    assert.ok(sim.calls.includes('Stop'));

    // Keyboard: Space held on "Tilt up" moves, releasing it stops.
    await ptz.getByRole('button', { name: 'Tilt up' }).focus();
    await page.keyboard.down(' ');
    await waitFor('the camera tilts up', 5_000, async () => sim.position().tilt > 0.05);
    await page.keyboard.up(' ');
    await waitFor('stopped again', 5_000, async () => !sim.moving());

    await ptz.getByLabel('New preset name').fill('Door');
    await ptz.getByRole('button', { name: 'Save position' }).click();
    await ptz.getByRole('button', { name: 'Go to Door' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(sim.presets().map((p) => p.name), ['Door']);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on a maximised tile with PTZ controls');
    await page.screenshot({ path: join(screenshotDir, 'console-ptz-1440.png') });
  });

  it('keeps the PTZ controls and the incident register usable at 390 px', async () => {
    const operator = await pageOf('otto', 390);
    await operator.page.getByRole('button', { name: 'Maximise Cam 1' }).click();
    const ptz = operator.page.getByRole('group', { name: 'PTZ of Cam 1' });
    await ptz.waitFor({ timeout: 10_000 });
    const box = await ptz.getByRole('button', { name: 'Pan right' }).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.width >= 40, `Pan right at ${JSON.stringify(box)}`);
    assert.equal(await operator.page.evaluate(() => document.documentElement.scrollWidth <= 390), true, 'no horizontal overflow (PTZ)');
    assert.deepEqual(await axeViolations(operator.page), [], 'axe-core on PTZ at 390 px');
    const officer = await pageOf('cora', 390);
    await officer.page.getByRole('link', { name: 'Incidents' }).click();
    await officer.page.getByRole('button', { name: 'Open Recorder database exposed' }).click();
    await officer.page.locator('tr.clock-early-warning').waitFor({ timeout: 10_000 });
    assert.equal(await officer.page.evaluate(() => document.documentElement.scrollWidth <= 390), true, 'no horizontal overflow (incidents)');
    assert.deepEqual(await axeViolations(officer.page), [], 'axe-core on the incident register at 390 px');
  });

  it('shows a compliance officer the incident clocks and a report to download', async () => {
    const { page } = await pageOf('cora');
    assert.ok((await tabs(page)).includes('Incidents'));
    await page.getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('button', { name: 'Open Recorder database exposed' }).click();
    const early = page.locator('tr.clock-early-warning');
    await early.waitFor({ timeout: 10_000 });
    assert.equal(await early.getAttribute('data-state'), 'running');
    assert.match((await early.textContent()) ?? '', /^Early warning \(24 h\)running\s*due /);
    assert.match((await page.locator('tr.clock-notification').textContent()) ?? '', /^Notification \(72 h\)running/);
    assert.match((await page.locator('tr.clock-final').textContent()) ?? '', /^Final report \(1 month\)/);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the incident register');

    await page.getByRole('button', { name: 'Early warning (JSON)' }).click();
    const link = page.locator('a.report-download');
    await link.waitFor({ timeout: 15_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const report = JSON.parse(await readFile(await download.path(), 'utf8')) as { stage: string; fields: Record<string, string> };
    assert.equal(report.stage, 'early-warning');
    assert.equal(report.fields.title, 'Recorder database exposed');
    assert.match((await page.locator('#report-status').textContent()) ?? '', /ready \(SHA-256 [0-9a-f]{16}…\)/);
    // The same stage as PDF (printed by Chromium on the server).
    await page.getByRole('button', { name: 'Early warning (PDF)' }).click();
    await page.locator('a.report-download', { hasText: 'early-warning.pdf' }).waitFor({ timeout: 30_000 });
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.locator('a.report-download').click()]);
    assert.equal((await readFile(await pdf.path())).subarray(0, 5).toString('latin1'), '%PDF-');
    await page.screenshot({ path: join(screenshotDir, 'console-incident-1440.png'), fullPage: true });
    // A stage lacking fields says what is missing.
    await page.getByRole('button', { name: 'Final (JSON)' }).click();
    await page.locator('#report-status').getByText(/could not be generated.*rootCause/).waitFor({ timeout: 10_000 });
  });

  it('lists an investigator\'s legal holds and releases one with a reason', async () => {
    const investigator = await testPrincipal(app!, { roles: ['investigator'] });
    const to = new Date(Date.now() - 60_000);
    const from = new Date(to.getTime() - 120_000);
    const made = await investigator.inject({ method: 'POST', url: `/api/v1/cameras/${cam1}/bookmarks`, payload: { from: from.toISOString(), to: to.toISOString(), note: 'red van at the gate' } });
    assert.equal(made.statusCode, 201, made.body);
    const bookmarkId = made.json<{ id: string }>().id;
    const held = await investigator.inject({ method: 'POST', url: `/api/v1/cameras/${cam1}/bookmarks/${bookmarkId}/hold`, payload: { reason: 'case 2026-117' } });
    assert.equal(held.statusCode, 200, held.body);

    const { page } = await pageOf('ines');
    assert.ok((await tabs(page)).includes('Holds'));
    await page.getByRole('link', { name: 'Holds' }).click();
    const hold = page.locator(`li.hold[data-bookmark-id="${bookmarkId}"]`);
    await hold.waitFor({ timeout: 10_000 });
    assert.match((await hold.textContent()) ?? '', /Cam 1.*red van at the gate.*case 2026-117/);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the holds screen');
    await hold.getByLabel('Reason for the release (case reference)').fill('case 2026-117 closed');
    await hold.getByRole('button', { name: 'Release the hold on red van at the gate' }).click();
    await page.getByText('Hold released: retention applies to the range again.').waitFor({ timeout: 10_000 });
    await page.getByText('No legal hold is in force.').waitFor({ timeout: 10_000 });
    assert.deepEqual((await investigator.inject({ method: 'GET', url: '/api/v1/holds' })).json(), []);
  });
});
