/**
 * The console's edit forms, per role, end to end through the real server and Chromium:
 * an administrator edits a camera's settings (opened and saved with the keyboard), sees a bad
 * sub-stream URL, a taken name and a minimum retention above the retention refused next to their
 * fields with the typed values kept and nothing stored, saves retention and its minimum, disables
 * and enables the camera, sees a lowered retention at a four-eyes site go to the approvals inbox,
 * and edits a camera's inventory fields; a compliance officer edits an incident (a closing time
 * before the aware time is refused next to its field), records a generated report stage as sent
 * (its clock stops) and assesses a requirement (not applicable without a reason is refused next
 * to the reason); an auditor and a viewer get none of these controls. Also the admin flows of
 * issue 19 item 7 that had no browser test: a grant with an expiry (stored at the time entered in
 * the browser's time zone), acknowledging an alarm in the alarms panel, and the audit viewer
 * filtered by actor (a bare user id) and time window. axe-core finds no violation
 * with the forms open and their errors shown, at 1440 px and at 390 px (German).
 * A screenshot of the camera form with a refused field goes to CUSTOS_SCREENSHOT_DIR, else the temporary directory.
 * Real: SQLite, HTTPS, an ONVIF device of camsim, Chromium, axe-core.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { App } from '../../src/app.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { startOnvifDevice } from '../../tools/camsim/onvif-device.ts';
import { defaultOnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import { strongPassword, testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { axeViolations } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { startTestApp, tempDir, waitFor } from '../helpers/harness.ts';
import { consoleTabs, signedInPage } from '../helpers/console-page.ts';
import { teardown } from '../helpers/teardown.ts';

const screenshotDir = process.env.CUSTOS_SCREENSHOT_DIR ?? tmpdir();

/** Nothing listens on the discard port: the cameras retry, which editing does not mind. */
const gateUrl = 'rtsp://127.0.0.1:9/gate';

/** True when nothing sticks out sideways; else the widest offenders, to say which. */
const noOverflow = (page: Page) =>
  page.evaluate(() => {
    if (document.documentElement.scrollWidth <= window.innerWidth) return true;
    const wide = Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1);
    return wide.slice(-5).map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).join(', ');
  });

