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
import { makeTestPki } from '../helpers/rsyslog.ts';
import { startRsyslogReceiver } from '../helpers/rsyslog-receiver.ts';
import { parseSyslog } from '../helpers/siem-parse.ts';
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

/** Every record arrived; first arrivals in leaf order; a duplicate carries the same id and index. Heartbeats (index -1) are skipped. */
function assertFirstArrivals(records: readonly LeafRecord[], got: ReadonlyArray<{ id: string; seq: number }>, where: string): void {
  const firstSeen = new Map<string, number>();
  const order: number[] = [];
  for (const g of got) {
    if (g.seq < 0) continue;
    const seen = firstSeen.get(g.id);
    if (seen !== undefined) assert.equal(seen, g.seq, `${where}: a duplicate carries the same id and index`);
    else {
      firstSeen.set(g.id, g.seq);
      order.push(g.seq);
    }
  }
  assert.deepEqual(order.slice(0, records.length), records.map((r) => r.seq), `${where}: every event of both runs, first arrivals in leaf order`);
}

test('the app ships to configured file and syslog (rsyslog) destinations, shows them (no secrets) at /api/v1/audit/destinations and in /metrics, and resumes after a restart mid-shipping', { timeout: 180_000 }, async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('custos-siem-app-');
  defer(() => dir.remove());
  const out = join(dir.path, 'siem.jsonl');
  // A real rsyslog over mutual TLS beside the file: the restart is checked on both kinds.
  await makeTestPki(dir.path);
  const rsyslog = await startRsyslogReceiver(dir.path);
  defer(() => rsyslog.stop());
  const overrides = {
    'siem.batchSize': 50,
    'siem.destinations': [
      { kind: 'file', id: 'collector', jurisdiction: 'DE', path: out },
      { kind: 'syslog', id: 'soc', jurisdiction: 'DE', host: '127.0.0.1', port: rsyslog.port, caFile: join(dir.path, 'ca.pem'), certFile: join(dir.path, 'client.pem'), keyFile: join(dir.path, 'client.key') },
    ],
  };
  const first = await startTestApp(join(dir.path, 'data'), overrides);
  let firstOpen = true;
  defer(() => (firstOpen ? first.close() : undefined));
  // Large enough that shipping is still under way when the app closes, even on an idle machine
  // (the file and syslog destinations ship some 10,000 and 6,000 events/s here).
  await recordBurst(first.ledger, 20_000, 'app');
  await waitFor('shipping under way', 60_000, async () => ((await first.siem.status())[0]!.nextSeq > 200 ? true : undefined));

  await first.ledger.drain();
  const atClose = first.ledger.size;
  const stoppedAt = Math.min(...(await first.siem.status()).map((d) => d.nextSeq));
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
  await waitFor('caught up after the restart', 90_000, async () => ((await second.siem.status()).every((d) => d.nextSeq >= size) ? true : undefined));
  t.diagnostic(`the first app stopped at cursor ${stoppedAt} of ${atClose} events`);
  const records = await recordsBelow(await asRole(second, 'auditor', 'siem-auditor-2'), size);
  const lines = (await readFile(out, 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { metadata: { uid: string; sequence: number } });
  assertFirstArrivals(records, lines.map((l) => ({ id: l.metadata.uid, seq: l.metadata.sequence })), 'file');
  const messages = await waitFor('every event at rsyslog', 30_000, async () => {
    const got = (await rsyslog.messages()).map((m) => parseSyslog(m).structuredData.get('custos@32473')!);
    const ids = new Set(got.map((sd) => sd.get('eventId')));
    return records.every((r) => ids.has(r.id)) ? got : undefined;
  });
  assertFirstArrivals(records, messages.map((sd) => ({ id: sd.get('eventId')!, seq: Number(sd.get('leafIndex')) })), 'syslog');
  assert.equal(records.filter((r) => r.type === 'siem.destinations.changed').length, 1, 'the configuration was recorded once (unchanged at the restart)');
});
