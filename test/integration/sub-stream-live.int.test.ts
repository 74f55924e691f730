/**
 * Sub-streams for live tiles (issue 20 item 7, ADR 0037), real parts only: camsim (our RTSP
 * server, 640×360) is the main stream the camera records; GStreamer's RTSP server on the same
 * host serves a 320×180 sub-stream. A live viewer asking for `?stream=sub` MUST get the
 * sub-stream while the main stream goes on recording; a camera without one falls back to main.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { WebSocket as WsSocket } from 'ws';
import type { App } from '../../src/app.ts';
import type { Camsim } from '../../tools/camsim/camsim.ts';
import { startGstRtspServer, type GstRtspServer } from '../helpers/gst-rtsp.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { everyRole, testPrincipal, type TestPrincipal } from '../helpers/access.ts';
import { teardown } from '../helpers/teardown.ts';

const defer = teardown({ after });
let app: App;
let root: TestPrincipal;
let sim: Camsim;
let sub: GstRtspServer;

/** A live socket and what it received: the hellos (JSON) and the count of binary messages. */
interface Viewer {
  readonly ws: WsSocket;
  readonly hellos: { stream: string; width: number; height: number; codec: string }[];
  binary: number;
  ended: { code: number; reason: string } | null;
}

async function watch(cameraId: string, query = ''): Promise<Viewer> {
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(`${app.url.replace('https:', 'wss:')}/api/v1/cameras/${cameraId}/live${query}`, { rejectUnauthorized: false, headers: root.headers });
  const viewer: Viewer = { ws, hellos: [], binary: 0, ended: null };
  ws.on('message', (data, isBinary) => {
    if (isBinary) viewer.binary++;
    else viewer.hellos.push(JSON.parse(Buffer.from(data as Buffer).toString('utf8')) as Viewer['hellos'][number]);
  });
  ws.on('close', (code, reason) => (viewer.ended = { code, reason: reason.toString() }));
  defer(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return viewer;
}

async function status(id: string): Promise<{ state: string; fragments: number; viewers: number }> {
  return (await root.inject({ method: 'GET', url: `/api/v1/cameras/${id}` })).json<{ status: { state: string; fragments: number; viewers: number } }>().status;
}

before(async () => {
  const dir = await tempDir('sub-stream');
  defer(() => dir.remove());
  const clip = join(dir.path, 'sub.mp4');
  await promisify(execFile)('/usr/bin/ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-t', '30',
    '-c:v', 'libx264', '-g', '25', '-bf', '0', '-pix_fmt', 'yuv420p', clip,
  ]);
  sub = await startGstRtspServer({ file: clip, codec: 'h264' });
  defer(() => sub.close());
  sim = await startTestCamsim({ cameras: 2 });
  defer(() => sim.close());
  app = await startTestApp(join(dir.path, 'data'));
  defer(() => app.close());
  root = await testPrincipal(app, { roles: everyRole });
});

test('a camera refuses a sub-stream on another host, with other credentials, or stepping down from rtsps', async () => {
  const post = (payload: object) => root.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: `Refused ${Math.random()}`, ...payload } });
  const otherHost = await post({ url: 'rtsp://127.0.0.1:8554/main', subStreamUrl: 'rtsp://192.0.2.7:8554/sub' });
  assert.equal(otherHost.statusCode, 400);
  assert.equal(otherHost.json<{ code: string }>().code, 'VALIDATION_FAILED');
  const otherCreds = await post({ url: 'rtsp://127.0.0.1:8554/main2', username: 'admin', password: 'right', subStreamUrl: 'rtsp://admin:wrong@127.0.0.1:8554/sub' });
  assert.equal(otherCreds.json<{ code: string }>().code, 'CAMERA_URL_INVALID');
  assert.doesNotMatch(otherCreds.body, /wrong/, 'the error does not echo the password');
  const downgrade = await post({ url: 'rtsps://127.0.0.1:8555/main', subStreamUrl: 'rtsp://127.0.0.1:8554/sub' });
  assert.equal(downgrade.json<{ code: string }>().code, 'VALIDATION_FAILED');
  // The camera's own credentials repeated in it are accepted, and taken out.
  const same = await post({ url: 'rtsp://127.0.0.1:8554/main3', username: 'admin', password: 'right', subStreamUrl: 'rtsp://admin:right@127.0.0.1:8554/sub', enabled: false });
  assert.equal(same.statusCode, 201, same.body);
  assert.equal(same.json<{ subStreamUrl: string }>().subStreamUrl, 'rtsp://127.0.0.1:8554/sub');
});

