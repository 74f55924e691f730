// SIEM shipping inside the real app: a file destination configured in the config, its status at
// GET /api/v1/audit/destinations (auditor, no secrets) and in /metrics, and the whole app
// restarted (closed and started again on the same data directory) in the middle of shipping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { App } from '../../src/app.ts';
import type { LeafRecord } from '../../src/audit/audit-event.ts';
import { sessionCookieName } from '../../src/identity/session-cookie.ts';
import { strongPassword } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { startTestApp, tempDir, waitFor } from '../helpers/harness.ts';
import { recordBurst } from '../helpers/siem-shipping.ts';
import { teardown } from '../helpers/teardown.ts';

async function asRole(app: App, role: string, username = `siem-${role}`) {
  const user = await app.identity.users.create({ username, password: strongPassword() }, testActor);
  await app.identity.grants.grant(user, { role, scope: 'global' }, { audit: testActor, userId: null });
  const { token, session } = await app.identity.sessions.start(user.id, 'test', true);
  return (url: string) => app.server.inject({ method: 'GET', url, headers: { cookie: `${sessionCookieName}=${token}`, 'x-csrf-token': session.csrf } });
}

/** Every committed record below `size`, read through the audit API (reading is itself audited, past `size`). */
async function recordsBelow(get: (url: string) => Promise<{ json<T>(): T }>, size: number): Promise<LeafRecord[]> {
  const out: LeafRecord[] = [];
  let after = -1;
  while (out.length < size) {
    const page = (await get(`/api/v1/audit/events?limit=1000&after=${after}`)).json<{ events: Array<{ seq: number; record: LeafRecord }> }>();
    if (page.events.length === 0) break;
    for (const e of page.events) if (e.seq < size) out.push(e.record);
    after = page.events[page.events.length - 1]!.seq;
  }
  return out;
}

test('the app ships to a configured file destination, shows it (no secrets) at /api/v1/audit/destinations and in /metrics, and resumes after a restart mid-shipping', { timeout: 180_000 }, async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('custos-siem-app-');
  defer(() => dir.remove());
  const out = join(dir.path, 'siem.jsonl');
  const overrides = {
    'siem.batchSize': 50,
    'siem.destinations': [{ kind: 'file', id: 'collector', jurisdiction: 'DE', path: out }],
  };
  const first = await startTestApp(join(dir.path, 'data'), overrides);
  let firstOpen = true;
  defer(() => (firstOpen ? first.close() : undefined));
  await recordBurst(first.ledger, 3000, 'app');
  await waitFor('shipping under way', 60_000, async () => ((await first.siem.status())[0]!.nextSeq > 200 ? true : undefined));

  await first.ledger.drain();
  const atClose = first.ledger.size;
  const stoppedAt = (await first.siem.status())[0]!.nextSeq;
  assert.ok(stoppedAt < atClose, `closed mid-shipping (cursor ${stoppedAt} of ${atClose})`);
  firstOpen = false;
  await first.close();
  const second = await startTestApp(join(dir.path, 'data'), overrides);
  defer(() => second.close());
  const auditor = await asRole(second, 'auditor');
  const res = await auditor('/api/v1/audit/destinations');
  assert.equal(res.statusCode, 200);
  const [d] = res.json<{ destinations: Array<Record<string, unknown>> }>().destinations;
  assert.equal(d!['id'], 'collector');
  assert.equal(d!['kind'], 'file');
  assert.equal(d!['jurisdiction'], 'DE');
  assert.equal((d!['config'] as Record<string, unknown>)['path'], out);
  for (const key of ['lag', 'sent', 'failed', 'deadLetters', 'nextSeq']) assert.equal(typeof d![key], 'number', key);
  assert.equal((await auditor('/api/v1/audit/destinations/collector/dead-letters')).json<{ deadLetters: unknown[] }>().deadLetters.length, 0);
  assert.equal((await auditor('/api/v1/audit/destinations/nope/dead-letters')).statusCode, 404);
  const viewer = await asRole(second, 'viewer');
  assert.equal((await viewer('/api/v1/audit/destinations')).statusCode, 403, 'audit.read is required');
  const metrics = (await viewer('/metrics')).body;
  assert.match(metrics, /custos_siem_lag_events\{destination="collector",kind="file"\} \d+/);
  assert.match(metrics, /custos_siem_sent_total\{destination="collector",kind="file"\} \d+/);

  await second.ledger.drain();
  const size = second.ledger.size;
  await waitFor('caught up after the restart', 90_000, async () => ((await second.siem.status())[0]!.nextSeq >= size ? true : undefined));
  t.diagnostic(`the first app stopped at cursor ${stoppedAt} of ${atClose} events`);
  const records = await recordsBelow(await asRole(second, 'auditor', 'siem-auditor-2'), size);
  const lines = (await readFile(out, 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { metadata: { uid: string; sequence: number } });
  const firstSeen = new Map<string, number>();
  const order: number[] = [];
  for (const l of lines) {
    if (l.metadata.sequence < 0) continue; // heartbeats
    const seen = firstSeen.get(l.metadata.uid);
    if (seen !== undefined) assert.equal(seen, l.metadata.sequence, 'a duplicate carries the same id and index');
    else {
      firstSeen.set(l.metadata.uid, l.metadata.sequence);
      order.push(l.metadata.sequence);
    }
  }
  assert.deepEqual(order.slice(0, size), records.map((r) => r.seq), 'every event of both runs, first arrivals in leaf order');
  assert.equal(records.filter((r) => r.type === 'siem.destinations.changed').length, 1, 'the configuration was recorded once (unchanged at the restart)');
});
