/**
 * The console's admin screens, end to end through the real server and Chromium (issue 19 item 7):
 * an administrator creates a site and a camera group; an auditor reads the access register and
 * downloads it as CSV, which names a known user; a viewer creates an API token on "My account",
 * sees its secret once, uses it as a bearer token against /api/v1/auth/me (200), revokes it
 * (then 401), and gets no sites or register screen. axe-core finds no violation on any of them.
 * Real: SQLite, HTTPS, Chromium, axe-core.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../src/app.ts';
import { strongPassword, testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { axeViolations } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { startTestApp, tempDir } from '../helpers/harness.ts';
import { consoleTabs, signedInPage } from '../helpers/console-page.ts';
import { teardown } from '../helpers/teardown.ts';

const tabs = consoleTabs;

/** GET /api/v1/auth/me from the page with only the bearer token (no cookie): the status. */
const meWithToken = (page: Page, token: string) =>
  page.evaluate(async (t) => (await fetch('/api/v1/auth/me', { credentials: 'omit', headers: { authorization: `Bearer ${t}` } })).status, token);

describe('Admin screens: sites and groups, access register, API tokens', () => {
  let app: App | undefined;
  let browser: Browser | undefined;
  const password = strongPassword();
  const ids: Record<string, string> = {};
  const defer = teardown({ after });

  const pageOf = (user: string, width = 1280) => signedInPage(browser!, { url: app!.url, user, password, width, defer });

  before(async () => {
    const dir = await tempDir('e2e-admin-screens');
    defer(() => dir.remove());
    app = await startTestApp(dir.path, { 'identity.roles': { admin: { mfa: false }, auditor: { mfa: false } } });
    defer(() => app?.close());
    for (const [username, role] of [['ada', 'admin'], ['vic', 'viewer'], ['audrey', 'auditor']] as const) {
      const u = await app.identity.users.create({ username, password }, testActor);
      await app.identity.grants.grant(u, { role, scope: 'global' }, { audit: testActor, userId: null });
      ids[username] = u.id;
    }
    // A sensitive grant filed by another administrator: it waits for a second person.
    const other = await testPrincipal(app, { roles: ['admin'] });
    const res = await other.inject({ method: 'POST', url: '/api/v1/access/grants', payload: { userId: ids.vic, role: 'admin', scope: 'global' } });
    assert.equal(JSON.parse(res.body).code, 'APPROVAL_REQUIRED', res.body);
    browser = await launchChromium();
    defer(() => browser?.close());
  });

  it('lets an administrator create a site and a camera group, and see a pending sensitive grant', async () => {
    const { page, errors } = await pageOf('ada');
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    const pending = page.locator('#pending-grants li.pending-grant');
    await pending.waitFor({ timeout: 5000 });
    assert.match((await pending.textContent()) ?? '', /admin on global for vic.*requested by /);
    assert.equal(await pending.getByRole('link', { name: 'Approve or decline in the approvals inbox' }).getAttribute('href'), '#/approvals');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the users screen with a pending grant');
    assert.ok((await tabs(page)).includes('Sites'));
    await page.getByRole('link', { name: 'Sites', exact: true }).click();
    const siteForm = page.locator('form.site-create');
    await siteForm.getByLabel('Short id (a-z, 0-9, -)').fill('hq');
    await siteForm.getByLabel('Name').fill('Headquarters');
    await siteForm.getByRole('checkbox').check();
    await siteForm.getByRole('button', { name: 'Create site' }).click();
    await page.locator('li.site[data-site-id="hq"]').getByText('four-eyes', { exact: true }).waitFor({ timeout: 5000 });

    const groupForm = page.locator('form.group-create');
    await groupForm.getByLabel('Short id (a-z, 0-9, -)').fill('lobby');
    await groupForm.getByLabel('Name').fill('Lobby cameras');
    await groupForm.getByRole('button', { name: 'Create group' }).click();
    await page.locator('li.group[data-group-id="lobby"]').waitFor({ timeout: 5000 });

    // Switching the four-eyes rule off waits for a second person: the page says so.
    const hq = page.locator('li.site[data-site-id="hq"]');
    await hq.getByRole('checkbox').uncheck();
    await hq.getByRole('button', { name: 'Save Headquarters' }).click();
    await page.getByRole('status').getByText('the request is in the approvals inbox').waitFor({ timeout: 5000 });
    assert.equal(await page.getByRole('link', { name: 'Open the approvals inbox' }).count(), 1);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the sites screen');

    // The health screen offers Custos's signed SBOM to system.configure holders (admin).
    await page.getByRole('link', { name: 'Health' }).click();
    const sbom = page.locator('section.sbom');
    await sbom.waitFor({ timeout: 5000 });
    assert.deepEqual(await sbom.locator('a').evaluateAll((links) => links.map((l) => l.getAttribute('href'))), ['/api/v1/sbom', '/api/v1/sbom/signature', '/api/v1/sbom/key']);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the health screen with the SBOM links');
    assert.deepEqual(errors.filter((e) => !/status of (401|403|409|422)/.test(e)), []);
  });

  it('lets an auditor read the access register and download it as CSV', async () => {
    const { page, errors } = await pageOf('audrey');
    assert.ok((await tabs(page)).includes('Access register'));
    assert.ok(!(await tabs(page)).includes('Sites'));
    await page.getByRole('link', { name: 'Access register' }).click();
    await page.locator('tr.grant-row[data-username="vic"]').waitFor({ timeout: 5000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download as CSV' }).click()]);
    const csv = await readFile(await download.path(), 'utf8');
    assert.match(csv, /vic/);
    assert.match(csv, /viewer/);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the access register');
    assert.deepEqual(errors.filter((e) => !/status of (401|403)/.test(e)), []);
  });

  it('lets a viewer create an API token, see its secret once, use it and revoke it; no admin screens', async () => {
    const { page, errors } = await pageOf('vic');
    assert.deepEqual(await tabs(page), ['Live', 'Cameras'], 'no sites or register screen for a viewer');
    await page.getByRole('link', { name: 'My account' }).click();
    await page.locator('#tokens-view').waitFor();
    await page.getByText('You have no API token.').waitFor();
    const form = page.locator('form.token-form');
    await form.getByLabel('Name', { exact: true }).fill('wall script');
    await form.getByRole('checkbox', { name: 'camera.read' }).check();
    await form.getByRole('button', { name: 'Create token' }).click();
    const secretBox = page.locator('#token-secret');
    await secretBox.waitFor({ timeout: 5000 });
    assert.match((await secretBox.textContent()) ?? '', /shown only once/);
    const token = ((await secretBox.locator('.token-value').textContent()) ?? '').trim();
    assert.ok(token.length > 20, 'a secret is shown');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on My account with the secret shown');
    assert.equal(await meWithToken(page, token), 200);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app!.url });
    await secretBox.getByRole('button', { name: 'Copy' }).click();
    await secretBox.getByText('Copied.').waitFor({ timeout: 5000 });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token, 'Copy puts the secret on the clipboard');

    // Dismissed, the secret is gone from the page and not shown again.
    await secretBox.getByRole('button', { name: 'I have stored it' }).click();
    assert.equal(await page.locator('#token-secret').count(), 0);
    await page.reload();
    await page.locator('tr.token-row').waitFor({ timeout: 5000 });
    assert.ok(!((await page.content()).includes(token)), 'the secret is not shown again');

    await page.getByRole('button', { name: 'Revoke the token wall script' }).click();
    await page.getByRole('status').getByText('Token wall script revoked.').waitFor({ timeout: 5000 });
    assert.equal(await meWithToken(page, token), 401);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on My account');
    assert.deepEqual(errors.filter((e) => !/status of (401|403)/.test(e)), []);
  });

  it('keeps My account and Sites usable at 390 px', async () => {
    for (const [user, hash, view] of [['vic', '#/account', '#tokens-view'], ['ada', '#/sites', '#sites-view']] as const) {
      const { page } = await pageOf(user, 390);
      await page.getByRole('link', { name: 'My account' }).waitFor();
      await page.goto(`${app!.url}/${hash}`);
      await page.locator(view).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${hash} overflows by ${overflow} px at 390 px`);
      assert.deepEqual(await axeViolations(page), [], `axe-core on ${hash} at 390 px`);
    }
  });
});
