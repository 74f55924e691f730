/**
 * Playback of several cameras in sync, the date/time jump, custom live layouts and the audit
 * viewer's ledger state, end to end through the real server and Chromium (issue 19 items 2, 4
 * and 7): two camsim cameras recorded by the app, an investigator who also audits. After a jump
 * to a chosen time both players show pictures of that time (within one 1-s fragment of each
 * other and of the time asked); a time before any recording shows "no recording" on both; a
 * custom layout keeps its cameras and order across a reload; the audit viewer shows the latest
 * signed checkpoint and the last `audit.verified` event; axe-core finds no violation.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../src/app.ts';
import type { Camsim } from '../../tools/camsim/camsim.ts';
import { strongPassword } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { axeViolations } from '../helpers/axe.ts';
import { collectPageErrors, launchChromium, newTrustingContext } from '../helpers/chromium.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { teardown } from '../helpers/teardown.ts';

const screenshotDir = process.env.CUSTOS_SCREENSHOT_DIR ?? tmpdir();

/** One recorded fragment (recording.fragmentSeconds, default 1 s): the sync tolerance. */
const fragmentMs = 1000;

/** The first recorded instant and the end of the last span, per camera, as the server says. */
async function spansOf(page: Page, ids: string[]): Promise<Array<{ start: number; end: number } | null>> {
  return page.evaluate(async (cams) => {
    const to = new Date();
    const from = new Date(to.getTime() - 10 * 60_000);
    return Promise.all(
      cams.map(async (id) => {
        const res = await fetch(`/api/v1/cameras/${id}/timeline?from=${from.toISOString()}&to=${to.toISOString()}`);
        const body = (await res.json()) as { spans: Array<{ start: string; end: string }> };
        const first = body.spans[0];
        const last = body.spans.at(-1);
        return first && last ? { start: Date.parse(first.start), end: Date.parse(last.end) } : null;
      }),
    );
  }, ids);
}

/** A time as the browser's datetime-local value (its own time zone), to the second. */
const localValue = (page: Page, ms: number) =>
  page.evaluate((t) => {
    const d = new Date(t);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }, ms);

/** What each synchronised player shows, by camera name. */
const playingAt = (page: Page) =>
  page.locator('.sync-tile').evaluateAll((tiles) =>
    tiles.map((t) => ({ name: t.querySelector('.camera-name')?.textContent ?? '', at: t.querySelector('video')?.dataset.playingAt ?? null })),
  );

