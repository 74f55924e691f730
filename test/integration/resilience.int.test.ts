/**
 * A camera that goes away and comes back: the recorder retries with backoff, records the gap
 * with its reason, and resumes by itself. Real camsim, real ffmpeg, real SQLite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { countFrames, decodeErrors } from '../helpers/media-probe.ts';
import { testActor, testCustody } from '../helpers/audit.ts';
import { testPrincipal } from '../helpers/access.ts';
import { teardown } from '../helpers/teardown.ts';

test('a camera killed for a few seconds goes retrying, leaves a gap in the timeline and resumes recording', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('resilience');
  defer(() => dir.remove());
  let sim = await startTestCamsim({ cameras: 1 });
  const port = sim.port;
  const app = await startTestApp(dir.path);
  // `sim` is replaced when the camera comes back: close whichever runs at the end.
  defer(() => sim.close());
  defer(() => app.close());
  const camera = await app.cameras.add({ name: 'Flaky', url: sim.urls[0]! }, testActor);
  const t0 = Date.now();
  await waitFor('recording', 20_000, () => app.recorder.status(camera).state === 'recording');
  await delay(5_000);

  await sim.close();
  const downAt = Date.now();
  const retrying = await waitFor('retrying', 15_000, () => {
    const s = app.recorder.status(camera);
    return s.state === 'retrying' ? s : null;
  });
  assert.ok(retrying.lastError && retrying.lastError.length > 0, 'a retrying camera says why');
  await delay(4_000);

  sim = await startTestCamsim({ cameras: 1, port });
  const upAt = Date.now();
  await waitFor('recording again', 20_000, () => app.recorder.status(camera).state === 'recording');
  await delay(4_000);

  const timeline = await app.playback.timeline(camera.id, t0 - 1_000, Date.now());
  assert.equal(timeline.spans.length, 2, JSON.stringify(timeline));
  const gap = timeline.gaps.find((g) => g.startMs >= t0 && g.endMs <= Date.now());
  assert.ok(gap, `a gap between the spans: ${JSON.stringify(timeline)}`);
  assert.ok(gap.startMs <= downAt + 1_500 && gap.endMs >= upAt - 500, `gap ${new Date(gap.startMs).toISOString()}–${new Date(gap.endMs).toISOString()} covers the outage`);
  assert.notEqual(gap.reason, 'no recording', 'the gap carries the recorded reason');

  // An export across the outage joins both runs (two init segments) into one decodable MP4.
  const job = await app.exports.create(camera, t0 - 1_000, Date.now() - 1_000, testCustody, testActor, { requestedBy: null, approvedBy: null });
  await app.exports.idle();
  const done = await app.exports.get(job.id);
  assert.equal(done.state, 'done', done.error ?? '');
  const chunks: Buffer[] = [];
  for await (const chunk of (await app.exports.download(job.id, testActor)).bytes) chunks.push(chunk);
  const mp4 = Buffer.concat(chunks);
  assert.equal(mp4.length, done.bytes);
  assert.equal(await decodeErrors(mp4), '');
  const seconds = timeline.spans.reduce((sum, s) => sum + (s.endMs - s.startMs), 0) / 1000;
  const frames = await countFrames(mp4);
  assert.ok(Math.abs(frames - seconds * 25) <= 2 * 25, `export holds ${frames} frames for ${seconds} s recorded`);

  // The outage is in the audit ledger: interrupted (with its reason), the LOG-6 recording-gap
  // alarm, and resumed, in that order.
  await app.ledger.drain();
  const types = (await eventsOf(app, camera.id)).map((e) => `${e.type}${e.rule ? `:${e.rule}` : ''}`);
  const interrupted = types.indexOf('recording.interrupted');
  assert.ok(interrupted >= 0, `recording.interrupted recorded: ${types.join(', ')}`);
  assert.ok(types.indexOf('alarm.raised:recording-gap') > interrupted, `alarm after the interruption: ${types.join(', ')}`);
  assert.ok(types.indexOf('recording.resumed') > interrupted, `resumed after the interruption: ${types.join(', ')}`);
});

/** The types (and alarm rules) of a camera's audit events, in ledger order. */
async function eventsOf(app: Awaited<ReturnType<typeof startTestApp>>, cameraId: string): Promise<{ type: string; rule?: string }[]> {
  const auditor = await testPrincipal(app, { roles: ['auditor'] });
  const res = await auditor.inject({ method: 'GET', url: `/api/v1/audit/events?camera=${cameraId}&limit=1000` });
  const page = res.json<{ events: { record: { type: string; details?: { rule?: string } } }[] }>();
  return page.events.map((e) => ({ type: e.record.type, ...(e.record.details?.rule === undefined ? {} : { rule: e.record.details.rule }) }));
}
