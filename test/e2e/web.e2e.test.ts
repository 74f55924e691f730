/**
 * End to end through the real server and Chromium: two simulated cameras (camsim, small clip)
 * recorded by the app in-process, the web page opened in headless Chromium and signed in
 * through its login form as an investigator (live, playback, export; no MFA). Real: camsim,
 * ffmpeg, SQLite, the HTTPS server, sessions and CSRF, Chromium's MSE and hls.js. Nothing is mocked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { App } from '../../src/app.ts';
import type { Camsim } from '../../tools/camsim/camsim.ts';
import { axeViolations } from '../helpers/axe.ts';
import { collectPageErrors, launchChromium, newTrustingContext } from '../helpers/chromium.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { testActor } from '../helpers/audit.ts';
import { strongPassword } from '../helpers/access.ts';
import { teardown } from '../helpers/teardown.ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyEvidence } from '../../src/evidence/verify-evidence.ts';

const screenshotPath = '/tmp/custos-e2e.png';

/** What the test reads from a <video>. */
interface VideoState {
  currentTime: number;
  videoWidth: number;
  videoHeight: number;
  readyState: number;
  paused: boolean;
  error: string | null;
}

function videoState(video: Locator): Promise<VideoState> {
  return video.evaluate((v: HTMLVideoElement) => ({
    currentTime: v.currentTime,
    videoWidth: v.videoWidth,
    videoHeight: v.videoHeight,
    readyState: v.readyState,
    paused: v.paused,
    error: v.error ? `${v.error.code} ${v.error.message}` : null,
  }));
}

/** The card (cameras screen) of the camera with exactly this name. */
function cardOf(page: Page, name: string): Locator {
  return page.locator('.camera-card', { has: page.locator('.camera-name', { hasText: new RegExp(`^${name}$`) }) });
}

/** The live tile (live screen) of the camera with exactly this name. */
function tileOf(page: Page, name: string): Locator {
  return page.locator('.live-tile', { has: page.locator('.camera-name', { hasText: new RegExp(`^${name}$`) }) });
}