describe('Playback in sync, date jump, custom layouts and the ledger state', () => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let sim: Camsim | undefined;
  let app: App | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let errors: string[] = [];
  const ids: string[] = [];
  const defer = teardown({ after });

  before(async () => {
    dir = await tempDir('e2e-playback-sync');
    defer(() => dir?.remove());
    sim = await startTestCamsim({ cameras: 2 });
    defer(() => sim?.close());
    app = await startTestApp(dir.path, { 'recording.segmentSeconds': 4, 'identity.roles': { auditor: { mfa: false } } });
    defer(() => app?.close());
    for (const [i, url] of sim.urls.entries()) ids.push((await app.cameras.add({ name: `Cam ${i + 1}`, url }, testActor)).id);
    const password = strongPassword();
    const user = await app.identity.users.create({ username: 'ines', displayName: 'Ines Investigator', password }, testActor);
    await app.identity.grants.grant(user, { role: 'investigator', scope: 'global' }, { audit: testActor, userId: null });
    await app.identity.grants.grant(user, { role: 'auditor', scope: 'global' }, { audit: testActor, userId: null });
    // What `custos audit verify` records, then a signed checkpoint that includes it.
    await app.ledger.record({ type: 'audit.verified', actor: { kind: 'cli', id: 'cli:root' }, outcome: 'success', details: { size: 1, firstBad: null } });
    await app.ledger.checkpoint();
    browser = await launchChromium();
    defer(() => browser?.close());
    page = await (await newTrustingContext(browser)).newPage();
    errors = collectPageErrors(page);
    await page.goto(app.url);
    const form = page.locator('#login-form');
    await form.waitFor({ state: 'visible', timeout: 10_000 });
    await form.getByLabel('User name').fill('ines');
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#console-view').waitFor({ state: 'visible', timeout: 10_000 });
  });

  it('plays two cameras from a chosen date and time, in sync, and says "no recording" before any footage', async () => {
    // Both cameras need a few seconds of footage past the chosen time.
    const spans = await waitFor('5 s recorded on both cameras', 20_000, async () => {
      const s = await spansOf(page, ids);
      return s.every((x) => x && x.end - x.start >= 5000) ? (s as Array<{ start: number; end: number }>) : null;
    });
    await page.getByRole('link', { name: 'Playback' }).click();
    const view = page.locator('#sync-playback');
    await view.waitFor();
    await view.getByLabel('Cam 1').check();
    await view.getByLabel('Cam 2').check();
    // Before any recording: both tiles say so instead of playing.
    const input = view.locator('input.jump-input');
    await input.fill(await localValue(page, Math.min(...spans.map((s) => s.start)) - 60_000));
    await input.press('Enter');
    await waitFor('"no recording" on both tiles', 10_000, async () => (await view.locator('.sync-no-recording').count()) === 2);
    // A whole second inside both recordings (the field has a resolution of one second).
    const chosen = Math.ceil((Math.max(...spans.map((s) => s.start)) + 1000) / 1000) * 1000;
    await input.fill(await localValue(page, chosen));
    await view.getByRole('button', { name: 'Go' }).click();
    assert.equal(Date.parse((await view.locator('form.jump-to').getAttribute('data-jumped')) ?? ''), chosen, 'the field is read in the browser\'s time zone');
    assert.match((await view.locator('.jump-zone').textContent()) ?? '', /^Local time \(.+\)$/);
    const first = await waitFor('both players showing pictures', 15_000, async () => {
      const shown = await playingAt(page);
      return shown.length === 2 && shown.every((s) => s.at) ? shown : null;
    });
    for (const s of first) {
      const landed = Date.parse(s.at!);
      // As the single-camera timeline test: the first picture within a second of the time asked.
      assert.ok(Math.abs(landed - chosen) < 1000, `${s.name}: asked ${new Date(chosen).toISOString()}, landed ${s.at}`);
    }
    // Let them play, then compare: the sync loop keeps them within one fragment.
    await page.waitForTimeout(2000);
    const later = await playingAt(page);
    const [a, b] = later.map((s) => Date.parse(s.at!));
    assert.ok(a! > chosen && b! > chosen, `both advance: ${JSON.stringify(later)}`);
    assert.ok(Math.abs(a! - b!) < fragmentMs, `in sync within one fragment: ${JSON.stringify(later)}`);
    // Knock the second player 3 s off and change the speed: the shared position and speed pull it back.
    await view.locator('.sync-tile video').nth(1).evaluate((v: HTMLVideoElement) => {
      v.currentTime = Math.max(0, v.currentTime - 3);
    });
    await view.getByLabel('Speed').selectOption('2');
    const resynced = await waitFor('the players back in sync at 2×', 10_000, async () => {
      const rates = await view.locator('.sync-tile video').evaluateAll((vs) => vs.map((v) => (v as HTMLVideoElement).playbackRate));
      const shown = (await playingAt(page)).map((s) => Date.parse(s.at ?? ''));
      return rates.every((r) => r === 2) && Math.abs(shown[0]! - shown[1]!) < fragmentMs ? shown : null;
    });
    // A second position inside the loaded playlists: both players move in place (ADR 0041), no
    // playlist is asked for again.
    let playlists = 0;
    const count = (r: { url(): string }) => {
      if (r.url().includes('/playback.m3u8')) playlists += 1;
    };
    page.on('request', count);
    const again = chosen + 2000;
    await input.fill(await localValue(page, again));
    await input.press('Enter');
    const moved = await waitFor('both players at the second position', 10_000, async () => {
      const shown = (await playingAt(page)).map((s) => Date.parse(s.at ?? ''));
      return shown.every((t) => Math.abs(t - again) < 1000) ? shown : null;
    });
    page.off('request', count);
    assert.equal(playlists, 0, 'no new playlist for a position the loaded ones hold');
    console.log(`sync: asked ${new Date(chosen).toISOString()}, first pictures ${first.map((s) => s.at).join(', ')}; 2 s later ${later.map((s) => s.at).join(', ')} (${Math.abs(a! - b!)} ms apart); after a 3-s knock at 2×: ${Math.abs(resynced[0]! - resynced[1]!)} ms apart; moved in place to ${moved.map((t) => new Date(t).toISOString()).join(', ')}`);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the sync playback screen');
    await page.screenshot({ path: join(screenshotDir, 'console-playback-sync-1280.png') });
    // Usable at 390 px: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'the sync screen fits 390 px');
    await page.screenshot({ path: join(screenshotDir, 'console-playback-sync-390.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('keeps a custom live layout, its cameras and their order, across a reload', async () => {
    await page.getByRole('link', { name: 'Live' }).click();
    const live = page.locator('#live-view');
    await live.waitFor();
    await live.getByRole('button', { name: 'New layout' }).click();
    const editor = live.locator('form.layout-editor');
    await editor.getByLabel('Layout name').fill('Entrance');
    await editor.getByLabel('Cam 2').check();
    await editor.getByLabel('Cam 1').check();
    await editor.getByRole('button', { name: 'Move Cam 1 up' }).click();
    await editor.getByRole('button', { name: 'Move Cam 2 up' }).click();
    await editor.getByRole('button', { name: 'Save layout' }).click();
    const order = () => live.locator('.live-grid[data-layout="Entrance"] .live-tile .camera-name').allTextContents();
    await waitFor('the custom layout on screen', 10_000, async () => (await order()).length === 2);
    assert.deepEqual(await order(), ['Cam 2', 'Cam 1']);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the live screen with a custom layout');
    await page.reload();
    await live.waitFor({ timeout: 10_000 });
    await waitFor('the custom layout after a reload', 10_000, async () => (await order()).length === 2);
    assert.deepEqual(await order(), ['Cam 2', 'Cam 1']);
    assert.equal(await live.getByRole('button', { name: 'Layout Entrance', exact: true }).getAttribute('aria-pressed'), 'true');
  });

  it('shows the latest signed checkpoint and the last verification in the audit viewer', async () => {
    const latest = (await app!.ledger.checkpoint())!;
    await page.getByRole('link', { name: 'Audit' }).click();
    const state = page.locator('.ledger-state');
    await state.locator('.latest-checkpoint').waitFor({ timeout: 10_000 });
    const size = Number(await state.locator('.checkpoint-size').textContent());
    assert.ok(size >= 2 && size <= latest.size + 50, `a checkpoint of a plausible size: ${size}`);
    assert.match((await state.locator('.checkpoint-root').textContent()) ?? '', /^[A-Za-z0-9+/]{43}=$/, 'a base64 SHA-256 root');
    const verified = state.locator('.last-verification');
    await verified.waitFor({ timeout: 10_000 });
    assert.equal(await verified.getAttribute('data-outcome'), 'success');
    assert.match((await verified.textContent()) ?? '', /cli:cli:root.*Passed/);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the audit viewer');
    await page.setViewportSize({ width: 390, height: 844 });
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'the audit viewer fits 390 px');
    assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), [], 'no page errors');
  });
});
