/**
 * A flapping camera (issue 12, item 14): it accepts PLAY, then drops the connection before any
 * fragment. A successful PLAY restarts the backoff (the camera works, it is not down), and every
 * wait is jittered so cameras that failed together do not all come back in the same instant.
 * A scripted RTSP camera on loopback (node:net) and the real app with the native ingest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { RtspRequestParser } from '../../tools/camsim/rtsp-request-parser.ts';
import { startDeferredTestApp } from '../helpers/harness.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=flapping', 't=0 0', 'a=control:*', 'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000',
  'a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z2QAHqw=,aO88sA==', 'a=control:trackID=0', ''].join('\r\n');

/** An RTSP camera that answers every request, then closes the connection 100 ms after PLAY. */
async function flappingCamera(): Promise<{ url: string; plays: number[]; close(): Promise<void> }> {
  const plays: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const parser = new RtspRequestParser();
    socket.on('data', (chunk: Buffer) => {
      for (const ev of parser.push(chunk)) {
        if (ev.kind !== 'request') continue;
        const req = ev.request;
        const headers: string[] = [`CSeq: ${req.headers.get('cseq') ?? '0'}`];
        let body = '';
        if (req.method === 'OPTIONS') headers.push('Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN');
        if (req.method === 'DESCRIBE') {
          headers.push('Content-Type: application/sdp', `Content-Base: ${req.uri}/`);
          body = sdp;
        }
        if (req.method === 'SETUP') headers.push('Session: S1;timeout=60', `Transport: ${req.headers.get('transport') ?? ''}`);
        if (req.method === 'PLAY') headers.push('Session: S1');
        if (body) headers.push(`Content-Length: ${Buffer.byteLength(body)}`);
        socket.write(`RTSP/1.0 200 OK\r\n${headers.join('\r\n')}\r\n\r\n${body}`);
        if (req.method === 'PLAY') {
          plays.push(Date.now());
          setTimeout(() => socket.destroy(), 100);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `rtsp://127.0.0.1:${port}/cam`,
    plays,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test('a camera that accepts PLAY and then drops is retried after a short, jittered wait every time, not after a growing backoff', async (t) => {
  const defer = teardown(t);
  const camera = await flappingCamera();
  defer(() => camera.close());
  const { app } = await startDeferredTestApp(defer, 'flapping', { 'recording.retryInitialSeconds': 0.4, 'recording.retryMaxSeconds': 6 });
  const added = await app.cameras.add({ name: 'Flapping', url: camera.url, ingest: 'native' }, testActor);
  const waits = new Set<number>();
  const sampler = setInterval(() => {
    const s = app.recorder.status(added);
    if (s.state === 'retrying' && s.retryAtMs !== null) waits.add(s.retryAtMs - s.sinceMs);
  }, 40);
  defer(() => clearInterval(sampler));
  await delay(12_000);
  clearInterval(sampler);
  await app.cameras.update(added.id, { enabled: false }, testActor);

  // Doubling from 0.4 s to 6 s would allow about 6 attempts in 12 s; a reset on PLAY, ~20.
  assert.ok(camera.plays.length >= 10, `PLAY accepted ${camera.plays.length} times in 12 s`);
  assert.ok([...waits].every((w) => w <= 400), `every wait at most the initial delay: ${[...waits].join(', ')}`);
  assert.ok(waits.size >= 3, `waits are jittered: ${[...waits].join(', ')}`);
});
