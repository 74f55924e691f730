/**
 * Audio through the whole data path (issue 20 item 6, ADR 0037), real parts only: GStreamer's
 * RTSP server (H.264 + AAC-LC) → native ingest → vault → HLS playback over HTTPS → export (ffmpeg
 * concat) → evidence package. The audio track MUST survive every step, decode in ffmpeg with no
 * error, and start within one fragment of the video in the export (ffprobe stream start times).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { App } from '../../src/app.ts';
import { startGstRtspServer, type GstRtspServer } from '../helpers/gst-rtsp.ts';
import { startTestApp, tempDir, waitFor } from '../helpers/harness.ts';
import { decodeAllErrors, streamSpans } from '../helpers/media-probe.ts';
import { testCustody } from '../helpers/audit.ts';
import { everyRole, testPrincipal, type TestPrincipal } from '../helpers/access.ts';
import { teardown } from '../helpers/teardown.ts';

const FRAGMENT_SECONDS = 1;
const defer = teardown({ after });
let app: App;
let root: TestPrincipal;
let server: GstRtspServer;
let cameraId = '';
let startedAt = 0;

before(async () => {
  const dir = await tempDir('audio');
  defer(() => dir.remove());
  const clip = join(dir.path, 'clip.mp4');
  await promisify(execFile)('/usr/bin/ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '12', '-c:v', 'libx264', '-g', '25', '-bf', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '1', '-b:a', '64k', clip,
  ]);
  server = await startGstRtspServer({ file: clip, codec: 'h264', audio: 'aac' });
  defer(() => server.close());
  app = await startTestApp(join(dir.path, 'data'));
  defer(() => app.close());
  root = await testPrincipal(app, { roles: everyRole });
  startedAt = Date.now();
  const res = await root.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'Door with microphone', url: server.url, ingest: 'native', recordAudio: true } });
  assert.equal(res.statusCode, 201, res.body);
  cameraId = res.json<{ id: string }>().id;
  // The clip is served once per session (12 s, then RTCP BYE): the first run gives two closed segments.
  await waitFor('two closed segments', 40_000, async () => (await app.playback.segments(cameraId, 0, Date.now())).filter((s) => s.state === 'closed').length >= 2);
});

test('the camera status says the audio is recorded, and segments carry both codecs', async () => {
  const res = await root.inject({ method: 'GET', url: `/api/v1/cameras/${cameraId}` });
  assert.equal(res.json<{ status: { audio: string } }>().status.audio, 'recorded (AAC 48000 Hz)');
  const segments = await app.playback.segments(cameraId, 0, Date.now());
  assert.ok(segments.every((s) => /^avc1\.[0-9A-F]{6},mp4a\.40\.2$/.test(s.codec)), segments.map((s) => s.codec).join(' '));
});

test('HLS playback over HTTPS has the audio track, and ffmpeg decodes video and audio with no error', async () => {
  const from = new Date(startedAt - 2_000).toISOString();
  const to = new Date(startedAt + 10_000).toISOString();
  const url = `${app.url}/api/v1/cameras/${cameraId}/playback.m3u8?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const auth = `authorization: ${root.headers.authorization}`;
  assert.equal(await decodeAllErrors(url, auth), '');
  const { video, audio } = await streamSpans(url, auth);
  assert.ok(video !== undefined && audio?.codec === 'aac', `streams: ${JSON.stringify({ video, audio })}`);
  assert.ok(Math.abs(audio.start - video.start) <= FRAGMENT_SECONDS && Math.abs(audio.end - video.end) <= FRAGMENT_SECONDS, JSON.stringify({ video, audio }));
});

test('an export keeps the audio in sync (ffprobe start times within one fragment), and its evidence package holds that MP4', async () => {
  const created = await root.inject({
    method: 'POST', url: '/api/v1/exports',
    payload: { cameraId, from: new Date(startedAt).toISOString(), to: new Date(startedAt + 10_000).toISOString(), ...testCustody },
  });
  assert.equal(created.statusCode, 202, created.body);
  const id = created.json<{ id: string }>().id;
  const done = await waitFor('export done', 45_000, async () => {
    const job = (await root.inject({ method: 'GET', url: `/api/v1/exports/${id}` })).json<{ state: string; error: string | null; download: string | null }>();
    if (job.state === 'failed') throw new Error(`export failed: ${job.error}`);
    return job.state === 'done' ? job : null;
  });
  const mp4 = (await root.inject({ method: 'GET', url: done.download as string })).rawPayload;
  assert.equal(await decodeAllErrors(mp4), '');
  const { video, audio } = await streamSpans(mp4);
  assert.ok(video !== undefined && audio?.codec === 'aac', `streams: ${JSON.stringify({ video, audio })}`);
  const spans = JSON.stringify({ video, audio });
  assert.ok(Math.abs(audio.start - video.start) <= FRAGMENT_SECONDS, `start times: ${spans}`);
  assert.ok(Math.abs((audio.end - audio.start) - (video.end - video.start)) <= FRAGMENT_SECONDS, `durations: ${spans}`);
  assert.ok(video.end - video.start >= 9, `the export covers the range: ${spans}`);

  const zip = (await root.inject({ method: 'GET', url: `/api/v1/exports/${id}/evidence` })).rawPayload;
  // The package stores the MP4 as is (zip method "stored"): the same bytes, audio included.
  assert.ok(zip.includes(mp4), 'the evidence package holds the exported MP4, byte for byte');
});

test('an export across a reconnect (two parts joined by ffmpeg\'s concat demuxer) keeps the audio with the video', { timeout: 90_000 }, async () => {
  // The server ends the clip after 12 s; the recorder reconnects and the clip starts again.
  const segments = await waitFor('a segment of the second session', 40_000, async () => {
    const closed = (await app.playback.segments(cameraId, 0, Date.now())).filter((s) => s.state === 'closed');
    return closed.length >= 3 ? closed : null;
  });
  const last = segments[segments.length - 1] as (typeof segments)[number];
  const created = await root.inject({
    method: 'POST', url: '/api/v1/exports',
    payload: { cameraId, from: new Date(startedAt).toISOString(), to: new Date(last.endMs).toISOString(), ...testCustody },
  });
  assert.equal(created.statusCode, 202, created.body);
  const id = created.json<{ id: string }>().id;
  const done = await waitFor('export done', 45_000, async () => {
    const job = (await root.inject({ method: 'GET', url: `/api/v1/exports/${id}` })).json<{ state: string; error: string | null; download: string | null }>();
    if (job.state === 'failed') throw new Error(`export failed: ${job.error}`);
    return job.state === 'done' ? job : null;
  });
  const mp4 = (await root.inject({ method: 'GET', url: done.download as string })).rawPayload;
  assert.equal(await decodeAllErrors(mp4), '');
  const { video, audio } = await streamSpans(mp4);
  const spans = JSON.stringify({ video, audio });
  assert.ok(video !== undefined && audio?.codec === 'aac', spans);
  assert.ok(video.end - video.start >= 15, `both sessions are in the export: ${spans}`);
  assert.ok(Math.abs(audio.start - video.start) <= FRAGMENT_SECONDS && Math.abs(audio.end - video.end) <= FRAGMENT_SECONDS, spans);
});
