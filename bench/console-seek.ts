/**
 * Seek time in the console's playback workspace (issue 19, Benchmark: goal p95 ≤ 200 ms),
 * measured in Chromium against the real server. camsim (with `--stamp`: each frame carries its
 * send time in an SEI) is recorded by the app; an investigator opens the camera's playback
 * workspace and clicks its timeline at random points of the recorded span, as a user scrubs.
 * Per seek: from the click (the event's timestamp) to the first frame presented at the new
 * position (requestVideoFrameCallback: its expected display time; "at the new position" = its
 * stamp within 1.5 s of the time asked). Also per seek: where that frame is (its send time −
 * the time asked, ms) and, from the page's resource timing, when the playlist (the page's own
 * check, then hls.js's) and the first media fragment arrived: where the time goes.
 *
 *   node bench/console-seek.ts [--seeks 30] [--record 45] [--profile small|full] [--verbose] [--baseline DIR] [--fresh]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { buildWeb } from '../scripts/web-build.ts';
import { launchChromium } from '../test/helpers/chromium.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../test/helpers/harness.ts';
import { testActor } from '../test/helpers/audit.ts';
import { strongPassword } from '../test/helpers/access.ts';
import { installSeekProbe, type SeekProbeResult } from './console-seek-probe.ts';
import { seededRandom } from '../test/helpers/seeded-random.ts';

const { values } = parseArgs({ options: { seeks: { type: 'string' }, record: { type: 'string' }, profile: { type: 'string' }, verbose: { type: 'boolean' }, baseline: { type: 'string' }, fresh: { type: 'boolean' } } });
const fresh = values.fresh === true;
const baseline = values.baseline ?? null;

interface Variant {
  name: string;
  page: Page;
  bar: Locator;
  box: { x: number; y: number; width: number; height: number };
  span: { x: number; y: number; width: number; height: number };
  times: number[];
  offsets: number[];
  taken: number[];
  phases: { playlist: number[]; fragment: number[] };
}
const verbose = values.verbose === true;
const seeks = Number(values.seeks ?? 30);
const recordSeconds = Number(values.record ?? 45);
const profile = values.profile === 'full' ? 'full' : 'small';

const pct = (list: number[], p: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};
const line = (name: string, list: number[]) =>
  `  ${name}: p50 ${pct(list, 50).toFixed(0)} ms, p95 ${pct(list, 95).toFixed(0)} ms, min ${Math.min(...list).toFixed(0)}, max ${Math.max(...list).toFixed(0)}`;

await buildWeb({ quiet: true });
const dir = await tempDir('bench-console-seek');
const sim = await startTestCamsim({ cameras: 1, profile, stamp: true });
// Segments of 10 s: a recording of 45 s has several, so seeks cross segment objects.
const app = await startTestApp(dir.path, { 'recording.segmentSeconds': 10 });
const browser = await launchChromium();
try {
  const camera = await app.cameras.add({ name: 'Bench', url: sim.urls[0]! }, testActor);
  const password = strongPassword();
  const user = await app.identity.users.create({ username: 'bench', password }, testActor);
  await app.identity.grants.grant(user, { role: 'investigator', scope: 'global' }, { audit: testActor, userId: null });
  const login = await browser.newContext({ ignoreHTTPSErrors: true });
  const res = await login.request.post(`${app.url}/api/v1/auth/login`, { data: { username: 'bench', password } });
  if (!res.ok()) throw new Error(`login: ${res.status()}`);
  const storageState = await login.storageState();
  await login.close();
  await waitFor(`${recordSeconds} s recorded`, (recordSeconds + 30) * 1000, async () => {
    const t = await app.playback.timeline(camera.id, Date.now() - 3_600_000, Date.now());
    const span = t.spans.at(-1);
    return span && span.endMs - span.startMs >= recordSeconds * 1000;
  });

  // One page per console build: this one, and the baseline's (its page and assets served from
  // --baseline instead, through the browser's request routing; the API is the same server's).
  const variants: Variant[] = [await openVariant('this build', null)];
  if (baseline) variants.unshift(await openVariant('baseline', baseline));

  const random = seededRandom(19);
  const next = () => random.next();
  let previous = Number.NaN;
  for (let i = 0; i < seeks; i += 1) {
    // A point of the span (a fraction of it), leaving its last 3 s (still being written when the
    // page loaded it) and at least 4 s from the previous seek, so old frames are not taken for new ones.
    let x = 0;
    do x = 0.02 + next() * 0.9;
    while (Math.abs(x - previous) < 4 / recordSeconds);
    previous = x;
    // The same point on every build, one after the other; the idle page is paused.
    for (const v of variants) {
      for (const other of variants) if (other !== v) await other.page.evaluate(() => document.querySelector<HTMLVideoElement>('video.playback-video')?.pause());
      await seekOnce(v, x, i);
    }
  }
  const load = (await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(', ');
  console.log(`console seek (${profile}, ${seeks} timeline clicks${fresh ? ', each on a newly opened workspace' : ''} over ${recordSeconds} s recorded, load average ${load}):`);
  for (const v of variants) {
    console.log(`${v.name}:`);
    console.log(line('click → first frame at the new position', v.times));
    console.log(line('  playlist answered (when one was asked)', v.phases.playlist));
    console.log(line('  first media fragment answered', v.phases.fragment));
    console.log(`  seeks that fetched: a playlist ${v.phases.playlist.length} of ${v.times.length}, a media fragment ${v.phases.fragment.length} of ${v.times.length} (the rest were buffered)`);
    console.log(`  first frame shown − time asked, by its send stamp: min ${Math.min(...v.offsets)} ms, p50 ${pct(v.offsets, 50)} ms, max ${Math.max(...v.offsets)} ms`);
    console.log(`  first frame shown − time asked, by its stamp corrected for send jitter: min ${Math.min(...v.taken)} ms, p50 ${pct(v.taken, 50)} ms, max ${Math.max(...v.taken)} ms (one frame: 40 ms)`);
  }

  /** Opens the camera's playback workspace (15-minute window) on the page; the bar and the span. */
  async function openWorkspace(page: Page): Promise<Pick<Variant, 'bar' | 'box' | 'span'>> {
    const card = page.locator('.camera-card', { has: page.locator('.camera-name', { hasText: /^Bench$/ }) });
    await card.getByLabel('Window').selectOption('15');
    await waitFor('the recorded span on the timeline', 15_000, async () => (await card.locator('.timeline-span').count()) > 0);
    const bar = card.locator('.timeline');
    return { bar, box: (await bar.boundingBox())!, span: (await card.locator('.timeline-span').last().boundingBox())! };
  }

  async function openVariant(name: string, dist: string | null): Promise<Variant> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, storageState, viewport: { width: 1440, height: 900 } });
    await context.addInitScript(installSeekProbe);
    if (dist !== null) {
      const origin = new URL(app.url).origin;
      await context.route((url) => url.origin === origin && (url.pathname === '/' || url.pathname.startsWith('/assets/')), async (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path === '/') {
          const original = await route.fetch();
          await route.fulfill({ response: original, body: await readFile(join(dist, 'index.html'), 'utf8') });
        } else {
          await route.fulfill({ body: await readFile(join(dist, path)), contentType: path.endsWith('.css') ? 'text/css' : 'text/javascript' });
        }
      });
    }
    const page = await context.newPage();
    await page.goto(`${app.url}/#/cameras`);
    return { name, page, ...(await openWorkspace(page)), times: [], offsets: [], taken: [], phases: { playlist: [], fragment: [] } };
  }

  async function seekOnce(v: Variant, fraction: number, i: number): Promise<void> {
    // --fresh: every seek is the first of a newly opened workspace (a playlist load).
    if (fresh) {
      await v.page.reload();
      Object.assign(v, await openWorkspace(v.page));
    }
    const { page, bar } = v;
    const x = v.span.x - v.box.x + v.span.width * fraction;
    const probe = () => page.evaluate(() => (window as unknown as { __seek: SeekProbeResult }).__seek);
    await page.evaluate(() => performance.clearResourceTimings());
    const actionsBefore = (await probe()).actions.length;
    await bar.click({ position: { x, y: v.box.height / 2 } });
    const sought = Date.parse((await bar.getAttribute('data-sought')) ?? '');
    const found = await waitFor(`the first frame after seek ${i + 1} (${v.name})`, 15_000, async () => {
      const p = await probe();
      const action = p.actions[actionsBefore];
      if (action === undefined) return null;
      const frame = p.frames.find((f) => f.at > action && f.sent !== null && Math.abs(f.sent - sought) < 1500);
      return frame ? { action, frame } : null;
    });
    v.times.push(found.frame.at - found.action);
    v.offsets.push(found.frame.sent! - sought);
    if (found.frame.taken !== null) v.taken.push(found.frame.taken - sought);
    const entries = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => ({ name: e.name, start: e.startTime, end: (e as PerformanceResourceTiming).responseEnd })),
    );
    const after = entries.filter((e) => e.start >= found.action);
    const playlist = after.find((e) => e.name.includes('/playback.m3u8'));
    const fragment = after.find((e) => e.name.includes('/segments/'));
    if (playlist) v.phases.playlist.push(playlist.end - found.action);
    if (fragment) v.phases.fragment.push(fragment.end - found.action);
    if (verbose) {
      const p = await probe();
      const shown = p.frames.filter((f) => f.at > found.action).slice(0, 4).map((f) => `${(f.at - found.action).toFixed(0)}ms:${f.sent === null ? '?' : f.sent - sought}/${f.taken === null ? '?' : f.taken - sought}`);
      console.log(`${v.name} seek ${i + 1}: ${v.times.at(-1)!.toFixed(0)} ms, frames (after click: shown − asked) ${shown.join(' ')}; resources ${after.map((e) => `${e.name.replace(/^.*\/(playback.m3u8|segments\/[^?]{0,12}).*$/, '$1')}@${(e.end - found.action).toFixed(0)}`).join(' ')}`);
    }
    await page.waitForTimeout(300);
  }
} finally {
  await browser.close();
  await app.close();
  await sim.close();
  await dir.remove();
}
