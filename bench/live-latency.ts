/**
 * Glass-to-glass latency of live video and time to first live frame (issue 19 item 3), measured
 * in Chromium against the real server. camsim stamps every frame's wall-clock send time in an
 * H.264 SEI (`stamp`, tools/camsim/sei-stamp.ts); the page reads the stamps out of the fMP4 the
 * live player appends to MSE and, per presented frame (requestVideoFrameCallback), computes
 * presentation wall time − send time (bench/live-latency-probe.ts). Same machine, same clock.
 * Goals: glass-to-glass p95 ≤ 400 ms, first frame p50/p95 ≤ 500 ms.
 *
 *   node bench/live-latency.ts [--frames 250] [--runs 10] [--profile small|full]
 */
import { parseArgs } from 'node:util';
import { buildWeb } from '../scripts/web-build.ts';
import { launchChromium } from '../test/helpers/chromium.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../test/helpers/harness.ts';
import { testActor } from '../test/helpers/audit.ts';
import { strongPassword } from '../test/helpers/access.ts';
import { installLatencyProbe, type LatencyProbeResult } from './live-latency-probe.ts';

const { values } = parseArgs({ options: { frames: { type: 'string' }, runs: { type: 'string' }, profile: { type: 'string' } } });
const frames = Number(values.frames ?? 250);
const runs = Number(values.runs ?? 10);
const profile = values.profile === 'full' ? 'full' : 'small';

const pct = (list: number[], p: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};

await buildWeb({ quiet: true });
const dir = await tempDir('bench-live-latency');
const sim = await startTestCamsim({ cameras: 1, profile, stamp: true });
const app = await startTestApp(dir.path);
const browser = await launchChromium();
try {
  await app.cameras.add({ name: 'Bench', url: sim.urls[0]! }, testActor);
  const password = strongPassword();
  const user = await app.identity.users.create({ username: 'bench', password }, testActor);
  await app.identity.grants.grant(user, { role: 'viewer', scope: 'global' }, { audit: testActor, userId: null });
  const login = await browser.newContext({ ignoreHTTPSErrors: true });
  const res = await login.request.post(`${app.url}/api/v1/auth/login`, { data: { username: 'bench', password } });
  if (!res.ok()) throw new Error(`login: ${res.status()}`);
  const storageState = await login.storageState();
  await login.close();
  await waitFor('the camera recording', 30_000, async () => (await app.cameras.list()).length === 1 && app.recorder.status((await app.cameras.list())[0]!).state === 'recording');

  // Time to first live frame: cold contexts, navigation start → first presented frame.
  const first: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, storageState, viewport: { width: 1440, height: 900 } });
    await context.addInitScript(installLatencyProbe);
    const page = await context.newPage();
    await page.goto(`${app.url}/#/live`, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(() => {
      const l = (window as unknown as { __latency?: LatencyProbeResult }).__latency;
      return l?.firstFrameAt != null ? l.firstFrameAt - performance.timeOrigin : null;
    }, undefined, { polling: 50, timeout: 20_000 });
    first.push(Number(await handle.jsonValue()));
    await context.close();
  }

  // Glass-to-glass: one context watching until `frames` stamped frames were presented.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, storageState, viewport: { width: 1440, height: 900 } });
  await context.addInitScript(installLatencyProbe);
  const page = await context.newPage();
  await page.goto(`${app.url}/#/live`, { waitUntil: 'commit' });
  // The first seconds (start-up, the jump to the live edge) are not steady state: skipped.
  await page.waitForFunction(() => ((window as unknown as { __latency?: LatencyProbeResult }).__latency?.latencies.length ?? 0) >= 50, undefined, { polling: 100, timeout: 30_000 });
  const skip = await page.evaluate(() => (window as unknown as { __latency: LatencyProbeResult }).__latency.latencies.length);
  await page.waitForFunction((n) => (window as unknown as { __latency: LatencyProbeResult }).__latency.latencies.length >= n, skip + frames, { polling: 200, timeout: 120_000 });
  const result = await page.evaluate(() => (window as unknown as { __latency: LatencyProbeResult }).__latency);
  await context.close();
  const lat = result.latencies.slice(skip);
  const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
  console.log(`live latency (${profile}, camsim --stamp, load average ${load}):`);
  console.log(`  glass-to-glass over ${lat.length} frames: p50 ${pct(lat, 50).toFixed(0)} ms, p95 ${pct(lat, 95).toFixed(0)} ms, min ${Math.min(...lat).toFixed(0)}, max ${Math.max(...lat).toFixed(0)} (stamps seen ${result.stamps}, frames without stamp ${result.unmatched})`);
  console.log(`  time to first live frame over ${runs} cold loads: p50 ${pct(first, 50).toFixed(0)} ms, p95 ${pct(first, 95).toFixed(0)} ms`);
} finally {
  await browser.close();
  await app.close();
  await sim.close();
  await dir.remove();
}
