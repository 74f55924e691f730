/**
 * `recording.cameraNetworks`: under a policy no ingest dials an address outside it — not the
 * native ingest, not ffmpeg (with or without credentials), not through a host name — and the
 * status says so; cameras inside it record. Real: the app, camsim, both ingests, loopback
 * listeners that count the connections they get (127.0.0.2 stands for another network).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startDeferredTestApp, startTestCamsim, waitFor } from '../../test/helpers/harness.ts';
import { testActor } from '../../test/helpers/audit.ts';
import { startRtspListener } from '../../test/helpers/rtsp-listener.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import type { App } from '../app.ts';

const denied = 'the camera address is outside the allowed camera networks (recording.cameraNetworks)';
const variants = [['native', false], ['ffmpeg', false], ['ffmpeg', true]] as const;

async function addEach(app: App, url: string, label: string): Promise<string[]> {
  const ids: string[] = [];
  for (const [ingest, credentials] of variants) {
    const camera = await app.cameras.add({
      name: `${label} ${ingest}${credentials ? ' with credentials' : ''}`, url: `${url}?${ingest}${credentials ? '-c' : ''}`, ingest,
      ...(credentials ? { username: 'u', password: 'p' } : {}),
    }, testActor);
    ids.push(camera.id);
  }
  return ids;
}

const lastErrors = async (app: App, ids: string[]) => {
  const all = await app.cameras.list();
  return ids.map((id) => app.recorder.status(all.find((c) => c.id === id)!).lastError);
};

describe('camera networks', () => {
  const defer = teardown({ after });

  test('an allow list keeps every ingest off other addresses and lets cameras inside it record', { timeout: 120_000 }, async () => {
    const sim = await startTestCamsim({ cameras: 1 });
    defer(() => sim.close());
    const outside = await startRtspListener({ host: '127.0.0.2' });
    defer(() => outside.close());
    const { app } = await startDeferredTestApp(defer, 'networks-allow', { 'recording.cameraNetworks': { allow: ['127.0.0.1/32'], deny: [] } });
    const blocked = await addEach(app, outside.url(), 'Outside');
    const inside = await app.cameras.add({ name: 'Inside', url: sim.urls[0]!.replace('127.0.0.1', 'localhost'), ingest: 'native' }, testActor);
    await waitFor('the camera inside to record', 60_000, () => app.recorder.status(inside).state === 'recording');
    const reasons = await waitFor('every outside camera to fail', 30_000, async () => {
      const errors = await lastErrors(app, blocked);
      return errors.every((e) => e !== null) ? errors : undefined;
    });
    assert.deepEqual(reasons, blocked.map(() => denied));
    assert.equal(outside.connections(), 0, 'no ingest connected outside the allowed network');
  });

  test('a deny list is checked on the addresses a host name resolves to', { timeout: 60_000 }, async () => {
    const listener = await startRtspListener();
    defer(() => listener.close());
    const { app } = await startDeferredTestApp(defer, 'networks-deny', { 'recording.cameraNetworks': { allow: [], deny: ['127.0.0.0/8', '::1/128'] } });
    const ids = await addEach(app, `rtsp://localhost:${listener.port}/stream`, 'Named');
    const reasons = await waitFor('every camera to fail', 30_000, async () => {
      const errors = await lastErrors(app, ids);
      return errors.every((e) => e !== null) ? errors : undefined;
    });
    assert.deepEqual(reasons, ids.map(() => denied));
    assert.equal(listener.connections(), 0);
  });
});
