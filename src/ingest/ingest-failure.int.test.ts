/**
 * Camera URLs are not a port scanner: cameras pointed at other services (a NATS-like banner, a
 * MySQL-like greeting, an HTTP server, a port that closes at once, an RTSP server with a chatty
 * reason phrase, a closed port) show a classified reason in their status and gaps, never a byte
 * the service sent. Real: the app over HTTPS inject, SQLite, both ingests (ffmpeg with and
 * without the bridge), loopback listeners.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { App } from '../app.ts';
import { startDeferredTestApp, waitFor } from '../../test/helpers/harness.ts';
import { testPrincipal, type TestPrincipal } from '../../test/helpers/access.ts';
import { testActor } from '../../test/helpers/audit.ts';
import { startRtspListener, type RtspListenerOptions } from '../../test/helpers/rtsp-listener.ts';
import { teardown } from '../../test/helpers/teardown.ts';

/** What the services say; none of it may reach the status. */
const secret = 'SECRETBANNER';
const services: Record<string, RtspListenerOptions> = {
  nats: { greeting: `INFO {"server_id":"${secret}","version":"2.10.1"}\r\n` },
  mysql: { greeting: Buffer.concat([Buffer.from('4a0000000a382e302e3333', 'hex'), Buffer.from(`-${secret}\0`)]) },
  http: { answer: () => `HTTP/1.1 400 Bad Request\r\nServer: ${secret}/1.0\r\nContent-Length: 0\r\n` },
  closes: { closeOnAccept: true },
  rtsp404: { answer: (_m, cseq) => `RTSP/1.0 404 ${secret} reason\r\nCSeq: ${cseq}\r\n` },
};
/** The classes a reason may be (src/ingest/ingest-failure.ts). */
const classified = /^(connection refused|not an RTSP(\/1\.0)? server|the camera refused (OPTIONS|DESCRIBE|a request): 404 Not Found|timed out.*|no data for .*|camera sent no frame for .*|the camera closed the connection)$/;

describe('the status of a camera pointed at another service', () => {
  let app: App;
  let admin: TestPrincipal;
  const cameras: { id: string; label: string }[] = [];
  const defer = teardown({ after });

  before(async () => {
    ({ app } = await startDeferredTestApp(defer, 'scan', { 'recording.retryMaxSeconds': 1 }));
    admin = await testPrincipal(app, { roles: ['admin'] });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const urls: Record<string, string> = { refused: `rtsp://127.0.0.1:${closedPort}/x` };
    for (const [name, opts] of Object.entries(services)) {
      const listener = await startRtspListener(opts);
      defer(() => listener.close());
      urls[name] = listener.url(`/${name}`);
    }
    for (const [name, url] of Object.entries(urls)) {
      for (const [ingest, credentials] of [['native', false], ['ffmpeg', false], ['ffmpeg', true]] as const) {
        const label = `${name} via ${ingest}${credentials ? ' (bridged)' : ''}`;
        const camera = await app.cameras.add({
          name: label, url: `${url}?${ingest}${credentials ? '-bridged' : ''}`, ingest,
          ...(credentials ? { username: 'admin', password: 'pw' } : {}),
        }, testActor);
        cameras.push({ id: camera.id, label });
      }
    }
  });

  it('shows a classified reason, never the bytes the service sent', { timeout: 120_000 }, async () => {
    const reasons = await waitFor('every camera to report a reason', 90_000, async () => {
      const list = (await admin.inject({ method: 'GET', url: '/api/v1/cameras' })).json<{ id: string; status: { lastError: string | null } }[]>();
      const byId = new Map(list.map((c) => [c.id, c.status.lastError]));
      return cameras.every((c) => typeof byId.get(c.id) === 'string') ? cameras.map((c) => [c.label, byId.get(c.id) as string] as const) : undefined;
    });
    for (const [label, reason] of reasons) {
      assert.ok(!reason.includes(secret) && !/INFO|server_id|HTTP\/1|mysql|8\.0\.33/i.test(reason), `${label}: ${reason}`);
      assert.match(reason, classified, label);
    }
    const refused = reasons.filter(([label]) => label.startsWith('refused')).map(([, r]) => r);
    assert.ok(refused.every((r) => r === 'connection refused'), refused.join(' | '));
    const banners = reasons.filter(([label]) => /^(nats|mysql|http|closes) via (native|ffmpeg \(bridged\))/.test(label));
    assert.ok(banners.every(([, r]) => /^not an RTSP/.test(r)), banners.map((b) => b.join(': ')).join(' | '));
  });

  it('keeps the service\'s bytes out of the recorded gaps too', { timeout: 60_000 }, async () => {
    for (const { id, label } of cameras) {
      const timeline = await waitFor(`a gap of ${label}`, 30_000, async () => {
        const t = await app.playback.timeline(id, Date.now() - 600_000, Date.now());
        return t.gaps.length > 0 ? t : undefined;
      });
      for (const gap of timeline.gaps) assert.ok(!(gap.reason ?? '').includes(secret), `${label}: ${gap.reason}`);
    }
  });
});
