/**
 * Every route that changes state or reads footage or the ledger records its catalogued audit
 * event (LOG-1): the test walks the route table, calls each such route for real against a
 * recording server, and finds the declared event in the ledger with the caller's request as its
 * correlation. A route that changes state without declaring an event fails the test, and so does
 * a declared route the walk has no request for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyEvidence } from '../../src/evidence/verify-evidence.ts';
import { routeTable, type RouteDeps } from '../../src/http/routes.ts';
import type { RouteSpec } from '../../src/http/route.ts';
import { isAuditEventType } from '../../src/audit/catalogue.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { testActor } from '../helpers/audit.ts';

/** GET routes that read footage or the ledger, and so MUST be audited like state changes. */
const auditedReads = new Set([
  'GET /api/v1/cameras/:id/live',
  'GET /api/v1/cameras/:id/playback.m3u8',
  'GET /api/v1/cameras/:id/segments/:file',
  'GET /api/v1/exports/:id/file',
  'GET /api/v1/exports/:id/evidence',
  'GET /api/v1/audit/events',
]);

const keyOf = (r: RouteSpec) => `${r.method} ${r.url}`;

test('every state-changing route, and every route reading footage or the ledger, declares a catalogued audit event', () => {
  for (const route of routeTable(undefined as unknown as RouteDeps)) {
    const mustAudit = route.method !== 'GET' || auditedReads.has(keyOf(route));
    if (mustAudit) assert.ok(route.audit !== undefined && isAuditEventType(route.audit), `${keyOf(route)} must declare a catalogued audit event`);
    else assert.equal(route.audit, undefined, `${keyOf(route)} declares an event but is not on the audited list; add it to auditedReads`);
  }
});

test('walking the route table: each audited route records its declared event for its request', { timeout: 180_000 }, async (t) => {
  const sim = await startTestCamsim({ cameras: 1 });
  t.after(() => sim.close());
  const dir = await tempDir('audit-walk');
  t.after(() => dir.remove());
  const app = await startTestApp(dir.path, { 'recording.segmentSeconds': 2 });
  t.after(() => app.close());
  const base = app.url;
  const camera = await app.cameras.add({ name: 'Walked', url: sim.urls[0] as string }, testActor);
  // Two sealed segments with their leaves, so playback and export have something to read.
  await waitFor('sealed segments', 60_000, async () => (await app.playback.segments(camera.id, 0, Date.now())).filter((s) => s.state === 'closed').length >= 2);

  // Through Fastify's inject: the same routes, hooks and handlers, from 127.0.0.1.
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: object) => {
    const res = await app.server.inject({ method, url: path, ...(body === undefined ? {} : { payload: body }) });
    return { status: res.statusCode, raw: res.rawPayload, text: async () => res.body, json: async (): Promise<unknown> => res.json<unknown>() };
  };
  const from = new Date(Date.now() - 60_000).toISOString();
  const to = new Date().toISOString();
  let exportId = '';
  let segmentFile = '';
  let spare = '';

  /** One real request per audited route; returns the HTTP status (or WebSocket close code). */
  const walk: Record<string, () => Promise<number>> = {
    'POST /api/v1/cameras': async () => {
      const res = await call('POST', '/api/v1/cameras', { name: 'Spare', url: 'rtsp://127.0.0.1:9/spare', enabled: false });
      spare = ((await res.json()) as { id: string }).id;
      return res.status;
    },
    'PATCH /api/v1/cameras/:id': async () => (await call('PATCH', `/api/v1/cameras/${spare}`, { name: 'Spare 2' })).status,
    'DELETE /api/v1/cameras/:id': async () => (await call('DELETE', `/api/v1/cameras/${spare}`)).status,
    'GET /api/v1/cameras/:id/playback.m3u8': async () => {
      const res = await call('GET', `/api/v1/cameras/${camera.id}/playback.m3u8?from=${from}&to=${to}`);
      segmentFile = /segments\/([0-9a-f-]{36}\.mp4)/.exec(await res.text())?.[1] ?? '';
      return res.status;
    },
    'GET /api/v1/cameras/:id/segments/:file': async () => (await call('GET', `/api/v1/cameras/${camera.id}/segments/${segmentFile}`)).status,
    'POST /api/v1/exports': async () => {
      const res = await call('POST', '/api/v1/exports', { cameraId: camera.id, from, to: new Date(Date.now() - 5_000).toISOString(), reason: 'route walk', requestedFor: 'the audit test' });
      exportId = ((await res.json()) as { id: string }).id;
      await app.exports.idle();
      return res.status;
    },
    'GET /api/v1/exports/:id/file': async () => {
      const res = await call('GET', `/api/v1/exports/${exportId}/file`);
      return res.status;
    },
    'GET /api/v1/exports/:id/evidence': async () => {
      const res = await call('GET', `/api/v1/exports/${exportId}/evidence`);
      // The real package of a real recording verifies offline with the published key.
      const path = join(dir.path, 'evidence.zip');
      await writeFile(path, res.raw);
      const report = await verifyEvidence(path, app.ledger.vkey);
      assert.ok(report.ok, `evidence verifies: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);
      return res.status;
    },
    'GET /api/v1/audit/events': async () => (await call('GET', '/api/v1/audit/events?limit=5')).status,
    'GET /api/v1/cameras/:id/live': () =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${base.replace('https:', 'wss:')}/api/v1/cameras/${camera.id}/live`, { rejectUnauthorized: false });
        ws.on('message', () => ws.close(1000, 'seen'));
        ws.on('close', (code) => resolve(code));
        ws.on('error', reject);
      }),
  };

  for (const route of routeTable(undefined as unknown as RouteDeps)) {
    if (route.audit === undefined) continue;
    const request = walk[keyOf(route)];
    assert.ok(request, `the walk has no request for ${keyOf(route)}: add one`);
    const before = app.ledger.size;
    const status = await request();
    assert.ok(status < 300 || status === 1000, `${keyOf(route)} answered ${status}`);
    await app.ledger.drain();
    const found = await waitFor(`${route.audit} from ${keyOf(route)}`, 10_000, async () => {
      const page = await fetchEvents(route.audit as string, before);
      return page.find((e) => (e.record.actor as { id: string }).id === 'anonymous:loopback' && typeof e.record.correlation_id === 'string');
    });
    assert.equal(found.record.outcome, 'success');
    assert.ok(found.personal !== null && found.personal !== 'erased' && found.personal.sourceAddress === '127.0.0.1', 'the source address is kept, sealed');
  }

  async function fetchEvents(type: string, after: number): Promise<{ record: Record<string, unknown>; personal: Record<string, string> | 'erased' | null }[]> {
    const res = await call('GET', `/api/v1/audit/events?type=${encodeURIComponent(type)}&after=${after - 1}&limit=50`);
    return ((await res.json()) as { events: { record: Record<string, unknown>; personal: Record<string, string> | 'erased' | null }[] }).events;
  }
});
