/**
 * The operator console (issue 19): its bundle size and its time to first live frame, measured in
 * Chromium against the real server.
 * - Bundle: every file of web/dist/ gzip-compressed (level 9): what a first visit loads (page,
 *   entry script, stylesheet) and what loads on demand (hls.js, on the first playback). Goal:
 *   ≤ 250 kB gzip.
 * - First frame: a signed-in browser context opens the console (cold: new context, so nothing
 *   cached) on one camsim camera; from the navigation's start to the first live frame shown (the
 *   video's clock advancing with decoded frames), polled per animation frame. Goal: p50/p95 ≤ 500 ms.
 *
 *   node bench/console-first-frame.ts [--runs 15] [--profile full|small]
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildWeb, webDist } from '../scripts/web-build.ts';
import { launchChromium } from '../test/helpers/chromium.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../test/helpers/harness.ts';
import { testActor } from '../test/helpers/audit.ts';
import { strongPassword } from '../test/helpers/access.ts';

const { values } = parseArgs({ options: { runs: { type: 'string' }, profile: { type: 'string' } } });
const runs = Number(values.runs ?? 15);
const profile = values.profile === 'small' ? 'small' : 'full';

await buildWeb({ quiet: true });
const sizes: Array<{ file: string; bytes: number; gzip: number }> = [];
for (const file of ['index.html', ...(await readdir(join(webDist, 'assets'))).map((f) => `assets/${f}`)]) {
  const bytes = await readFile(join(webDist, file));
  sizes.push({ file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
}
const lazy = (f: string) => /hls/.test(f);
const sum = (list: typeof sizes) => list.reduce((a, s) => a + s.gzip, 0);
console.log('| file | bytes | gzip |\n|---|---|---|');
for (const s of sizes) console.log(`| ${s.file.replace(/-[A-Za-z0-9_]{8}\./, '-[hash].')} | ${s.bytes.toLocaleString('en')} | ${s.gzip.toLocaleString('en')} |`);
console.log(`first visit: ${(sum(sizes.filter((s) => !lazy(s.file))) / 1000).toFixed(1)} kB gzip; with hls.js (first playback): ${(sum(sizes) / 1000).toFixed(1)} kB gzip\n`);

const dir = await tempDir('bench-console');
const sim = await startTestCamsim({ cameras: 1, profile });
const app = await startTestApp(dir.path);
const browser = await launchChromium();
try {
  await app.cameras.add({ name: 'Bench', url: sim.urls[0]! }, testActor);
  const password = strongPassword();
  const user = await app.identity.users.create({ username: 'bench', password }, testActor);
  await app.identity.grants.grant(user, { role: 'viewer', scope: 'global' }, { audit: testActor, userId: null });
  // Sign in once; every run starts a fresh context with the session cookie only.
  const login = await browser.newContext({ ignoreHTTPSErrors: true });
  const res = await login.request.post(`${app.url}/api/v1/auth/login`, { data: { username: 'bench', password } });
  if (!res.ok()) throw new Error(`login: ${res.status()}`);
  const storageState = await login.storageState();
  await login.close();
  // The recorder must be up before the first run: the live stream starts with the camera.
  await waitFor('the camera recording', 30_000, async () => (await app.cameras.list()).length === 1 && app.recorder.status((await app.cameras.list())[0]!).state === 'recording');

  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, storageState, viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${app.url}/#/live`, { waitUntil: 'commit' });
    const ms = await page.waitForFunction(
      () => {
        const v = document.querySelector<HTMLVideoElement>('video.live-video');
        return v && v.readyState >= 2 && v.currentTime > 0 && v.videoWidth > 0 ? performance.now() : null;
      },
      undefined,
      { polling: 'raf', timeout: 20_000 },
    );
    times.push(Number(await ms.jsonValue()));
    await context.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  console.log(`time to first live frame (${profile}, ${runs} cold loads, ms from navigation start): p50 ${pct(50).toFixed(0)}, p95 ${pct(95).toFixed(0)}, min ${sorted[0]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)}`);
} finally {
  await browser.close();
  await app.close();
  await sim.close();
  await dir.remove();
}
