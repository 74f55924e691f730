/**
 * The operator console per role, end to end through the real server and Chromium (issue 19):
 * a viewer lands on live video and sees no playback, export or admin controls; the live grid
 * changes layout, maximises and zooms; a camera that stops gets a "no signal since" overlay;
 * badges turn grey "Unknown" when the server cannot be reached; polls carry the background
 * header; an auditor lands on the audit log and opens no live socket; at 390 px Log out stays
 * on screen; German on request; axe-core finds no violation on any screen visited. Real: two
 * camsim servers (one camera each, so one can stop), ffmpeg, SQLite, HTTPS, Chromium, axe-core.
 * Screenshots (1440×900, 390×844, dark) go to CUSTOS_SCREENSHOT_DIR, else the temp directory.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page, Route } from 'playwright-core';
import type { App } from '../../src/app.ts';
import type { Camsim } from '../../tools/camsim/camsim.ts';
import { strongPassword } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { axeViolations } from '../helpers/axe.ts';
import { collectPageErrors, launchChromium } from '../helpers/chromium.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { consoleTabs, signIn } from '../helpers/console-page.ts';
import { teardown } from '../helpers/teardown.ts';

const screenshotDir = process.env.CUSTOS_SCREENSHOT_DIR ?? tmpdir();
/** The live tile of the camera with exactly this name. */
function tileOf(page: Page, name: string): Locator {
  return page.locator('.live-tile', { has: page.locator('.camera-name', { hasText: new RegExp(`^${name}$`) }) });
}

/** Waits until a tile's live video shows frames with its time advancing. */
async function expectPlaying(page: Page, name: string): Promise<void> {
  const video = tileOf(page, name).locator('video.live-video');
  await waitFor(`live video of ${name}`, 20_000, async () =>
    video.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && !v.paused && v.currentTime > 0 && v.videoWidth > 0),
  );
}

/** The console's navigation, as its links read. */
const tabs = consoleTabs;

