/**
 * The bookmark and legal-hold API (issue 19 item 4) through the real app: who may read, write,
 * hold and release, what a held bookmark refuses, and scopes. Real: the app (inject), SQLite,
 * API tokens of real roles, the audit ledger.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDeferredTestApp } from '../helpers/harness.ts';
import { testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

interface BookmarkBody {
  id: string;
  cameraId: string;
  from: string;
  to: string;
  note: string;
  createdBy: string;
  hold: { since: string; by: string; reason: string } | null;
}

test('operators bookmark, investigators hold and release, a held bookmark cannot be deleted, viewers see none', async (t) => {
  const defer = teardown(t);
  const { app } = await startDeferredTestApp(defer, 'bookmarks-api');
  await app.identity.sites.createSite({ id: 'north', name: 'North', fourEyes: false }, testActor);
  const gate = await app.cameras.add({ name: 'Gate', url: 'rtsp://127.0.0.1:9/gate', enabled: false }, testActor);
  const north = await app.cameras.add({ name: 'North', url: 'rtsp://127.0.0.1:9/north', enabled: false, siteId: 'north' }, testActor);
  const operator = await testPrincipal(app, { roles: ['operator'] });
  const investigator = await testPrincipal(app, { roles: ['investigator'] });
  const viewer = await testPrincipal(app, { roles: ['viewer'] });
  const northOnly = await testPrincipal(app, { roles: ['investigator'], scope: 'site:north' });
  const base = `/api/v1/cameras/${gate.id}/bookmarks`;
  const from = '2026-12-01T10:00:00.000Z';
  const to = '2026-12-01T10:05:00.000Z';

  const created = await operator.inject({ method: 'POST', url: base, payload: { from, to, note: 'red van at the gate' } });
  assert.equal(created.statusCode, 201, created.body);
  const mark = created.json<BookmarkBody>();
  assert.deepEqual({ cameraId: mark.cameraId, from: mark.from, to: mark.to, note: mark.note, hold: mark.hold }, { cameraId: gate.id, from, to, note: 'red van at the gate', hold: null });
  assert.match(mark.createdBy, /^token:/);

  const list = (who: typeof operator, range = `from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z`) => who.inject({ method: 'GET', url: `${base}?${range}` });
  assert.deepEqual((await list(operator)).json<BookmarkBody[]>().map((b) => b.id), [mark.id]);
  assert.deepEqual((await list(operator, 'from=2026-12-02T00:00:00Z&to=2026-12-03T00:00:00Z')).json<BookmarkBody[]>(), [], 'a range without bookmarks');
  assert.equal(codeOf(await list(operator, 'from=2026-10-01T00:00:00Z&to=2026-12-03T00:00:00Z')), 'RANGE_INVALID', 'a listing covers at most 31 days');
  const seen = await list(viewer);
  assert.equal(seen.statusCode, 403, 'a viewer cannot play back, so sees no bookmarks');
  assert.equal(seen.json<{ permission: string }>().permission, 'recording.play');
  assert.equal((await northOnly.inject({ method: 'GET', url: `${base}?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z` })).statusCode, 404, 'a camera out of scope is not found');
  assert.equal(codeOf(await operator.inject({ method: 'POST', url: base, payload: { from: to, to: from, note: 'reversed' } })), 'RANGE_INVALID');
  assert.equal(codeOf(await operator.inject({ method: 'POST', url: base, payload: { from, to, note: '   ' } })), 'VALIDATION_FAILED', 'a bookmark needs a note');

  const holdUrl = `${base}/${mark.id}/hold`;
  const denied = await operator.inject({ method: 'POST', url: holdUrl, payload: { reason: 'case 2026-113' } });
  assert.equal(denied.statusCode, 403, 'an operator cannot place a legal hold');
  assert.equal(denied.json<{ permission: string }>().permission, 'recording.hold');
  const held = await investigator.inject({ method: 'POST', url: holdUrl, payload: { reason: 'case 2026-113' } });
  assert.equal(held.statusCode, 200, held.body);
  assert.equal(held.json<BookmarkBody>().hold?.reason, 'case 2026-113');
  assert.equal(codeOf(await investigator.inject({ method: 'POST', url: holdUrl, payload: { reason: 'again' } })), 'CONFLICT', 'a hold is placed once');

  const removeHeld = await operator.inject({ method: 'DELETE', url: `${base}/${mark.id}` });
  assert.equal(removeHeld.statusCode, 409);
  assert.equal(codeOf(removeHeld), 'HOLD_ACTIVE');
  const holds = await investigator.inject({ method: 'GET', url: '/api/v1/holds' });
  assert.deepEqual(holds.json<BookmarkBody[]>().map((b) => b.id), [mark.id]);
  assert.deepEqual((await northOnly.inject({ method: 'GET', url: '/api/v1/holds' })).json<BookmarkBody[]>(), [], 'holds are listed only for cameras in scope');
  // The north investigator cannot act on the gate camera's bookmark, nor reach it through their own camera.
  assert.equal((await northOnly.inject({ method: 'POST', url: `${base}/${mark.id}/release`, payload: { reason: 'nope' } })).statusCode, 404);
  assert.equal((await northOnly.inject({ method: 'POST', url: `/api/v1/cameras/${north.id}/bookmarks/${mark.id}/release`, payload: { reason: 'nope' } })).statusCode, 404, 'a bookmark of another camera is not found');

  const released = await investigator.inject({ method: 'POST', url: `${base}/${mark.id}/release`, payload: { reason: 'case closed' } });
  assert.equal(released.statusCode, 200, released.body);
  assert.equal(released.json<BookmarkBody>().hold, null);
  assert.equal(codeOf(await investigator.inject({ method: 'POST', url: `${base}/${mark.id}/release`, payload: { reason: 'again' } })), 'CONFLICT');
  assert.equal((await operator.inject({ method: 'DELETE', url: `${base}/${mark.id}` })).statusCode, 204);
  assert.deepEqual((await list(operator)).json<BookmarkBody[]>(), []);

  await app.ledger.drain();
  const auditor = await testPrincipal(app, { roles: ['auditor'] });
  const events = await auditor.inject({ method: 'GET', url: `/api/v1/audit/events?camera=${gate.id}&limit=50` });
  const types = events.json<{ events: { record: { type: string; target?: { id: string } } }[] }>().events.filter((e) => e.record.target?.id === mark.id).map((e) => e.record.type).sort();
  assert.deepEqual(types, ['footage.bookmark.created', 'footage.bookmark.deleted', 'footage.hold.placed', 'footage.hold.released']);
});