test('sub-stream tiles are served while the main stream records; without a sub-stream a viewer gets the main one', { timeout: 90_000 }, async () => {
  const withSub = await root.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'Lobby', url: sim.urls[0], subStreamUrl: sub.url } });
  assert.equal(withSub.statusCode, 201, withSub.body);
  const id = withSub.json<{ id: string }>().id;
  const without = await root.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'Yard', url: sim.urls[1] } });
  const plainId = without.json<{ id: string }>().id;
  await waitFor('both cameras recording', 20_000, async () => (await status(id)).state === 'recording' && (await status(plainId)).state === 'recording');

  const before = (await status(id)).fragments;
  const tile = await watch(id, '?stream=sub');
  const full = await watch(id);
  const fallback = await watch(plainId, '?stream=sub');
  await waitFor('sub-stream fragments', 20_000, () => tile.binary >= 4 && full.binary >= 2 && fallback.binary >= 2);
  assert.deepEqual(tile.hellos.map((h) => [h.stream, h.width, h.height]), [['sub', 320, 180]]);
  assert.deepEqual(full.hellos.map((h) => [h.stream, h.width, h.height]), [['main', 640, 360]]);
  assert.deepEqual(fallback.hellos.map((h) => h.stream), ['main'], 'a camera without a sub-stream serves the main one');
  // Per-frame live chunks (ADR 0038) arrive well before the recorder's next 1-s fragment.
  await waitFor('the main stream recording on', 10_000, async () => (await status(id)).fragments > before);
  const during = await status(id);
  assert.equal(during.state, 'recording');
  assert.ok(during.fragments > before, `the main stream went on recording: ${before} → ${during.fragments} fragments`);
  assert.equal(during.viewers, 2, 'viewers of both streams are counted');

  // Removing the sub-stream ends its run and closes its viewers; the main viewer stays.
  const patched = await root.inject({ method: 'PATCH', url: `/api/v1/cameras/${id}`, payload: { subStreamUrl: null } });
  assert.equal(patched.statusCode, 200, patched.body);
  await waitFor('sub viewer closed', 5_000, () => tile.ended !== null);
  assert.equal(tile.ended?.code, 1013);
  assert.equal(full.ended, null);
  assert.equal((await status(id)).state, 'recording');
});

/** Every process's argv on this machine (what any local user can read in /proc/<pid>/cmdline). */
function everyCommandLine(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' '));
    } catch {
      // the process ended meanwhile
    }
  }
  return lines;
}

test('a sub-stream pulled by ffmpeg gets the camera\'s credentials like the main stream: never in any process\'s argv', { timeout: 90_000 }, async () => {
  const password = 'sub-stream-secret-7f3a';
  const guarded = await startTestCamsim({ cameras: 2, username: 'alice', password });
  defer(() => guarded.close());
  const res = await root.inject({
    method: 'POST', url: '/api/v1/cameras',
    payload: { name: 'Guarded', url: guarded.urls[0], username: 'alice', password, ingest: 'ffmpeg', subStreamUrl: guarded.urls[1] },
  });
  assert.equal(res.statusCode, 201, res.body);
  const id = res.json<{ id: string }>().id;
  await waitFor('main stream recording through ffmpeg', 30_000, async () => (await status(id)).state === 'recording');
  const tile = await watch(id, '?stream=sub');
  await waitFor('sub-stream fragments through ffmpeg', 30_000, () => tile.binary >= 3);
  assert.deepEqual(tile.hellos.map((h) => h.stream), ['sub']);
  const ffmpegs = everyCommandLine().filter((l) => l.includes('ffmpeg') && l.includes('rtsp://'));
  assert.ok(ffmpegs.length >= 2, `the main and the sub-stream each have an ffmpeg: ${ffmpegs.length}`);
  assert.deepEqual(everyCommandLine().filter((l) => l.includes(password)), [], 'no argv holds the password');
  const cam = await root.inject({ method: 'GET', url: `/api/v1/cameras/${id}` });
  assert.doesNotMatch(cam.body, new RegExp(password));
});
