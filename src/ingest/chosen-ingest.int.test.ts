/**
 * The per-camera ingest choice with the real native and ffmpeg ingests. `auto` against a camera
 * native cannot read (an MJPEG camera, scripted in the test with our RTSP request parser: no
 * such camera can run here) falls back to ffmpeg, says why in its description, and remembers
 * it; credentials or network failures do not fall back.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { RtspRequestParser } from '../../tools/camsim/rtsp-request-parser.ts';
import { AppError, isAppError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import { createFfmpegIngest } from './ffmpeg/ffmpeg-ingest.ts';
import { createChosenIngest, nativeUnsupported } from './chosen-ingest.ts';
import { IngestCounters } from './native/ingest-counters.ts';
import { createNativeIngest } from './native/native-ingest.ts';

const log = createLogger({ level: 'silent' });
const sockets = new Set<Socket>();
const server = createServer((socket) => {
  sockets.add(socket);
  socket.on('error', () => undefined);
  const parser = new RtspRequestParser();
  socket.on('data', (chunk: Buffer) => {
    for (const ev of parser.push(chunk)) {
      if (ev.kind !== 'request') continue;
      const cseq = ev.request.headers.get('cseq') ?? '0';
      const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=mjpeg\r\nt=0 0\r\nm=video 0 RTP/AVP 26\r\na=control:track1\r\n';
      const body = ev.request.method === 'DESCRIBE' ? sdp : '';
      const extra = ev.request.method === 'DESCRIBE' ? `Content-Type: application/sdp\r\nContent-Base: ${ev.request.uri}/\r\n` : 'Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n';
      socket.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      // A camera that then sends nothing: ffmpeg gives up on it too.
      if (ev.request.method === 'SETUP' || ev.request.method === 'PLAY') socket.destroy();
    }
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
after(
  () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
);

const chosen = () =>
  createChosenIngest({
    native: createNativeIngest({ log, fragmentSeconds: 1, stallTimeoutMs: 3000, counters: new IngestCounters() }),
    ffmpeg: createFfmpegIngest({ ffmpegPath: '/usr/bin/ffmpeg', fragmentSeconds: 1, stallTimeoutMs: 3000, log, killGraceMs: 300 }),
    log,
  });

test('auto falls back to ffmpeg for a codec native does not read, says why, and remembers it', { timeout: 60_000 }, async () => {
  const ingest = chosen();
  const target = { cameraId: 'mjpeg', url: `rtsp://127.0.0.1:${port}/cam`, username: null, password: null, ingest: 'auto' as const };
  // ffmpeg cannot record this camera either (it sends no stream), so the run still fails: but it is ffmpeg's failure.
  await assert.rejects(ingest.run(target, () => undefined, new AbortController().signal), (e) => e instanceof AppError);
  assert.equal(ingest.describe('mjpeg'), 'ffmpeg (native: codec JPEG)');
  await assert.rejects(ingest.run(target, () => undefined, new AbortController().signal), (e) => e instanceof AppError);
  assert.equal(ingest.describe('mjpeg'), 'ffmpeg (native: codec JPEG)', 'the next run goes straight to ffmpeg');
});

test('native chosen explicitly does not fall back; a refused connection is not a reason to fall back', { timeout: 30_000 }, async () => {
  const ingest = chosen();
  const mjpeg = { cameraId: 'mjpeg', url: `rtsp://127.0.0.1:${port}/cam`, username: null, password: null, ingest: 'native' as const };
  await assert.rejects(ingest.run(mjpeg, () => undefined, new AbortController().signal), (e) => isAppError(e, 'CAMERA_UNREACHABLE') && nativeUnsupported(e) === 'codec JPEG');
  assert.equal(ingest.describe('mjpeg'), 'native');
  const closed = { cameraId: 'down', url: 'rtsp://127.0.0.1:9/cam', username: null, password: null, ingest: 'auto' as const };
  await assert.rejects(ingest.run(closed, () => undefined, new AbortController().signal), (e) => isAppError(e, 'CAMERA_UNREACHABLE') && nativeUnsupported(e) === undefined);
  assert.equal(ingest.describe('down'), 'native');
});
