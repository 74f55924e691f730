/**
 * Exports that tell the truth (issue 19 item 5): exporting the last seconds of a camera does not
 * wait for its 60-second segment to close (the recorder seals it at the next key frame), the job
 * reports its phase and progress, its evidence verifies offline, and the export history shows it
 * with its hash to an auditor (not to an investigator). Real: camsim (RTSP, 1-s GOP), the
 * recorder, vault, ffmpeg, the ledger, the app over inject, SQLite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDeferredTestApp, startTestCamsim, waitFor } from '../helpers/harness.ts';
import { testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';
import { verifyEvidence } from '../../src/evidence/verify-evidence.ts';

interface Job {
  id: string;
  state: string;
  phase: string;
  progress: { percent: number | null; bytes: number | null; totalBytes: number | null };
  requestedBy: string | null;
  mp4Sha256: string | null;
  to: string;
}

test('exporting the last seconds finishes long before the open 60-s segment would close, with progress and a verifiable result', { timeout: 120_000 }, async (t) => {
  const defer = teardown(t);
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const { app, dataDir } = await startDeferredTestApp(defer, 'export-recent', { 'recording.segmentSeconds': 60 });
  const camera = await app.cameras.add({ name: 'Dock', url: sim.urls[0]!, enabled: true }, testActor);
  // Eight seconds into the first (60-s) segment: nothing is sealed yet.
  await waitFor('8 s of footage', 60_000, () => (app.recorder.openSegment(camera.id)?.fragments.length ?? 0) >= 8);
  const opened = app.recorder.openSegment(camera.id)!;
  const investigator = await testPrincipal(app, { roles: ['investigator'] });

  const started = Date.now();
  const from = new Date(started - 6_000).toISOString();
  const to = new Date(started).toISOString();
  const created = await investigator.inject({ method: 'POST', url: '/api/v1/exports', payload: { cameraId: camera.id, from, to, reason: 'the last seconds', requestedFor: 'the test' } });
  assert.equal(created.statusCode, 202, created.body);
  const job = created.json<Job>();
  assert.ok(['queued', 'waiting-for-footage'].includes(job.phase), `a new job is queued or waiting (${job.phase})`);
  assert.equal(job.requestedBy, `user:${investigator.user.id}`);

  const phases = new Set<string>();
  const done = await waitFor('the export to finish', 45_000, async () => {
    const now = (await investigator.inject({ method: 'GET', url: `/api/v1/exports/${job.id}` })).json<Job>();
    phases.add(now.phase);
    if (now.phase === 'rendering' && now.progress.totalBytes !== null) assert.ok(now.progress.percent !== null && now.progress.percent <= 90);
    return now.state === 'done' || now.state === 'failed' ? now : null;
  });
  const tookMs = Date.now() - started;
  assert.equal(done.state, 'done', JSON.stringify(done));
  assert.equal(done.phase, 'done');
  assert.equal(done.progress.percent, 100);
  assert.match(done.mp4Sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.ok(tookMs < 30_000, `finished in ${tookMs} ms, without waiting for the 60-s segment`);
  const sealed = await app.playback.segment(camera.id, opened.id);
  assert.equal(sealed.state, 'closed', 'the segment that was open is sealed early');
  assert.ok(sealed.endMs - sealed.startMs < 30_000, `and is short (${sealed.endMs - sealed.startMs} ms)`);
  t.diagnostic(`export of the last 6 s took ${tookMs} ms; phases seen: ${[...phases].join(', ')}`);

  // The evidence covers what was recorded up to the request and verifies offline.
  const evidence = await investigator.inject({ method: 'GET', url: `/api/v1/exports/${job.id}/evidence` });
  assert.equal(evidence.statusCode, 200);
  const path = join(dataDir, 'recent-evidence.zip');
  await writeFile(path, evidence.rawPayload);
  const report = await verifyEvidence(path, app.ledger.vkey);
  assert.ok(report.ok, `evidence verifies: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);

  // The history: the auditor sees who exported what and its hash; the investigator may not read everyone's.
  const auditor = await testPrincipal(app, { roles: ['auditor'] });
  const history = await auditor.inject({ method: 'GET', url: `/api/v1/exports/history?camera=${camera.id}` });
  assert.equal(history.statusCode, 200, history.body);
  const [entry] = history.json<{ id: string; requestedBy: string; mp4Sha256: string; reason: string; state: string; download?: unknown }[]>();
  assert.deepEqual({ id: entry?.id, requestedBy: entry?.requestedBy, mp4Sha256: entry?.mp4Sha256, reason: entry?.reason, state: entry?.state }, { id: job.id, requestedBy: `user:${investigator.user.id}`, mp4Sha256: done.mp4Sha256, reason: 'the last seconds', state: 'done' });
  assert.equal(entry?.download, undefined, 'the history carries no download link');
  assert.equal((await investigator.inject({ method: 'GET', url: '/api/v1/exports/history' })).statusCode, 403);
  assert.deepEqual((await auditor.inject({ method: 'GET', url: `/api/v1/exports/history?from=${new Date(Date.now() + 60_000).toISOString()}` })).json<unknown[]>(), []);
});