describe('The operator console, by role', () => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let simA: Camsim | undefined;
  let simB: Camsim | undefined;
  let simC: Camsim | undefined;
  let app: App | undefined;
  let browser: Browser | undefined;
  let viewer: { context: BrowserContext; page: Page; errors: string[] };
  const viewerPassword = strongPassword();
  const auditorPassword = strongPassword();
  const listerPassword = strongPassword();
  const adminPassword = strongPassword();
  let cam1 = '';
  let cam2 = '';
  const pollHeaders: Array<string | undefined> = [];
  const viewerSockets: string[] = [];

  const defer = teardown({ after });

  before(async () => {
    dir = await tempDir('e2e-console');
    defer(() => dir?.remove());
    simA = await startTestCamsim({ cameras: 1 });
    defer(() => simA?.close());
    simB = await startTestCamsim({ cameras: 1 });
    defer(() => simB?.close());
    // A third camera, added through the console by the administrator.
    simC = await startTestCamsim({ cameras: 1 });
    defer(() => simC?.close());
    // The auditor's second factor is covered by login.e2e.test.ts; here it is switched off.
    // `lister` sees every camera but may watch none: with a viewer grant on Cam 1 only, Cam 2's
    // live socket is refused, the case of a scoped viewer.
    app = await startTestApp(dir.path, {
      'recording.segmentSeconds': 4,
      'identity.roles': { auditor: { mfa: false }, admin: { mfa: false }, lister: { permissions: ['camera.read'], mfa: false, description: 'Lists cameras.' } },
    });
    defer(() => app?.close());
    cam1 = (await app.cameras.add({ name: 'Cam 1', url: simA.urls[0]! }, testActor)).id;
    cam2 = (await app.cameras.add({ name: 'Cam 2', url: simB.urls[0]! }, testActor)).id;
    const lena = await app.identity.users.create({ username: 'lena', password: listerPassword }, testActor);
    await app.identity.grants.grant(lena, { role: 'lister', scope: 'global' }, { audit: testActor, userId: null });
    await app.identity.grants.grant(lena, { role: 'viewer', scope: `camera:${cam1}` }, { audit: testActor, userId: null });
    const ada = await app.identity.users.create({ username: 'ada', displayName: 'Ada Admin', password: adminPassword }, testActor);
    await app.identity.grants.grant(ada, { role: 'admin', scope: 'global' }, { audit: testActor, userId: null });
    const vic = await app.identity.users.create({ username: 'vic', displayName: 'Vic Viewer', password: viewerPassword }, testActor);
    await app.identity.grants.grant(vic, { role: 'viewer', scope: 'global' }, { audit: testActor, userId: null });
    const audrey = await app.identity.users.create({ username: 'audrey', displayName: 'Audrey Auditor', password: auditorPassword }, testActor);
    await app.identity.grants.grant(audrey, { role: 'auditor', scope: 'global' }, { audit: testActor, userId: null });
    browser = await launchChromium();
    defer(() => browser?.close());
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    viewer = { context, page, errors: collectPageErrors(page) };
    page.on('websocket', (ws) => viewerSockets.push(ws.url()));
    page.on('request', (req) => {
      if (req.method() === 'GET' && new URL(req.url()).pathname === '/api/v1/cameras') pollHeaders.push(req.headers()['x-custos-background']);
    });
    await page.goto(app.url);
    await signIn(page, 'vic', viewerPassword);
  });

  it('lands a viewer on live video with both tiles playing, and offers no playback, export or admin controls', async () => {
    const { page } = viewer;
    await page.locator('#live-view').waitFor({ state: 'visible' });
    await expectPlaying(page, 'Cam 1');
    await expectPlaying(page, 'Cam 2');
    assert.deepEqual(await tabs(page), ['Live', 'Cameras'], 'a viewer has no alarms, audit or user screens');
    assert.equal(await page.locator('#first-run-guide').count(), 0);
    await page.screenshot({ path: join(screenshotDir, 'console-live-1440.png') });
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the live screen');

    await page.getByRole('link', { name: 'Cameras' }).click();
    await waitFor('both camera cards', 10_000, async () => (await page.locator('.camera-card').count()) === 2);
    assert.equal(await page.locator('button.play-recent').count(), 0, 'no playback without recording.play');
    assert.equal(await page.locator('button.export-minute').count(), 0, 'no export without recording.export');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the cameras screen');
    await page.getByRole('link', { name: 'Live' }).click();
    await expectPlaying(page, 'Cam 1');
  });

  it('changes the grid layout, pages, maximises a tile and zooms into it', async () => {
    const { page } = viewer;
    await page.getByRole('button', { name: '1 tile', exact: true }).click();
    assert.equal(await page.locator('.live-tile').count(), 1);
    assert.equal(await page.locator('.pager span').textContent(), 'Page 1 of 2');
    await page.getByRole('button', { name: 'Next page' }).click();
    assert.deepEqual(await page.locator('.live-tile .camera-name').allTextContents(), ['Cam 2']);
    await page.getByRole('button', { name: '4 tiles' }).click();
    assert.equal(await page.locator('.live-tile').count(), 2);

    // Tiles of the first 2×2 grid asked for the sub-stream (camsim has none: the server serves the
    // main one); the 1-tile layout and a maximised tile ask for the main stream.
    assert.ok(viewerSockets.slice(0, 2).every((u) => u.endsWith('/live?stream=sub')), viewerSockets.join(' '));
    assert.ok(viewerSockets.some((u) => u.endsWith('/live')), 'the 1-tile layout asked for the main stream');
    const before = viewerSockets.length;
    await page.getByRole('button', { name: 'Maximise Cam 1' }).click();
    assert.deepEqual(await page.locator('.live-tile .camera-name').allTextContents(), ['Cam 1']);
    // The tile may still play its grid stream for a moment (camsim has no sub-stream, so the two
    // look alike): wait for the main stream's socket rather than for any playing video.
    await waitFor('the maximised tile asks for the main stream', 15_000, () => viewerSockets.slice(before).some((u) => u.endsWith(`/cameras/${cam1}/live`)));
    await expectPlaying(page, 'Cam 1');
    await page.getByRole('button', { name: 'Zoom into Cam 1' }).click();
    await page.getByRole('button', { name: 'Zoom into Cam 1' }).click();
    const video = tileOf(page, 'Cam 1').locator('video.live-video');
    const transform = () => video.evaluate((v: HTMLVideoElement) => v.style.transform);
    await waitFor('a 3× zoom', 5_000, async () => /^scale\(3\) translate\(0%, 0%\)$/.test(await transform()));
    // Keyboard: the zoomed frame pans with the arrow keys.
    await tileOf(page, 'Cam 1').locator('.video-frame').focus();
    await page.keyboard.press('ArrowLeft');
    await waitFor('a pan to the left', 5_000, async () => /^scale\(3\) translate\(5%, 0%\)$/.test(await transform()));
    await page.getByRole('button', { name: 'Reset zoom of Cam 1' }).click();
    await waitFor('no zoom', 5_000, async () => (await transform()) === '');
    await page.getByRole('button', { name: 'Back to the grid from Cam 1' }).click();
    assert.equal(await page.locator('.live-tile').count(), 2);
  });

  it('turns every badge grey "Unknown" while the server cannot be reached, and back when it can', async () => {
    const { page } = viewer;
    // The browser's connections to the API are refused, as when the server is down.
    const refuse = (route: Route) => route.abort('connectionrefused');
    await page.route('**/api/v1/cameras', refuse);
    try {
      await waitFor('unknown badges', 15_000, async () => {
        const states = await page.locator('.live-tile .camera-state').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.state));
        return states.length === 2 && states.every((s) => s === 'unknown');
      });
      assert.deepEqual(await page.locator('.live-tile .camera-state').allTextContents(), ['Unknown', 'Unknown']);
      assert.match((await page.locator('#refresh-status').textContent()) ?? '', /cannot be reached/);
    } finally {
      await page.unroute('**/api/v1/cameras', refuse);
    }
    await waitFor('recording badges again', 15_000, async () => {
      const states = await page.locator('.live-tile .camera-state').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.state));
      return states.length === 2 && states.every((s) => s === 'recording');
    });
  });

  it('stops asking for a live view the server refuses after three attempts, while the permitted tile plays', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
    try {
      const page = await context.newPage();
      const attempts = { [cam1]: 0, [cam2]: 0 };
      page.on('websocket', (ws) => {
        for (const id of [cam1, cam2]) if (ws.url().includes(id)) attempts[id] = (attempts[id] ?? 0) + 1;
      });
      await page.goto(app!.url);
      await signIn(page, 'lena', listerPassword);
      await expectPlaying(page, 'Cam 1');
      const retry = tileOf(page, 'Cam 2').getByRole('button', { name: 'Try again' });
      await retry.waitFor({ state: 'visible', timeout: 20_000 });
      await page.waitForTimeout(4000);
      assert.equal(attempts[cam2], 3, 'three refused attempts, then none');
      assert.equal(attempts[cam1], 1);
      assert.match((await tileOf(page, 'Cam 2').locator('.live-status').textContent()) ?? '', /stopped retrying/);
      await retry.click();
      await waitFor('three more attempts after Try again', 20_000, async () => attempts[cam2] === 6 && (await retry.isVisible()));
    } finally {
      await context.close();
    }
  });

  it('shows "No signal since …" over a camera that stops, and only over that one', async () => {
    const { page } = viewer;
    await expectPlaying(page, 'Cam 1');
    await expectPlaying(page, 'Cam 2');
    await simB!.close();
    const overlay = tileOf(page, 'Cam 2').locator('.no-signal');
    await overlay.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match((await overlay.textContent()) ?? '', /^No signalNo signal since \d{1,2}:\d{2}:\d{2}/);
    assert.equal(await tileOf(page, 'Cam 1').locator('.no-signal').count(), 0);
    await page.screenshot({ path: join(screenshotDir, 'console-no-signal-1440.png') });
    assert.deepEqual(await axeViolations(page), [], 'axe-core with the overlay shown');
  });

  it('lands an auditor on the audit log, without live screen and without opening a single live socket', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    try {
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      let sockets = 0;
      page.on('websocket', () => (sockets += 1));
      await page.goto(app!.url);
      await signIn(page, 'audrey', auditorPassword);
      await page.locator('#audit-view').waitFor({ state: 'visible', timeout: 10_000 });
      assert.deepEqual(await tabs(page), ['Cameras', 'Inventory', 'Alarms', 'Incidents', 'Audit', 'Governance', 'Residency', 'Access register']);
      await waitFor('audit events', 10_000, async () => (await page.locator('table.events tbody tr').count()) > 0);
      // Newest first, and each event opens its committed record.
      const seqs = (await page.locator('table.events tbody tr td:first-child').allTextContents()).map(Number);
      assert.ok(seqs.length > 1 && seqs[0]! > seqs.at(-1)!, `newest first: ${seqs.slice(0, 3).join(', ')}…`);
      await page.getByRole('button', { name: `Event ${seqs[0]}: show or hide the committed record` }).click();
      assert.match((await page.locator('tr.event-detail pre').textContent()) ?? '', /"record"/);
      await page.waitForTimeout(3000);
      assert.equal(sockets, 0, 'no live socket was opened');
      await page.screenshot({ path: join(screenshotDir, 'console-audit-dark-1440.png') });
      assert.deepEqual(await axeViolations(page), [], 'axe-core on the audit screen (dark)');
      await page.getByRole('link', { name: 'Cameras' }).click();
      await page.locator('#export-history').getByText('Export history').waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('button.play-recent, button.export-minute, .camera-admin').count(), 0, 'an auditor sees no video controls');
      assert.deepEqual(await axeViolations(page), [], 'axe-core on the cameras screen of an auditor');
      await page.getByRole('link', { name: 'Alarms' }).click();
      await page.locator('#alarms-view').waitFor({ state: 'visible' });
      assert.deepEqual(await axeViolations(page), [], 'axe-core on the alarms screen');
      assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
    } finally {
      await context.close();
    }
  });

  it('keeps Log out on screen at 390 px, and speaks German on request', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const page = await context.newPage();
      await page.goto(app!.url);
      assert.deepEqual(await axeViolations(page), [], 'axe-core on the sign-in screen');
      await signIn(page, 'vic', viewerPassword);
      await expectPlaying(page, 'Cam 1');
      const box = await page.getByRole('button', { name: 'Log out' }).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844, `Log out at ${JSON.stringify(box)}`);
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 390), true, 'no horizontal overflow');
      await page.screenshot({ path: join(screenshotDir, 'console-live-390.png') });
      assert.deepEqual(await axeViolations(page), [], 'axe-core at 390 px');

      await page.getByRole('combobox', { name: 'Language' }).selectOption('de');
      assert.deepEqual(await tabs(page), ['Live', 'Kameras']);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
      assert.equal(await page.getByRole('button', { name: 'Abmelden' }).isVisible(), true);
      assert.deepEqual(await axeViolations(page), [], 'axe-core in German');
      await page.getByRole('combobox', { name: 'Sprache' }).selectOption('en');
    } finally {
      await context.close();
    }
  });

  it('warns before the idle timeout, keeps the session on request, then signs out and closes the live sockets', async () => {
    // The page's clock runs fake (Playwright's clock), so fifteen idle minutes pass in a moment;
    // the server's own idle clock is not involved (its session stays valid, so logout succeeds).
    const context = await browser!.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
    try {
      await context.clock.install();
      const page = await context.newPage();
      let open = 0;
      page.on('websocket', (ws) => {
        open += 1;
        ws.on('close', () => (open -= 1));
      });
      await page.goto(app!.url);
      await signIn(page, 'vic', viewerPassword);
      await waitFor('live sockets', 15_000, async () => open >= 1);
      const warning = page.locator('#idle-warning');
      await page.clock.fastForward('14:05');
      await warning.waitFor({ state: 'visible', timeout: 5_000 });
      assert.match((await warning.textContent()) ?? '', /signed out in \d+ s/);
      await page.getByRole('button', { name: 'Stay signed in' }).click();
      await warning.waitFor({ state: 'hidden', timeout: 5_000 });
      await page.clock.fastForward('15:05');
      await page.locator('#login-view').waitFor({ state: 'visible', timeout: 10_000 });
      assert.equal(await page.locator('#auth-info').textContent(), 'You were signed out after a period without activity.');
      await waitFor('every live socket closed', 10_000, async () => open === 0);
    } finally {
      await context.close();
    }
  });

  it('lets an administrator add a camera and watch it connect, disable it and remove it, with no playback or export', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(app!.url);
      await signIn(page, 'ada', adminPassword);
      assert.deepEqual(await tabs(page), ['Live', 'Cameras', 'Inventory', 'Approvals', 'Users', 'Health', 'Sites']);
      await page.getByRole('link', { name: 'Health' }).click();
      await page.locator('#health-view').getByText('All parts work').waitFor({ timeout: 10_000 });
      assert.deepEqual(
        await page.locator('#health-view .health-parts li').allInnerTexts(),
        ['works Database', 'works Recording index', 'works Audit ledger', 'works Master key provider', 'works Disk'],
        'each part, the key provider included, with its state',
      );
      assert.deepEqual(await axeViolations(page), [], 'axe-core on the health screen');
      assert.equal(await page.locator('#first-run-guide').count(), 0, 'other users exist: no guide');
      await page.getByRole('link', { name: 'Approvals' }).click();
      await page.getByText('Nothing waits for your decision.').waitFor({ timeout: 10_000 });
      assert.deepEqual(await axeViolations(page), [], 'axe-core on the approvals screen');
      await page.getByRole('link', { name: 'Cameras' }).click();
      await waitFor('the camera cards', 10_000, async () => (await page.locator('.camera-card').count()) === 2);
      assert.equal(await page.locator('button.play-recent, button.export-minute').count(), 0, 'the admin role neither plays back nor exports');
      await page.getByRole('button', { name: 'Add a camera' }).click();
      const form = page.locator('form.admin-form');
      await form.getByLabel('Name').fill('Cam 3');
      await form.getByLabel('RTSP URL').fill(simC!.urls[0]!);
      await form.getByRole('button', { name: 'Add and connect' }).click();
      const result = page.locator('.add-camera [role=status]');
      await waitFor('the connection test to pass', 30_000, async () => (await result.textContent())?.includes('Connected: recording.') === true).catch(async (e: unknown) => {
        throw new Error(`${String(e)}; the page says "${await result.textContent()}"`, { cause: e });
      });
      assert.deepEqual(await axeViolations(page), [], 'axe-core on the cameras screen of an administrator');
      await page.screenshot({ path: join(screenshotDir, 'console-admin-cameras-1440.png'), fullPage: true });

      const card = page.locator('.camera-card', { has: page.locator('.camera-name', { hasText: /^Cam 3$/ }) });
      await card.getByRole('button', { name: 'Disable' }).click();
      await waitFor('Cam 3 disabled', 15_000, async () => (await card.locator('.camera-state').getAttribute('data-state')) === 'disabled');
      await card.getByRole('button', { name: 'Remove…' }).click();
      await card.getByRole('button', { name: 'Remove Cam 3 now' }).click();
      await waitFor('Cam 3 gone', 15_000, async () => (await page.locator('.camera-card').count()) === 2);
      assert.equal((await app!.cameras.list()).some((c) => c.name === 'Cam 3'), false);

      // Users and grants: a viewer grant on one camera for lena, then revoked.
      await page.getByRole('link', { name: 'Users' }).click();
      const lena = page.locator('li.user', { hasText: '(lena)' });
      await lena.waitFor({ timeout: 10_000 });
      await lena.getByLabel('Role').selectOption('viewer');
      await lena.getByLabel('Scope').fill(`camera:${cam2}`);
      await lena.getByRole('button', { name: 'Grant' }).click();
      await page.getByText('Granted viewer to lena.').waitFor({ timeout: 10_000 });
      await lena.getByText(`camera:${cam2}`).waitFor({ timeout: 10_000 });
      assert.deepEqual(await axeViolations(page), [], 'axe-core on the users screen');
      await lena.locator('.grant-list li', { hasText: `camera:${cam2}` }).getByRole('button', { name: 'Revoke viewer of lena' }).click();
      await page.getByText('Grant revoked.').waitFor({ timeout: 10_000 });
      await waitFor('the grant gone', 10_000, async () => (await lena.getByText(`camera:${cam2}`).count()) === 0);
    } finally {
      await context.close();
    }
  });

  it('sent every camera poll with X-Custos-Background: 1, so polling is not activity', () => {
    assert.ok(pollHeaders.length >= 2, `polls seen: ${pollHeaders.length}`);
    assert.deepEqual(new Set(pollHeaders), new Set(['1']));
  });

  it('logs no errors to the browser console beyond the expected ones', () => {
    // Expected: the signed-out /auth/me (401) and the polls refused on purpose above.
    assert.deepEqual(
      viewer.errors.filter((e) => !/status of 401|ERR_CONNECTION_REFUSED|ERR_FAILED/.test(e)),
      [],
    );
  });
});
