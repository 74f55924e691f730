/**
 * The camera bridge admits ffmpeg only: a process of another local user that races to the bridge
 * port is refused before a byte reaches the camera (the bridge authenticates for whoever it
 * admits), and a process of our own user is served, signed by the bridge. Real: camsim with Digest
 * auth, `runuser` to connect as `nobody` (needs root: skipped with that reason otherwise).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { startCamsim } from '../../../tools/camsim/camsim.ts';
import { teardown } from '../../../test/helpers/teardown.ts';
import { openCameraBridge } from './camera-bridge.ts';

const run = promisify(execFile);
const skip = process.getuid?.() === 0 ? false : 'connecting as another user needs root (runuser)';

/** Sends one OPTIONS request to the bridge and returns what came back before the connection closed. */
const optionsScript = (port: number): string =>
  `exec 3<>/dev/tcp/127.0.0.1/${port} || exit 3; printf 'OPTIONS rtsp://127.0.0.1:${port}/cam1 RTSP/1.0\\r\\nCSeq: 1\\r\\n\\r\\n' >&3; timeout 5 head -c 15 <&3; exit 0`;

test('the bridge refuses a connection from another local user and serves its own user, authenticated', { skip, timeout: 60_000 }, async (t) => {
  const defer = teardown(t);
  const sim = await startCamsim({ cameras: 1, port: 0, profile: 'small', cacheDir: join(tmpdir(), 'custos-camsim-test-cache'), username: 'alice', password: 'pw-1' });
  defer(() => sim.close());
  const target = { cameraId: 'cam-1', url: sim.urls[0]!, username: 'alice', password: 'pw-1' };

  const first = await openCameraBridge(target, 5000, new AbortController().signal);
  assert.ok(first);
  defer(() => first.close());
  const intruder = await run('runuser', ['-u', 'nobody', '--', 'bash', '-c', optionsScript(first.port)]);
  assert.equal(intruder.stdout, '', 'another user got no byte of the camera');
  // The refusal left the bridge waiting for ffmpeg: our own user is still served.
  const own = await run('bash', ['-c', optionsScript(first.port)]);
  assert.equal(own.stdout, 'RTSP/1.0 200 OK', 'our own user is answered (the bridge signed the request after the challenge)');

  // And a single connection only: a second one of our own user is refused too.
  const again = await new Promise<string>((resolve) => {
    const s = connect(first.port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += String(d)));
    s.on('error', () => resolve(got));
    s.on('close', () => resolve(got));
    s.write('OPTIONS rtsp://x/cam1 RTSP/1.0\r\nCSeq: 1\r\n\r\n');
  });
  assert.equal(again, '');
});
