/**
 * The recording data path end to end, with real parts only: camsim (our RTSP server) →
 * ffmpeg ingest → segmenter → file store + SQLite index → HTTPS API → ffmpeg/ffprobe as clients.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { App } from '../../src/app.ts';
import type { Camsim } from '../../tools/camsim/camsim.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { countFrames, decodeErrors, probeErrors } from '../helpers/media-probe.ts';
import { scanForPlaintext } from '../helpers/plaintext-scan.ts';
import { testActor, testCustody } from '../helpers/audit.ts';
import { everyRole, testPrincipal, type TestPrincipal } from '../helpers/access.ts';
import { teardown } from '../helpers/teardown.ts';

const fps = 25;
let sim: Camsim;
let app: App;
let dir: { path: string; remove(): Promise<void> };
const cameraIds: string[] = [];
let startedAt = 0;
let root: TestPrincipal;
let stoppedAt = 0;

async function api<T>(method: string, url: string, body?: unknown): Promise<{ status: number; json: T; headers: Record<string, unknown>; raw: string }> {
  const res = await root.inject({ method: method, url, ...(body === undefined ? {} : { payload: body as object }) });
  let json: unknown = undefined;
  try {
    json = res.json();
  } catch {
    // not JSON
  }
  return { status: res.statusCode, json: json as T, headers: res.headers, raw: res.body };
}

const defer = teardown({ after });

before(async () => {
  dir = await tempDir('recording');
  defer(() => dir.remove());
  sim = await startTestCamsim({ cameras: 2 });
  defer(() => sim.close());
  app = await startTestApp(dir.path);
  defer(() => app.close());
  root = await testPrincipal(app, { roles: everyRole });
  startedAt = Date.now();
  for (const [i, url] of sim.urls.entries()) {
    const res = await api<{ id: string }>('POST', '/api/v1/cameras', { name: `Camera ${i + 1}`, url });
    assert.equal(res.status, 201, res.raw);
    cameraIds.push(res.json.id);
  }
  await waitFor('both cameras recording', 20_000, async () => {
    const res = await api<Array<{ ingest: string; status: { state: string; ingest: string } }>>('GET', '/api/v1/cameras');
    // New cameras default to auto, which pulls camsim's H.264 with the native ingest.
    return res.json.every((c) => c.status.state === 'recording' && c.ingest === 'auto' && c.status.ingest === 'native');
  });
  await delay(20_000);
  stoppedAt = Date.now();
});

const range = () => ({ from: new Date(startedAt - 5_000).toISOString(), to: new Date(stoppedAt + 1_000).toISOString() });

test('Prometheus metrics and the camera status count bytes, fragments, reconnects and losses per camera', async () => {
  const res = await root.inject({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain/);
  for (const id of cameraIds) {
    assert.match(res.body, new RegExp(`custos_camera_recording\\{camera="${id}"\\} 1`));
    assert.match(res.body, new RegExp(`custos_camera_lost_packets_total\\{camera="${id}"\\} 0`));
    const bytes = Number(new RegExp(`custos_camera_bytes_total\\{camera="${id}"\\} (\\d+)`).exec(res.body)?.[1]);
    assert.ok(bytes > 100_000, `bytes recorded: ${bytes}`);
    const frames = Number(new RegExp(`custos_camera_frames_total\\{camera="${id}"\\} (\\d+)`).exec(res.body)?.[1]);
    assert.ok(frames >= 20 * fps * 0.9, `frames recorded in ~20 s: ${frames}`);
  }
  assert.match(res.body, /custos_process_cpu_seconds_total/);
  const cams = await api<Array<{ status: { reconnects: number; lostPackets: number | null; droppedFrames: number | null; audio: string | null } }>>('GET', '/api/v1/cameras');
  // camsim offers video only; the native ingest says so.
  for (const c of cams.json) assert.deepEqual([c.status.reconnects, c.status.lostPackets, c.status.droppedFrames, c.status.audio], [0, 0, 0, 'none']);
});

test('the timeline of each camera shows about 20 s recorded and no gap inside it', async () => {
  for (const id of cameraIds) {
    const { from, to } = range();
    const res = await api<{ spans: Array<{ start: string; end: string }>; gaps: unknown[] }>('GET', `/api/v1/cameras/${id}/timeline?from=${from}&to=${to}`);
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.json.spans.length, 1, JSON.stringify(res.json));
    const span = res.json.spans[0]!;
    const seconds = (Date.parse(span.end) - Date.parse(span.start)) / 1000;
    assert.ok(seconds >= 17, `recorded ${seconds} s`);
  }
});

test('the HLS playlist of the range decodes in ffmpeg over HTTPS with the expected frame count', async () => {
  const id = cameraIds[0]!;
  // The camera is still recording: end the range in the past so the playlist cannot grow
  // between our request and ffmpeg's.
  const from = new Date(startedAt - 5_000).toISOString();
  const to = new Date(stoppedAt - 3_000).toISOString();
  const url = `${app.url}/api/v1/cameras/${id}/playback.m3u8?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const playlist = await api<unknown>('GET', `/api/v1/cameras/${id}/playback.m3u8?from=${from}&to=${to}`);
  assert.equal(playlist.status, 200);
  assert.match(playlist.raw, /#EXT-X-MAP:URI="segments\//);
  const durations = [...playlist.raw.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
  const expectedFrames = Math.round(durations.reduce((a, b) => a + b, 0) * fps);
  const auth = `authorization: ${root.headers.authorization}`;
  assert.equal(await decodeErrors(url, auth), '');
  const frames = await countFrames(url, auth);
  assert.ok(Math.abs(frames - expectedFrames) <= fps, `playlist decoded ${frames} frames, index says ${expectedFrames}`);
});

test('an export of 10 s is an MP4 that decodes with no errors and the right number of frames', async () => {
  const id = cameraIds[1]!;
  const from = new Date(startedAt + 4_000).toISOString();
  const to = new Date(startedAt + 14_000).toISOString();
  const created = await api<{ id: string; state: string }>('POST', '/api/v1/exports', { cameraId: id, from, to, ...testCustody });
  assert.equal(created.status, 202, created.raw);
  // The job waits until the exported segments are sealed into the audit ledger (6 s segments).
  const done = await waitFor('export done', 45_000, async () => {
    const res = await api<{ state: string; download: string | null; error: string | null }>('GET', `/api/v1/exports/${created.json.id}`);
    if (res.json.state === 'failed') throw new Error(`export failed: ${res.json.error}`);
    return res.json.state === 'done' ? res.json : null;
  });
  const file = await root.inject({ method: 'GET', url: done.download! });
  assert.equal(file.statusCode, 200);
  assert.equal(file.headers['content-type'], 'video/mp4');
  // Probed from memory: writing it to the data directory would defeat the plaintext scan below.
  const mp4 = file.rawPayload;
  assert.equal(await probeErrors(mp4), '');
  assert.equal(await decodeErrors(mp4), '');
  const frames = await countFrames(mp4);
  // Whole fragments overlapping the range are exported: 10 s, plus up to one fragment each side.
  assert.ok(frames >= 10 * fps && frames <= 12 * fps + 1, `export has ${frames} frames`);
});

test('a bad export request gets a problem document, not a job', async () => {
  const noReason = await api<{ code: string; detail: string }>('POST', '/api/v1/exports', { cameraId: cameraIds[0], from: '2020-01-01T00:00:00Z', to: '2020-01-01T00:01:00Z' });
  assert.equal(noReason.status, 400);
  assert.equal(noReason.json.code, 'VALIDATION_FAILED');
  assert.match(noReason.json.detail, /reason/);
  const res = await api<{ code: string }>('POST', '/api/v1/exports', { cameraId: cameraIds[0], from: '2020-01-01T00:00:00Z', to: '2020-01-01T00:01:00Z', ...testCustody });
  assert.equal(res.status, 404);
  assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.equal(res.json.code, 'NO_RECORDING');
  const reversed = await api<{ code: string }>('POST', '/api/v1/exports', { cameraId: cameraIds[0], from: '2020-01-01T00:01:00Z', to: '2020-01-01T00:00:00Z', ...testCustody });
  assert.equal(reversed.json.code, 'RANGE_INVALID');
});

test('every stored segment decodes, its frame count matches its indexed length, and no plaintext is on disk', async () => {
  // Stop recording so every segment is closed, then read them back through the vault.
  for (const id of cameraIds) await app.cameras.update(id, { enabled: false }, testActor);
  await app.recorder.reconcile();
  const segments = (await Promise.all(cameraIds.map((id) => app.playback.segments(id, 0, Number.MAX_SAFE_INTEGER)))).flat();
  assert.ok(segments.length >= 6, `expected ≥ 3 segments per camera, got ${segments.length}`);
  const samples: Buffer[] = [];
  for (const s of segments) {
    assert.equal(s.state, 'closed');
    const plain = await app.store.read(s.objectKey, 0, s.bytes);
    assert.equal(plain.subarray(4, 8).toString('latin1'), 'ftyp', 'the vault gives back the fMP4 object');
    assert.equal(await probeErrors(plain), '', s.objectKey);
    assert.equal(await decodeErrors(plain), '', s.objectKey);
    const frames = await countFrames(plain);
    const expected = ((s.endMs - s.startMs) / 1000) * fps;
    assert.ok(Math.abs(frames - expected) <= fps, `${s.objectKey}: ${frames} frames for ${expected} expected`);
    const f = s.fragments[1] ?? s.fragments[0]!;
    samples.push(plain.subarray(f.offset + f.size - 64, f.offset + f.size - 16));
  }
  await app.close();
  // Plaintext never reached the disk: no box headers, no start codes, no window of real video.
  assert.deepEqual(await scanForPlaintext(dir.path, samples), []);
});
