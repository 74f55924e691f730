/**
 * The glass-to-glass measurement works end to end (issue 19 item 3): camsim stamps each frame's
 * send time in an H.264 SEI, the native ingest passes it through untouched into per-frame live
 * chunks, the console's live player appends them to MSE, and the page finds the stamps and
 * matches them to presented frames. The figures themselves are the benchmark's
 * (bench/live-latency.ts, docs/benchmarks.md): no timed assertion here.
 * Real: camsim, the server (native ingest, SQLite, HTTPS), the built console, Chromium.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { installLatencyProbe, type LatencyProbeResult } from '../../bench/live-latency-probe.ts';
import { buildWeb } from '../../scripts/web-build.ts';
import { strongPassword } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { collectPageErrors, launchChromium } from '../helpers/chromium.ts';
import { startDeferredTestApp, startTestCamsim, waitFor } from '../helpers/harness.ts';
import { teardown } from '../helpers/teardown.ts';

const defer = teardown({ after });

test('stamped frames are found in the live media and each presented frame gets a latency', { timeout: 120_000 }, async () => {
  await buildWeb({ quiet: true });
  const sim = await startTestCamsim({ cameras: 1, stamp: true });
  defer(() => sim.close());
  const { app } = await startDeferredTestApp(defer, 'live-latency-e2e');
  const browser = await launchChromium();
  defer(() => browser.close());
  await app.cameras.add({ name: 'Stamped', url: sim.urls[0]! }, testActor);
  const password = strongPassword();
  const user = await app.identity.users.create({ username: 'watcher', password }, testActor);
  await app.identity.grants.grant(user, { role: 'viewer', scope: 'global' }, { audit: testActor, userId: null });
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const login = await context.request.post(`${app.url}/api/v1/auth/login`, { data: { username: 'watcher', password } });
  assert.ok(login.ok(), `login: ${login.status()}`);
  await context.addInitScript(installLatencyProbe);
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${app.url}/#/live`);
  const probe = () => page.evaluate(() => (window as unknown as { __latency: LatencyProbeResult }).__latency);
  await waitFor('50 presented frames with their stamp', 60_000, async () => (await probe()).latencies.length >= 50);
  const result = await probe();
  assert.ok(result.stamps >= 50, `stamps found in the appended fMP4: ${result.stamps}`);
  // Per-frame live chunks (ADR 0038): one moof per frame, not one per second, from the first key
  // frame after the viewer asked for them on (ADR 0044: it starts on the recording's fragments).
  assert.ok(result.singleFrameMoofs >= 25, `one-frame movie fragments: ${result.singleFrameMoofs} of ${result.moofs}`);
  assert.equal(result.multiFrameMoofsAfterChunks, 0, 'once chunks come, every movie fragment is one frame');
  assert.ok(result.moofs - result.singleFrameMoofs <= 3, `fragments before the switch to chunks: ${result.moofs - result.singleFrameMoofs}`);
  // Every presented frame carried a stamp (camsim stamps them all) and was shown after it was sent.
  assert.ok(result.unmatched <= 2, `presented frames without a stamp: ${result.unmatched}`);
  for (const ms of result.latencies) assert.ok(Number.isFinite(ms) && ms > -20, `latency ${ms} ms`);
  assert.ok(result.firstFrameAt !== null && result.firstFrameAt >= result.startedAt);
  assert.deepEqual(errors, []);
});
