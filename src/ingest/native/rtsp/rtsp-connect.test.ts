import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { isAppError } from '../../../lib/errors.ts';
import { cameraTrust } from '../../../cameras/camera-trust.ts';
import { connectRtsp } from './rtsp-connect.ts';

/** A port that was just free: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('default RTSP connect', () => {
  it('refuses a TLS CA for an rtsp:// URL and a CA without a parsable certificate', async () => {
    await assert.rejects(connectRtsp('rtsp://127.0.0.1:1/x', { tlsCaPem: 'x' }), (e) => isAppError(e, 'VALIDATION_FAILED'));
    await assert.rejects(connectRtsp('rtsps://127.0.0.1:1/x', { tlsCaPem: 'not a pem' }), (e) => isAppError(e, 'VALIDATION_FAILED') && /no PEM/.test(e.message));
    assert.throws(() => cameraTrust('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'), (e) => isAppError(e, 'VALIDATION_FAILED'));
  });

  it('reports a refused connection as CAMERA_UNREACHABLE with the system error code', async () => {
    const port = await closedPort();
    await assert.rejects(connectRtsp(`rtsp://127.0.0.1:${port}/x`), (e) =>
      isAppError(e, 'CAMERA_UNREACHABLE') && e.message === 'cannot connect to the camera: ECONNREFUSED' && e.detail?.step === 'connect');
  });

  it('gives up when the signal aborts', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(connectRtsp('rtsp://127.0.0.1:1/x', { signal: ac.signal }), (e) => isAppError(e, 'CAMERA_UNREACHABLE'));
  });
});