describe('The web page, served by Custos recording two simulated cameras', () => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let sim: Camsim | undefined;
  let app: App | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let pageErrors: string[] = [];
  let baseUrl = '';
  const cameraIds: string[] = [];

  const defer = teardown({ after });

  before(async () => {
    dir = await tempDir('e2e-web');
    defer(() => dir?.remove());
    sim = await startTestCamsim({ cameras: 2 });
    defer(() => sim?.close());
    app = await startTestApp(dir.path, { 'recording.segmentSeconds': 4 });
    defer(() => app?.close());
    for (const [i, url] of sim.urls.entries()) {
      cameraIds.push((await app.cameras.add({ name: `Cam ${i + 1}`, url }, testActor)).id);
    }
    const password = strongPassword();
    const user = await app.identity.users.create({ username: 'ines', displayName: 'Ines Investigator', password }, testActor);
    await app.identity.grants.grant(user, { role: 'investigator', scope: 'global' }, { audit: testActor, userId: null });
    baseUrl = app.url;
    browser = await launchChromium();
    defer(() => browser?.close());
    page = await (await newTrustingContext(browser)).newPage();
    // The screenshot is a diagnostic: taking it may fail without failing the run.
    defer(() => page.screenshot({ path: screenshotPath, fullPage: true }).catch((e: unknown) => console.error('e2e screenshot failed:', e)));
    pageErrors = collectPageErrors(page);
    await page.goto(baseUrl);
    // Not signed in yet: the page's first question (/auth/me) is answered 401, which Chromium
    // logs as a failed load; that one message is expected, anything else is not.
    const form = page.locator('#login-form');
    await form.waitFor({ state: 'visible', timeout: 10_000 });
    await form.getByLabel('User name').fill('ines');
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#console-view').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await page.locator('#session-name').textContent(), 'Ines Investigator');
    const expected = pageErrors.filter((e) => /status of 401/.test(e));
    assert.ok(expected.length <= 1, `only the signed-out /auth/me answer may fail: ${JSON.stringify(pageErrors)}`);
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !expected.includes(e)));
  });

  it('lists both cameras with the state recording within 30 seconds', async () => {
    // An investigator watches: the console opens on the live screen.
    await page.locator('#live-view').waitFor({ state: 'visible', timeout: 10_000 });
    const states = page.locator('.camera-state');
    await waitFor('both cameras shown as recording', 30_000, async () => {
      const shown = await states.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.state));
      return shown.length === 2 && shown.every((s) => s === 'recording');
    });
    assert.deepEqual(await page.locator('.camera-name').allTextContents(), ['Cam 1', 'Cam 2']);
  });

  it('plays each camera live at 640 pixels wide, its time advancing', async () => {
    for (const name of ['Cam 1', 'Cam 2']) {
      const video = tileOf(page, name).locator('video.live-video');
      const start = await waitFor(`live video of ${name} to have frames`, 15_000, async () => {
        const s = await videoState(video);
        assert.equal(s.error, null, `live video of ${name} failed`);
        return s.readyState >= 2 && !s.paused && s.videoWidth > 0 ? s : null;
      });
      assert.equal(start.videoWidth, 640);
      assert.equal(start.videoHeight, 360);
      await page.waitForTimeout(2000);
      const later = await videoState(video);
      assert.ok(later.currentTime - start.currentTime >= 1, `live time of ${name} advanced only from ${start.currentTime} to ${later.currentTime}`);
    }
  });

  it('flags both cameras as unencrypted on the cameras screen', async () => {
    await page.getByRole('link', { name: 'Cameras' }).click();
    await page.locator('#cameras-view').waitFor({ state: 'visible', timeout: 10_000 });
    // camsim speaks rtsp://, so the page MUST flag both as unencrypted.
    await waitFor('both cards', 10_000, async () => (await page.locator('.camera-transport.risk').count()) === 2);
    assert.deepEqual(await page.locator('.camera-transport.risk').allTextContents(), ['Unencrypted RTSP', 'Unencrypted RTSP']);
  });

  it('plays the last two minutes of camera 1 from the recording with hls.js', async () => {
    // Playback needs a recorded segment first; ask the API so the click cannot race it.
    const id = cameraIds[0] ?? '';
    await waitFor('a recording of camera 1', 20_000, async () => {
      const to = new Date();
      const from = new Date(to.getTime() - 120_000);
      const res = await page.request.get(`${baseUrl}/api/v1/cameras/${id}/playback.m3u8?from=${from.toISOString()}&to=${to.toISOString()}`);
      return res.ok();
    });
    const card = cardOf(page, 'Cam 1');
    await card.locator('button.play-recent').click();
    const video = card.locator('video.playback-video');
    const status = card.locator('.playback-status');
    const playing = await waitFor('the recording of camera 1 to play', 20_000, async () => {
      const s = await videoState(video);
      const failed = await status.evaluate((e) => e.classList.contains('error'));
      assert.ok(!failed, `the page reported: ${await status.textContent()}`);
      assert.equal(s.error, null, 'the playback video failed');
      return s.currentTime > 0 ? s : null;
    }).catch(async (e: unknown) => {
      const s = await videoState(video);
      throw new Error(`${String(e)}; video readyState ${s.readyState}, currentTime ${s.currentTime}; page says "${await status.textContent()}"`, { cause: e });
    });
    assert.equal(playing.videoWidth, 640);
  });

  it('refuses an export without a reason, then exports the last minute of camera 2 with MP4 and a verifiable evidence package', async () => {
    const card = cardOf(page, 'Cam 2');
    await card.locator('button.export-minute').click();
    await waitFor('the custody refusal', 5_000, async () => (await card.locator('.export-status').textContent())?.includes('needs a reason') === true);
    await card.locator('input.export-reason').fill('Incident 2026-117, vehicle at gate');
    await card.locator('input.export-for').fill('Police, case 4711');
    await card.locator('button.export-minute').click();
    const link = card.locator('.export-status a').first();
    // The export waits for the open segment (6 s here) to be sealed into the ledger.
    await waitFor('the export download link', 45_000, async () => {
      const failed = await card.locator('.export-status').evaluate((e) => e.classList.contains('error'));
      assert.ok(!failed, `the page reported: ${await card.locator('.export-status').textContent()}`);
      return (await link.count()) > 0;
    });
    const href = await link.getAttribute('href');
    assert.match(href ?? '', /^\/api\/v1\/exports\/[0-9a-f-]{36}\/file$/);
    const res = await page.request.get(`${baseUrl}${href ?? ''}`);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'video/mp4');
    const body = await res.body();
    assert.equal(body.subarray(4, 8).toString('latin1'), 'ftyp', 'the download is an MP4');

    // The evidence package verifies offline with the server's published key.
    const evidenceHref = await card.locator('.export-status a.evidence-link').getAttribute('href');
    const zip = await page.request.get(`${baseUrl}${evidenceHref ?? ''}`);
    assert.equal(zip.status(), 200);
    const vkey = (await (await page.request.get(`${baseUrl}/api/v1/audit/key`)).text()).trim();
    const path = join((dir as { path: string }).path, 'evidence.zip');
    await writeFile(path, await zip.body());
    const report = await verifyEvidence(path, vkey);
    assert.ok(report.ok, `evidence verifies: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);
  });

  it('plays camera 1 from a point of its timeline, landing within a second of it, and exports the range marked in and out, whose evidence verifies offline', async () => {
    const card = cardOf(page, 'Cam 1');
    await card.getByLabel('Window').selectOption('15');
    await waitFor('a recorded span on the timeline', 15_000, async () => (await card.locator('.timeline-span').count()) > 0);
    // Click inside the recorded span (the last seconds of the 15-minute window), a third of the way in.
    const bar = card.locator('.timeline');
    const video = card.locator('video.playback-video');
    const before = await video.getAttribute('data-playing-at');
    const box = (await bar.boundingBox())!;
    const span = (await card.locator('.timeline-span').last().boundingBox())!;
    await bar.click({ position: { x: span.x - box.x + span.width / 3, y: box.height / 2 } });
    const sought = Date.parse((await bar.getAttribute('data-sought')) ?? '');
    const landed = await waitFor('playback from the timeline', 20_000, async () => {
      const at = await video.getAttribute('data-playing-at');
      return at && at !== before ? Date.parse(at) : null;
    });
    // The first picture's wall-clock time (EXT-X-PROGRAM-DATE-TIME plus the position) is the one
    // asked for, give or take the first timeupdate (about 250 ms of play).
    assert.ok(Math.abs(landed - sought) < 1000, `asked ${new Date(sought).toISOString()}, landed ${new Date(landed).toISOString()}`);
    console.log(`timeline seek: asked ${new Date(sought).toISOString()}, first picture at ${new Date(landed).toISOString()} (${landed - sought} ms)`);
    await card.getByRole('button', { name: 'Mark in' }).click();
    await page.waitForTimeout(2500);
    await card.getByRole('button', { name: 'Mark out' }).click();
    await card.locator('input.export-reason').fill('Incident 2026-118, marked range');
    await card.locator('input.export-for').fill('Police, case 4712');
    const exportRange = card.locator('button.export-range');
    await exportRange.waitFor({ state: 'visible', timeout: 5_000 });
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the playback workspace');
    await exportRange.click();
    await waitFor('the marked export', 45_000, async () => {
      const failed = await card.locator('.export-status').evaluate((e) => e.classList.contains('error'));
      assert.ok(!failed, `the page reported: ${await card.locator('.export-status').textContent()}`);
      return (await card.locator('.export-status a.evidence-link').count()) > 0;
    });
    // The marked range's evidence package verifies offline too, and covers the marks.
    const zip = await page.request.get(`${baseUrl}${(await card.locator('.export-status a.evidence-link').getAttribute('href')) ?? ''}`);
    assert.equal(zip.status(), 200);
    const path = join((dir as { path: string }).path, 'evidence-marked.zip');
    await writeFile(path, await zip.body());
    const report = await verifyEvidence(path, (await (await page.request.get(`${baseUrl}/api/v1/audit/key`)).text()).trim());
    assert.ok(report.ok, `the marked export's evidence verifies: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);
  });

  it('bookmarks the marked range of camera 1, puts it on legal hold and releases it', async () => {
    const card = cardOf(page, 'Cam 1');
    await card.getByLabel('Bookmark note').fill('Vehicle at the gate');
    await card.locator('button.bookmark-create').click();
    const item = card.locator('.bookmark-list li', { hasText: 'Vehicle at the gate' });
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await card.locator('.timeline-bookmark').count(), 1, 'the bookmark is drawn on the timeline');
    await item.getByRole('button', { name: 'Legal hold…' }).click();
    await item.getByLabel('Reason for the hold (case or matter)').fill('Case 4712');
    await item.getByRole('button', { name: 'Place legal hold' }).click();
    await item.getByText('On legal hold').waitFor({ timeout: 10_000 });
    assert.equal(await item.getByRole('button', { name: 'Delete' }).count(), 0, 'a held bookmark cannot be deleted');
    assert.deepEqual(await axeViolations(page), [], 'axe-core with bookmarks and a hold');
    await item.getByRole('button', { name: 'Release hold' }).click();
    await item.getByRole('button', { name: 'Delete' }).waitFor({ timeout: 10_000 });
  });

  it('lists the investigator\'s own exports, newest first, with their downloads', async () => {
    const history = page.locator('#export-history');
    // The history polls every 5 s: wait until it lists both exports as done, with their downloads.
    await waitFor('both exports listed with downloads', 20_000, async () => (await history.locator('tbody a', { hasText: 'Download' }).count()) >= 2);
    assert.deepEqual(await axeViolations(page), [], 'axe-core with the export history');
  });

  it('logs no errors to the browser console', () => {
    assert.deepEqual(pageErrors, []);
  });
});
