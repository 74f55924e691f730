/**
 * Dual recording of a camera's sub-stream (issue 20 item 7, ADR 0043), real parts only: camsim
 * (640×360) is the main stream, GStreamer's RTSP server on the same host a 320×180 sub-stream.
 * With `recordSubStream`, both are recorded as separate streams: each has its own segments (of
 * its own resolution), the sub-stream's are sealed into the ledger naming their stream, live
 * tiles take the recorded sub-stream, playback reads it with `?stream=sub`, an export of it is
 * refused, and retention deletes it after its own, shorter, retention while the main stream stays.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import type { App } from '../../src/app.ts';
import type { Camsim } from '../../tools/camsim/camsim.ts';
import { recordingId } from '../../src/recording/recorded-stream.ts';
import { startGstRtspServer, type GstRtspServer } from '../helpers/gst-rtsp.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { everyRole, testPrincipal, type TestPrincipal } from '../helpers/access.ts';
import { videoSize } from '../helpers/media-probe.ts';
import { teardown } from '../helpers/teardown.ts';

const defer = teardown({ after });
let app: App;
let root: TestPrincipal;
let sim: Camsim;
let sub: GstRtspServer;
let offsetMs = 0;

interface SubStatus {
  state: string;
  fragments: number;
}

async function status(id: string): Promise<{ state: string; subStream: SubStatus | null }> {
  return (await root.inject({ method: 'GET', url: `/api/v1/cameras/${id}` })).json<{ status: { state: string; subStream: SubStatus | null } }>().status;
}

before(async () => {
  const dir = await tempDir('dual-recording');
  defer(() => dir.remove());
  const clip = join(dir.path, 'sub.mp4');
  await promisify(execFile)('/usr/bin/ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-t', '120',
    '-c:v', 'libx264', '-g', '25', '-bf', '0', '-pix_fmt', 'yuv420p', clip,
  ]);
  sub = await startGstRtspServer({ file: clip, codec: 'h264' });
  defer(() => sub.close());
  sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  // The wall clock (and with it the monotonic one: no step) is moved by hand for retention.
  const clock = { now: () => Date.now() + offsetMs };
  app = await startTestApp(join(dir.path, 'data'), { 'recording.segmentSeconds': 3, 'recording.retentionCheckSeconds': 1 }, clock);
  defer(() => app.close());
  root = await testPrincipal(app, { roles: everyRole });
});

test('dual recording is refused without a sub-stream, and a sub-stream retention above the camera\'s', async () => {
  const post = (payload: object) => root.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: `Refused ${Math.random()}`, enabled: false, ...payload } });
  const noSub = await post({ url: 'rtsp://127.0.0.1:8554/a', recordSubStream: true });
  assert.equal(noSub.statusCode, 400);
  assert.match(noSub.headers['content-type'] as string, /application\/problem\+json/);
  assert.deepEqual([noSub.json<{ code: string }>().code, noSub.json<{ field?: string }>().field], ['VALIDATION_FAILED', 'recordSubStream']);
  const longer = await post({ url: 'rtsp://127.0.0.1:8554/b', subStreamUrl: 'rtsp://127.0.0.1:8554/b-sub', recordSubStream: true, retentionHours: 24, subStreamRetentionHours: 48 });
  assert.deepEqual([longer.statusCode, longer.json<{ field?: string }>().field], [400, 'subStreamRetentionHours']);
});

test('both streams are recorded apart, at their own resolutions, the sub-stream sealed into the ledger, played with ?stream=sub and deleted after its own retention', { timeout: 150_000 }, async () => {
  const res = await root.inject({
    method: 'POST', url: '/api/v1/cameras',
    payload: { name: 'Dual', url: sim.urls[0], subStreamUrl: sub.url, recordSubStream: true, retentionHours: 4, subStreamRetentionHours: 1 },
  });
  assert.equal(res.statusCode, 201, res.body);
  const camera = res.json<{ id: string; recordSubStream: boolean; subStreamRetentionHours: number }>();
  assert.deepEqual([camera.recordSubStream, camera.subStreamRetentionHours], [true, 1]);
  const id = camera.id;
  const subId = recordingId(id, 'sub');
  await waitFor('both streams recording', 30_000, async () => {
    const s = await status(id);
    return s.state === 'recording' && s.subStream?.state === 'recording';
  });
  assert.equal(app.recorder.recordsSub(id), true);

  // Live tiles of the camera take the recorded sub-stream (no on-demand run of it).
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(`${app.url.replace('https:', 'wss:')}/api/v1/cameras/${id}/live?stream=sub`, { rejectUnauthorized: false, headers: root.headers });
  defer(() => ws.terminate());
  const hellos: { stream: string; width: number; height: number }[] = [];
  let binary = 0;
  ws.on('message', (data, isBinary) => (isBinary ? binary++ : hellos.push(JSON.parse(Buffer.from(data as Buffer).toString('utf8')) as (typeof hellos)[number])));
  await waitFor('sub-stream tile pieces', 20_000, () => binary >= 3);
  assert.deepEqual(hellos.map((h) => [h.stream, h.width, h.height]), [['sub', 320, 180]]);
  ws.terminate();
  await waitFor('two sealed segments of each stream', 40_000, async () => {
    const [main, subs] = await Promise.all([app.playback.segments(id, 0, Number.MAX_SAFE_INTEGER), app.playback.segments(subId, 0, Number.MAX_SAFE_INTEGER)]);
    return main.filter((s) => s.state === 'closed').length >= 2 && subs.filter((s) => s.state === 'closed').length >= 2;
  });
  const mainSegments = (await app.playback.segments(id, 0, Number.MAX_SAFE_INTEGER)).filter((s) => s.state === 'closed');
  const subSegments = (await app.playback.segments(subId, 0, Number.MAX_SAFE_INTEGER)).filter((s) => s.state === 'closed');
  assert.equal(new Set([...mainSegments, ...subSegments].map((s) => s.id)).size, mainSegments.length + subSegments.length, 'no segment is in both streams');
  const bytesOf = (s: { objectKey: string; bytes: number }) => app.store.read(s.objectKey, 0, s.bytes);
  assert.equal(await videoSize(await bytesOf(mainSegments[0]!)), '640x360');
  assert.equal(await videoSize(await bytesOf(subSegments[0]!)), '320x180');
  assert.ok(subSegments.every((s) => s.objectKey.startsWith(`${subId}/`)), 'sub-stream objects live under its recording id');

  // Each sub-stream segment has its ledger leaf, naming the camera and the stream.
  await waitFor('the sub-stream leaves', 10_000, async () => (await app.ledger.leavesOfTargets('footage.segment.sealed', subSegments.map((s) => s.id))).size === subSegments.length);
  const leaves = await app.ledger.leavesOfTargets('footage.segment.sealed', subSegments.map((s) => s.id));
  for (const leaf of leaves.values()) {
    const record = JSON.parse(leaf.text) as { camera_id: string; details: { stream?: string } };
    assert.deepEqual([record.camera_id, record.details.stream], [id, 'sub']);
  }
  const mainLeaves = await app.ledger.leavesOfTargets('footage.segment.sealed', mainSegments.map((s) => s.id));
  for (const leaf of mainLeaves.values()) assert.equal((JSON.parse(leaf.text) as { details: { stream?: string } }).details.stream, undefined);

  // Playback: the timeline and the playlist of the sub-stream, and its segment bytes.
  const from = new Date(subSegments[0]!.startMs).toISOString();
  const to = new Date(subSegments.at(-1)!.endMs).toISOString();
  const timeline = await root.inject({ method: 'GET', url: `/api/v1/cameras/${id}/timeline?stream=sub&from=${from}&to=${to}` });
  assert.equal(timeline.statusCode, 200, timeline.body);
  assert.equal(timeline.json<{ stream: string }>().stream, 'sub');
  assert.ok(timeline.json<{ spans: unknown[] }>().spans.length >= 1);
  const playlist = await root.inject({ method: 'GET', url: `/api/v1/cameras/${id}/playback.m3u8?stream=sub&from=${from}&to=${to}` });
  assert.equal(playlist.statusCode, 200, playlist.body);
  const uris = [...playlist.body.matchAll(/^segments\/([0-9a-f-]+)\.mp4$/gm)].map((m) => m[1]);
  assert.ok(uris.length >= 1 && uris.every((u) => subSegments.some((s) => s.id === u)), 'the playlist names sub-stream segments only');
  const bytes = await root.inject({ method: 'GET', url: `/api/v1/cameras/${id}/segments/${uris[0]}.mp4` });
  assert.equal(bytes.statusCode, 200);
  assert.equal(await videoSize(bytes.rawPayload), '320x180');
  const mainPlaylist = await root.inject({ method: 'GET', url: `/api/v1/cameras/${id}/playback.m3u8?from=${new Date(mainSegments[0]!.startMs).toISOString()}&to=${new Date(mainSegments.at(-1)!.endMs).toISOString()}` });
  assert.ok([...mainPlaylist.body.matchAll(/^segments\/([0-9a-f-]+)\.mp4$/gm)].every((m) => mainSegments.some((s) => s.id === m[1])), 'the default stays the main stream');
  // An export of the sub-stream is refused, naming the field.
  const exported = await root.inject({ method: 'POST', url: '/api/v1/exports', payload: { cameraId: id, from, to, reason: 'case 42', requestedFor: 'police', stream: 'sub' } });
  assert.deepEqual([exported.statusCode, exported.json<{ field?: string }>().field], [400, 'stream']);

  // 90 minutes later: the sub-stream's 1-h retention expired what was recorded, the main stream's 4 h did not.
  offsetMs = 90 * 60_000;
  await waitFor('retention to delete the old sub-stream segments', 20_000, async () => {
    const left = await app.playback.segments(subId, 0, subSegments.at(-1)!.endMs);
    return left.every((s) => !subSegments.some((old) => old.id === s.id));
  });
  const mainLeft = await app.playback.segments(id, 0, Number.MAX_SAFE_INTEGER);
  assert.ok(mainSegments.every((s) => mainLeft.some((m) => m.id === s.id)), 'the main stream keeps its footage');
  const deleted = await root.inject({ method: 'GET', url: `/api/v1/audit/events?type=footage.deleted&camera=${id}` });
  assert.equal(deleted.statusCode, 200, deleted.body);
  assert.match(deleted.body, /"stream":"sub"/, "the deletion names the sub-stream");
  // Both go on recording after the jump.
  await delay(1_000);
  const after = await status(id);
  assert.deepEqual([after.state, after.subStream?.state], ['recording', 'recording']);

  // Turning dual recording off stops the sub-stream recording only; its footage stays until its retention.
  const off = await root.inject({ method: 'PATCH', url: `/api/v1/cameras/${id}`, payload: { recordSubStream: false } });
  assert.equal(off.statusCode, 200, off.body);
  await app.recorder.reconcile();
  const s = await status(id);
  assert.deepEqual([s.state, s.subStream], ['recording', null]);
  assert.equal(app.recorder.recordsSub(id), false);
});