describe('Edit forms (cameras, incidents, requirements, inventory) and admin flows (grant expiry, alarm acknowledgement, audit filters), by role', () => {
  let app: App | undefined;
  let browser: Browser | undefined;
  let gate = '';
  let vault = '';
  let incident = '';
  const userIds: Record<string, string> = {};
  let setupStartMs = 0;
  const password = strongPassword();
  const defer = teardown({ after });

  const pageOf = (user: string, width = 1440) => signedInPage(browser!, { url: app!.url, user, password, width, defer });
  const cardOf = (page: Page, id: string): Locator => page.locator(`article.camera-card[data-camera-id="${id}"]`);

  before(async () => {
    setupStartMs = Date.now();
    const dir = await tempDir('e2e-edit-screens');
    defer(() => dir.remove());
    app = await startTestApp(dir.path, { 'identity.roles': { admin: { mfa: false }, 'compliance-officer': { mfa: false }, auditor: { mfa: false } } });
    defer(() => app?.close());
    for (const [username, role] of [['ada', 'admin'], ['cora', 'compliance-officer'], ['audrey', 'auditor'], ['vic', 'viewer']] as const) {
      const u = await app.identity.users.create({ username, password }, testActor);
      await app.identity.grants.grant(u, { role, scope: 'global' }, { audit: testActor, userId: null });
      userIds[username] = u.id;
    }
    const admin = await testPrincipal(app, { roles: ['admin'] });
    const site = await admin.inject({ method: 'POST', url: '/api/v1/sites', payload: { id: 'vault', name: 'Vault', fourEyes: true } });
    assert.equal(site.statusCode, 201, site.body);
    gate = (await app.cameras.add({ name: 'Gate', url: gateUrl }, testActor)).id;
    await app.cameras.add({ name: 'Yard', url: 'rtsp://127.0.0.1:9/yard' }, testActor);
    vault = (await app.cameras.add({ name: 'Vault door', url: 'rtsp://127.0.0.1:9/vault', siteId: 'vault', retentionHours: 96 }, testActor)).id;
    // Gate in the inventory: identified over ONVIF (camsim's device answers for it).
    const device = await startOnvifDevice({ identity: defaultOnvifIdentity, rtspUrl: gateUrl, clock: systemClock });
    defer(() => device.close());
    const identified = await admin.inject({ method: 'POST', url: `/api/v1/cameras/${gate}/identify`, payload: { xaddr: device.xaddr } });
    assert.equal(identified.statusCode, 200, identified.body);
    const officer = await testPrincipal(app, { roles: ['compliance-officer'] });
    const opened = await officer.inject({ method: 'POST', url: '/api/v1/incidents', payload: { title: 'Camera VLAN scanned', awareAt: new Date(Date.now() - 3600_000).toISOString(), description: 'A port scan of the camera VLAN from a guest laptop.' } });
    assert.equal(opened.statusCode, 201, opened.body);
    incident = opened.json<{ id: string }>().id;
    browser = await launchChromium();
    defer(() => browser?.close());
  });

  it("lets an administrator edit a camera with the keyboard, shows refusals next to their field and keeps what was typed, saves retention, and files a four-eyes site's lowered retention for approval", async () => {
    const { page, errors } = await pageOf('ada');
    await page.getByRole('link', { name: 'Cameras' }).click();
    const card = cardOf(page, gate);
    await card.waitFor({ timeout: 10_000 });

    // Keyboard: Enter opens the form with the focus on Name; Enter in a field saves.
    await card.getByRole('button', { name: 'Edit the settings of Gate' }).focus();
    await page.keyboard.press('Enter');
    const form = card.locator('form.camera-edit');
    await form.waitFor();
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name), 'name', 'the form opens on Name');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Front gate');
    await page.keyboard.press('Enter');
    await form.getByRole('status').getByText('Saved Front gate.').waitFor({ timeout: 10_000 });
    assert.equal((await app!.cameras.get(gate)).name, 'Front gate');

    // A sub-stream on another host is refused next to its field; the typed value stays, nothing is stored.
    await form.getByLabel('Sub-stream URL for live tiles (empty: none; same host)').fill('rtsp://192.0.2.7/sub');
    await form.getByLabel('Record audio (AAC; only where a legal basis covers it)').check();
    await form.getByRole('button', { name: 'Save changes' }).click();
    const subError = form.locator('.field-error[id$="-subStreamUrl-error"]');
    await subError.waitFor({ timeout: 10_000 });
    assert.match((await subError.textContent()) ?? '', /subStreamUrl must name the camera's own host/);
    // The control keeps its name (the error is not inside its label) and points at the error.
    const sub = form.getByRole('textbox', { name: 'Sub-stream URL for live tiles (empty: none; same host)', exact: true });
    assert.equal(await sub.getAttribute('aria-invalid'), 'true');
    assert.equal(await sub.getAttribute('aria-describedby'), await subError.getAttribute('id'));
    assert.equal(await sub.inputValue(), 'rtsp://192.0.2.7/sub', 'the typed value stays');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name), 'subStreamUrl', 'the focus goes to the refused field');
    const unchanged = await app!.cameras.get(gate);
    assert.deepEqual([unchanged.subStreamUrl ?? null, unchanged.recordAudio === true], [null, false], 'nothing of the refused change is stored');
    assert.deepEqual(await axeViolations(page), [], 'axe-core with a refused field');
    await card.screenshot({ path: join(screenshotDir, 'console-camera-edit-1440.png') });

    await sub.fill('rtsp://127.0.0.1:9/gate-sub');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.getByRole('status').getByText('Saved Front gate.').waitFor({ timeout: 10_000 });
    assert.equal(await form.locator('.field-error').count(), 0);
    const saved = await app!.cameras.get(gate);
    assert.deepEqual([saved.subStreamUrl, saved.recordAudio], ['rtsp://127.0.0.1:9/gate-sub', true]);

    // A name another camera has: refused next to Name.
    await form.getByLabel('Name').fill('Yard');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.locator('.field-error[id$="-name-error"]').getByText(/already exists/).waitFor({ timeout: 10_000 });
    assert.equal((await app!.cameras.get(gate)).name, 'Front gate');
    await form.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await card.locator('form.camera-edit').count(), 0);

    // Retention: a minimum above the retention is refused next to the minimum; then both are saved.
    const retention = card.getByRole('form', { name: 'Retention of Front gate' });
    await retention.getByLabel('Keep at least, even when the disk runs short (hours)').fill('100');
    await retention.getByRole('button', { name: 'Save' }).click();
    await retention.locator('.field-error[id$="-minRetentionHours-error"]').getByText(/minRetentionHours must be a whole number from 0/).waitFor({ timeout: 10_000 });
    assert.equal(await retention.getByLabel('Keep at least, even when the disk runs short (hours)').inputValue(), '100');
    assert.equal((await app!.cameras.get(gate)).minRetentionHours, 0);
    await retention.getByLabel('Keep footage (hours)').fill('120');
    await retention.getByRole('button', { name: 'Save' }).click();
    await retention.getByText('Retention saved.').waitFor({ timeout: 10_000 });
    const kept = await app!.cameras.get(gate);
    assert.deepEqual([kept.retentionHours, kept.minRetentionHours], [120, 100]);

    // Disable and enable again.
    await card.getByRole('button', { name: 'Disable', exact: true }).click();
    await waitFor('Front gate disabled', 10_000, async () => (await app!.cameras.get(gate)).enabled === false);
    await card.getByRole('button', { name: 'Enable', exact: true }).click();
    await waitFor('Front gate enabled', 10_000, async () => (await app!.cameras.get(gate)).enabled === true);

    // At a four-eyes site, lowering retention waits for a second person.
    const vaultRetention = cardOf(page, vault).getByRole('form', { name: 'Retention of Vault door' });
    await vaultRetention.getByLabel('Keep footage (hours)').fill('24');
    await vaultRetention.getByRole('button', { name: 'Save' }).click();
    await vaultRetention.getByText("The change waits for a second person's approval").waitFor({ timeout: 10_000 });
    assert.equal(await vaultRetention.getByRole('link', { name: 'Open the approvals inbox' }).getAttribute('href'), '#/approvals');
    assert.equal((await app!.cameras.get(vault)).retentionHours, 96, 'not lowered before the approval');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the cameras screen with retention answers');
    assert.deepEqual(errors.filter((e) => !/status of (400|401|403|409)/.test(e)), []);
  });

  it("lets an administrator edit a camera's inventory fields", async () => {
    const { page } = await pageOf('ada');
    await page.getByRole('link', { name: 'Inventory' }).click();
    await page.getByRole('button', { name: 'Details of Front gate' }).click();
    const form = page.locator('form.asset-fields');
    await form.getByLabel('Location').fill('Gate house, north wall');
    await form.getByLabel('Owner', { exact: true }).fill('Facilities');
    await form.getByLabel('Installed on').fill('2024-05-02');
    await form.getByLabel('End of vendor support').fill('2029-12-31');
    await form.getByRole('button', { name: 'Save changes to the inventory fields of Front gate' }).click();
    await form.getByText('Inventory fields of Front gate saved.').waitFor({ timeout: 10_000 });
    const res = await (await testPrincipal(app!, { roles: ['admin'] })).inject({ method: 'GET', url: '/api/v1/inventory' });
    const entry = res.json<{ cameraId: string; location: string; owner: string; installDate: string | null; endOfSupport: string | null }[]>().find((e) => e.cameraId === gate)!;
    assert.deepEqual([entry.location, entry.owner, entry.installDate?.slice(0, 10), entry.endOfSupport?.slice(0, 10)], ['Gate house, north wall', 'Facilities', '2024-05-02', '2029-12-31']);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the inventory fields');
  });

  it('lets a compliance officer edit an incident, record a report stage as sent, and assess a requirement', async () => {
    const { page, errors } = await pageOf('cora');
    await page.getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('button', { name: 'Open Camera VLAN scanned' }).click();
    await page.getByRole('button', { name: 'Edit incident' }).click();
    const form = page.locator('form.incident-edit');
    await form.getByLabel('Severity').selectOption('high');
    await form.getByLabel('Impact', { exact: true }).fill('No footage left the network; two cameras rebooted.');
    // Closed before the aware time: refused next to "Closed at", the other fields keep their text.
    await form.getByLabel('Closed at (closes the incident)').fill('2020-01-01T10:00:00');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.locator('.field-error[id$="-closedAt-error"]').getByText(/closedAt is before awareAt/).waitFor({ timeout: 10_000 });
    assert.equal(await form.getByLabel('Impact', { exact: true }).inputValue(), 'No footage left the network; two cameras rebooted.');
    const officer = await testPrincipal(app!, { roles: ['compliance-officer'] });
    const before = (await officer.inject({ method: 'GET', url: `/api/v1/incidents/${incident}` })).json<{ severity: string | null; impact: string | null }>();
    assert.deepEqual([before.severity, before.impact], [null, null], 'nothing of the refused change is stored');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the incident form with a refused field');
    await form.getByLabel('Closed at (closes the incident)').fill('');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.incident-saved').getByText('Incident saved; the clocks are recomputed.').waitFor({ timeout: 10_000 });
    const after = (await officer.inject({ method: 'GET', url: `/api/v1/incidents/${incident}` })).json<{ severity: string | null; impact: string | null; closedAt: string | null }>();
    assert.deepEqual([after.severity, after.impact, after.closedAt], ['high', 'No footage left the network; two cameras rebooted.', null]);
    await page.locator('dl.incident-fields').getByText('No footage left the network; two cameras rebooted.').waitFor({ timeout: 10_000 });

    // Generate the early warning, then record it as sent: the form takes its stage and hash.
    await page.getByRole('button', { name: 'Early warning (JSON)' }).click();
    await page.locator('#report-status').getByText(/ready \(SHA-256/).waitFor({ timeout: 15_000 });
    const sent = page.locator('form.incident-submission');
    await sent.getByText('Filled in from the Early warning report generated above.').waitFor();
    assert.match(await sent.getByLabel('SHA-256 of what was sent').inputValue(), /^[0-9a-f]{64}$/);
    await sent.getByLabel('Sent to (CSIRT or authority)').fill('BSI');
    await sent.getByRole('button', { name: 'Record as sent' }).click();
    await sent.getByText('Early warning recorded as sent.').waitFor({ timeout: 10_000 });
    await page.locator('.incident-detail').getByText(/^Early warning: sent .+ → BSI/).waitFor({ timeout: 15_000 });
    await waitFor('the early-warning clock met', 15_000, async () => (await page.locator('tr.clock-early-warning').getAttribute('data-state')) === 'met');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the incident with its forms');

    // Assess a requirement: not applicable without a reason is refused next to the reason.
    await page.getByRole('link', { name: 'Governance' }).click();
    await page.getByRole('button', { name: 'Assess nis2-21.2.b' }).click();
    const assess = page.locator('form.requirement-assess');
    // Focus moves once the form has rendered (a frame later on a loaded machine).
    await waitFor('the form opens on Status', 5_000, async () => (await page.evaluate(() => (document.activeElement as HTMLSelectElement | null)?.name)) === 'status');
    await assess.getByLabel('Status').selectOption('not-applicable');
    await assess.getByLabel('Owner (empty: nobody)').fill('CISO');
    await assess.getByRole('button', { name: 'Save changes' }).click();
    await assess.locator('.field-error[id$="-reason-error"]').getByText(/needs the reason why/).waitFor({ timeout: 10_000 });
    assert.equal(await assess.getByLabel('Owner (empty: nobody)').inputValue(), 'CISO');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the assessment with a refused field');
    await assess.getByLabel('Reason it is not applied (needed for not applicable)').fill('Incident handling is run by the group CERT.');
    await assess.getByRole('button', { name: 'Save changes' }).click();
    await assess.getByText('nis2-21.2.b assessed; the audit log records it.').waitFor({ timeout: 10_000 });
    const row = page.locator('tr.requirement[data-requirement-id="nis2-21.2.b"] td');
    assert.deepEqual((await row.allTextContents()).slice(2, 5), ['Not applicable', 'CISO', 'Incident handling is run by the group CERT.']);
    await assess.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Assess nis2-21.2.b', 'the focus returns to the row');
    assert.deepEqual(errors.filter((e) => !/status of (400|401|409)/.test(e)), []);
  });

  it('fits the camera, inventory, incident and assessment forms on a 390 px phone, in German', async () => {
    const { page } = await pageOf('ada', 390);
    await page.getByLabel(/Language|Sprache/).selectOption('de');
    await page.getByRole('link', { name: 'Kameras' }).click();
    const card = cardOf(page, gate);
    await card.locator('button.camera-edit-toggle').click();
    await card.locator('form.camera-edit').getByLabel('RTSP-URL').waitFor();
    assert.equal(await noOverflow(page), true, 'no horizontal overflow (camera form)');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the camera form at 390 px, German');
    await page.locator('nav.tabs a[href="#/inventory"]').click();
    await page.locator(`tr.asset[data-camera-id="${gate}"] button.asset-toggle`).click();
    await page.locator('form.asset-fields').getByLabel('Standort').waitFor({ timeout: 10_000 });
    assert.equal(await noOverflow(page), true, 'no horizontal overflow (inventory fields)');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the inventory fields at 390 px, German');

    const officer = await pageOf('cora', 390);
    await officer.page.getByLabel(/Language|Sprache/).selectOption('de');
    await officer.page.locator('nav.tabs a[href="#/incidents"]').click();
    await officer.page.locator('button.incident-open').first().click();
    await officer.page.getByRole('button', { name: 'Vorfall bearbeiten' }).click();
    await officer.page.locator('form.incident-edit').getByLabel('Schweregrad').waitFor();
    assert.equal(await noOverflow(officer.page), true, 'no horizontal overflow (incident form)');
    assert.deepEqual(await axeViolations(officer.page), [], 'axe-core on the incident form at 390 px, German');
    await officer.page.locator('nav.tabs a[href="#/governance"]').click();
    await officer.page.locator('tr.requirement[data-requirement-id="nis2-21.2.c"] button.assess').click();
    await officer.page.locator('form.requirement-assess').getByLabel('Status').waitFor({ timeout: 10_000 });
    assert.equal(await noOverflow(officer.page), true, 'no horizontal overflow (assessment form)');
    assert.deepEqual(await axeViolations(officer.page), [], 'axe-core on the assessment form at 390 px, German');
  });

  it('offers an auditor and a viewer none of the edit controls', async () => {
    const auditor = await pageOf('audrey');
    assert.ok((await consoleTabs(auditor.page)).includes('Incidents'));
    await auditor.page.getByRole('link', { name: 'Incidents' }).click();
    await auditor.page.getByRole('button', { name: 'Open Camera VLAN scanned' }).click();
    await auditor.page.locator('.incident-detail').waitFor({ timeout: 10_000 });
    assert.equal(await auditor.page.locator('.incident-edit-toggle, form.incident-submission').count(), 0, 'no incident editing without incident.manage');
    await auditor.page.getByRole('link', { name: 'Governance' }).click();
    await auditor.page.locator('tr.requirement').first().waitFor({ timeout: 10_000 });
    assert.equal(await auditor.page.locator('button.assess').count(), 0, 'no assessment without governance.manage');
    await auditor.page.getByRole('link', { name: 'Cameras' }).click();
    await cardOf(auditor.page, gate).waitFor({ timeout: 10_000 });
    assert.equal(await auditor.page.locator('.camera-admin').count(), 0, 'no camera administration without camera.manage');
    await auditor.page.getByRole('link', { name: 'Inventory' }).click();
    await auditor.page.locator('tr.asset').first().waitFor({ timeout: 10_000 });
    assert.equal(await auditor.page.locator('form.asset-fields, button.asset-toggle').count(), 0, 'no inventory editing without camera.manage');
    assert.deepEqual(await axeViolations(auditor.page), [], 'axe-core for the auditor');

    const viewer = await pageOf('vic');
    await viewer.page.getByRole('link', { name: 'Cameras' }).click();
    await cardOf(viewer.page, gate).waitFor({ timeout: 10_000 });
    assert.equal(await viewer.page.locator('.camera-admin, .camera-edit-toggle, form.retention-form').count(), 0, 'no camera administration for a viewer');
  });

  it('lets an administrator grant a role with an expiry, and a compliance officer acknowledge an alarm', async () => {
    const { page } = await pageOf('ada');
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    const vic = page.locator('li.user', { hasText: '(vic)' });
    await vic.waitFor({ timeout: 10_000 });
    const until = await page.evaluate(() => {
      const d = new Date(Date.now() + 2 * 86_400_000);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    });
    await vic.getByLabel('Role').selectOption('operator');
    await vic.getByLabel('Scope').fill(`camera:${gate}`);
    await vic.getByLabel('Expires (optional)').fill(until);
    await vic.getByRole('button', { name: 'Grant' }).click();
    await page.getByText('Granted operator to vic.').waitFor({ timeout: 10_000 });
    await vic.locator('.grant-list li', { hasText: `camera:${gate}` }).getByText(/until /).waitFor({ timeout: 10_000 });
    const grants = await app!.identity.grants.ofUser(userIds.vic!);
    const granted = grants.find((g) => g.role === 'operator');
    assert.ok(granted, 'the grant is stored');
    assert.equal(granted.expiresMs, await page.evaluate((v) => new Date(v).getTime(), until), 'it expires at the time entered (browser time zone)');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the users screen with a grant that expires');

    // An alarm (the administrators granted at setup raise privilege-assigned): acknowledged from the panel.
    const officer = await pageOf('cora');
    await officer.page.getByRole('link', { name: 'Alarms' }).click();
    const open = officer.page.locator('li.alarm.status-open').first();
    await open.waitFor({ timeout: 20_000 });
    const title = ((await open.locator('strong').textContent()) ?? '').trim();
    const openBefore = await officer.page.locator('li.alarm.status-open').count();
    await open.getByRole('button', { name: `Acknowledge ${title}` }).click();
    await waitFor('one alarm fewer open', 10_000, async () => (await officer.page.locator('li.alarm.status-open').count()) === openBefore - 1);
    const res = await (await testPrincipal(app!, { roles: ['compliance-officer'] })).inject({ method: 'GET', url: '/api/v1/alarms' });
    assert.ok(res.json<{ title: string; status: string }[]>().some((a) => a.title === title && a.status !== 'open'), 'the server has it acknowledged');
    assert.deepEqual(await axeViolations(officer.page), [], 'axe-core on the alarms panel');
  });

  it('filters the audit viewer by actor and time for an auditor', async () => {
    await pageOf('ada'); // the administrator signs in: an event of theirs in the window
    const { page } = await pageOf('audrey');
    await page.getByRole('link', { name: 'Audit' }).click();
    const filters = page.getByRole('form', { name: 'Filters' });
    const local = (ms: number) =>
      page.evaluate((t) => {
        const d = new Date(t);
        const p = (n: number) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
      }, ms);
    await filters.getByLabel('Actor (user id)').fill(userIds.ada!);
    await filters.getByLabel('From', { exact: true }).fill(await local(setupStartMs - 60_000));
    await filters.getByLabel('To', { exact: true }).fill(await local(Date.now() + 120_000));
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    const rows = page.locator('#audit-view table.events tbody tr');
    await waitFor('the administrator\'s events', 10_000, async () => (await rows.count()) > 0 && (await rows.first().locator('td').nth(3).textContent()) === `user:${userIds.ada}`);
    const actors = await page.locator('#audit-view table.events tbody tr td:nth-child(4)').allTextContents();
    assert.deepEqual([...new Set(actors)], [`user:${userIds.ada}`], 'only the chosen actor');
    const types = await page.locator('#audit-view table.events tbody tr td:nth-child(3) code').allTextContents();
    assert.ok(types.includes('auth.login.succeeded'), `the administrator's sign-in is there: ${[...new Set(types)].join(', ')}`);
    // A window that ends before the administrator did anything: nothing matches.
    await filters.getByLabel('From', { exact: true }).fill('');
    await filters.getByLabel('To', { exact: true }).fill(await local(setupStartMs - 120_000));
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No events match.').waitFor({ timeout: 10_000 });
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the filtered audit viewer');
  });
});
