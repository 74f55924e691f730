/**
 * What each ingest sends to a listener that asks for credentials the wrong way: real ffmpeg and
 * the native ingest against a real RTSP listener on loopback that keeps every byte it receives.
 * Basic MUST never cross unencrypted rtsp://, and a redirect MUST NOT carry the credentials to
 * another host (127.0.0.2 stands for one). Through the app: a site administrator who points a
 * recording camera at their own listener receives none of its credentials.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { basicChallenge, digestChallenge, startRtspListener } from '../helpers/rtsp-listener.ts';
import { startDeferredTestApp, startTestCamsim, waitFor } from '../helpers/harness.ts';
import { testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';
import { IngestCounters } from '../../src/ingest/native/ingest-counters.ts';
import { createNativeIngest } from '../../src/ingest/native/native-ingest.ts';
import { isAppError } from '../../src/lib/errors.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createFfmpegIngest } from '../../src/ingest/ffmpeg/ffmpeg-ingest.ts';
import type { Ingest } from '../../src/ingest/ingest.ts';
import { classifyIngestFailure } from '../../src/ingest/ingest-failure.ts';

const log = createLogger({ level: 'silent' });
const ingests: Record<string, () => Ingest> = {
  ffmpeg: () => createFfmpegIngest({ ffmpegPath: '/usr/bin/ffmpeg', fragmentSeconds: 1, stallTimeoutMs: 5000, log, killGraceMs: 500 }),
  native: () => createNativeIngest({ log, fragmentSeconds: 1, stallTimeoutMs: 5000, counters: new IngestCounters() }),
};
const username = 'admin';
const password = 'Sup3r-secret';
const basicToken = Buffer.from(`${username}:${password}`).toString('base64');

for (const [name, make] of Object.entries(ingests)) {
  describe(`the ${name} ingest`, () => {
    const defer = teardown({ after });

    test('never sends Basic credentials over plain rtsp://, even when Basic is all the camera offers', { timeout: 30_000 }, async () => {
      const listener = await startRtspListener({ answer: basicChallenge });
      defer(() => listener.close());
      const failure = await make().run({ cameraId: `cam-${name}`, url: listener.url(), username, password }, () => undefined, new AbortController().signal).then(() => undefined, (e: unknown) => e);
      const received = listener.received();
      assert.match(received, /^OPTIONS /, 'the listener was reached');
      assert.ok(!received.includes(basicToken) && !received.includes(password), 'no credential reached the listener');
      assert.doesNotMatch(received, /authorization/i);
      assert.ok(isAppError(failure, 'CAMERA_UNREACHABLE'), String(failure));
      assert.match(classifyIngestFailure(failure).text, /^authentication failed: .*Basic/, 'the status says why');
    });

    test('does not take the credentials along a redirect to another host', { timeout: 30_000 }, async () => {
      const elsewhere = await startRtspListener({ host: '127.0.0.2', answer: digestChallenge });
      defer(() => elsewhere.close());
      const camera = await startRtspListener({ answer: (_m, cseq) => `RTSP/1.0 302 Moved\r\nCSeq: ${cseq}\r\nLocation: ${elsewhere.url()}\r\n` });
      defer(() => camera.close());
      await assert.rejects(make().run({ cameraId: `cam-${name}`, url: camera.url(), username, password }, () => undefined, new AbortController().signal));
      assert.doesNotMatch(elsewhere.received(), /authorization/i, 'the other host got no Authorization header');
      assert.ok(!elsewhere.received().includes(username), 'nor the user name');
    });
  });
}

describe('a camera whose URL a site administrator moves to their own host', () => {
  const defer = teardown({ after });

  for (const ingest of ['native', 'ffmpeg'] as const) {
    test(`sends the new host none of the stored credentials (${ingest} ingest)`, { timeout: 90_000 }, async () => {
      const sim = await startTestCamsim({ cameras: 1, username: 'alice', password });
      defer(() => sim.close());
      const { app } = await startDeferredTestApp(defer, `moved-${ingest}`);
      await app.identity.sites.createSite({ id: 'north', name: 'North', fourEyes: false }, testActor);
      const camera = await app.cameras.add({ name: 'Door', url: sim.urls[0]!, username: 'alice', password, siteId: 'north', ingest }, testActor);
      await waitFor('the camera to record', 60_000, () => app.recorder.status(camera).state === 'recording');
      const attacker = await startRtspListener({ host: '127.0.0.2', answer: digestChallenge });
      defer(() => attacker.close());
      const siteAdmin = await testPrincipal(app, { roles: ['admin'], scope: 'site:north' });
      const moved = await siteAdmin.inject({ method: 'PATCH', url: `/api/v1/cameras/${camera.id}`, payload: { url: attacker.url() } });
      assert.equal(moved.statusCode, 200, moved.body);
      await waitFor('the camera to reach the new host', 30_000, () => /OPTIONS /.test(attacker.received()) && /authentication failed/.test(app.recorder.status(camera).lastError ?? ''));
      assert.doesNotMatch(attacker.received(), /authorization|alice/i, 'no Digest response, no user name');
    });
  }
});
