/**
 * Issue 18 through the real server (inject), SQLite, the real ledger and alarm rules, and a real
 * HTTPS webhook receiver on loopback (test CA by openssl) that verifies every delivery's HMAC:
 * a brute-force burst of failed logins locks three accounts, the existing LOG-6 rule raises its
 * alarm, the alarm reaches the inbox, the webhook and a candidate incident; a compliance officer
 * works the alarm, qualifies the candidate and the clocks start; a reminder goes out when the
 * early warning is due soon. The wall clock is injected and moved by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDeferredTestApp, tempDir, waitFor } from '../helpers/harness.ts';
import { makeTestPki } from '../helpers/rsyslog.ts';
import { testPrincipal } from '../helpers/access.ts';
import { BrowserSession } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';
import { verifyWebhook } from '../../src/notifications/webhook-signature.ts';

const hourMs = 3_600_000;
const key = 'incident-webhook-key-0123456789abcdef';

test('a brute-force burst reaches the inbox, a signed webhook and a candidate; qualifying it starts the clocks and a reminder follows', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('incidents-api');
  defer(() => dir.remove());
  const pki = await makeTestPki(dir.path);
  await writeFile(join(dir.path, 'ca.pem'), pki.ca);
  await writeFile(join(dir.path, 'hook.key'), `${key}\n`, { mode: 0o600 });
  let now = Date.parse('2026-10-24T20:00:00Z');
  const received: { verdict: string; body: { type: string; severity: string; data: Record<string, unknown> } }[] = [];
  const seen = new Map<string, number>();
  const receiver = createServer({ key: pki.serverKey, cert: pki.serverCert }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const verdict = verifyWebhook(key, req.headers, body, { nowMs: now, windowSec: 300, seen }); // the app's (injected) wall clock
      received.push({ verdict, body: JSON.parse(body) as (typeof received)[number]['body'] });
      res.writeHead(verdict === 'ok' ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const port = (receiver.address() as { port: number }).port;

  const clock = { now: () => now };
  const { app } = await startDeferredTestApp(defer, 'incidents-api', {
    'identity.addressAttemptsPerMinute': 1000,
    'incidents.timeZone': 'Europe/Berlin',
    notifications: {
      webhooks: [{ name: 'soc', url: `https://127.0.0.1:${port}/hook`, secretFile: join(dir.path, 'hook.key'), caFile: join(dir.path, 'ca.pem') }],
      routes: [{ name: 'soc', types: ['lockouts-burst', 'incident.clock'], minSeverity: 'high', webhooks: ['soc'] }],
      retry: { attempts: 2, maxSeconds: 1 },
    },
  }, clock);

  // The burst: five wrong passwords for each of three names from one address lock all three.
  const attacker = new BrowserSession(app, '203.0.113.9');
  for (const name of ['alice', 'bob', 'carol']) for (let i = 0; i < 5; i++) await attacker.attempt(name, `wrong-password-${i}-xxxxxxxx`);

  const officer = await testPrincipal(app, { roles: ['compliance-officer'] });
  const get = async <T>(url: string): Promise<T> => {
    const res = await officer.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json<T>();
  };
  const post = (url: string, payload: object) => officer.inject({ method: 'POST', url, payload });

  const alarm = await waitFor('the lockouts-burst alarm in the inbox', 15_000, async () => (await get<{ seq: number; rule: string; status: string }[]>('/api/v1/alarms')).find((a) => a.rule === 'lockouts-burst'));
  assert.equal(alarm.status, 'open');
  await app.incidents.notifier.idle();
  const hook = await waitFor('the webhook delivery', 10_000, () => received.find((r) => r.body.type === 'lockouts-burst'));
  assert.equal(hook.verdict, 'ok', 'the receiver verified the HMAC');
  assert.equal(hook.body.severity, 'high');
  const deliveries = await get<{ type: string; status: string; channel: string }[]>('/api/v1/notifications/deliveries');
  assert.ok(deliveries.some((d) => d.type === 'lockouts-burst' && d.status === 'sent' && d.channel === 'webhook'));
  assert.ok(!received.some((r) => r.body.type === 'privilege-assigned'), 'a low alarm of another type is not routed');

  // Work the alarm: acknowledge, assign, snooze, close; a closed alarm takes no more actions.
  for (const body of [{ action: 'acknowledge' }, { action: 'assign', assignee: `user:${officer.user.id}` }, { action: 'snooze', until: new Date(now + hourMs).toISOString() }]) {
    const res = await post(`/api/v1/alarms/${alarm.seq}/actions`, body);
    assert.equal(res.statusCode, 200, res.body);
  }
  assert.ok(!(await get<{ seq: number }[]>('/api/v1/alarms')).some((a) => a.seq === alarm.seq), 'a snoozed alarm leaves the active list');
  assert.equal((await post(`/api/v1/alarms/${alarm.seq}/actions`, { action: 'close', reason: 'handled as an incident' })).statusCode, 200);
  assert.equal((await post(`/api/v1/alarms/${alarm.seq}/actions`, { action: 'acknowledge' })).statusCode, 409);
  await app.ledger.drain();

  // The candidate, qualified: the incident's clocks start at the decision.
  const candidate = await waitFor('the brute-force candidate', 10_000, async () => (await get<{ id: string; kind: string; alarmSeqs: number[] }[]>('/api/v1/incidents/candidates?status=open')).find((c) => c.kind === 'brute-force'));
  assert.ok(candidate.alarmSeqs.includes(alarm.seq));
  const decided = await post(`/api/v1/incidents/candidates/${candidate.id}/decision`, { decision: 'qualify', reason: 'three accounts guessed from one address' });
  assert.equal(decided.statusCode, 200, decided.body);
  const incident = decided.json<{ incident: { id: string; awareAt: string } }>().incident;
  assert.equal(incident.awareAt, new Date(now).toISOString());
  const stored = await get<{ candidateId: string; category: string; ledgerEvents: number[]; significance: { criteria: { criterion: string }[] } }>(`/api/v1/incidents/${incident.id}`);
  assert.equal(stored.candidateId, candidate.id);
  assert.equal(stored.category, 'brute-force');
  assert.deepEqual(stored.ledgerEvents, candidate.alarmSeqs, 'the incident links the alarms it came from');
  assert.ok(stored.significance.criteria.some((c) => c.criterion === 'recurring'));
  const clocks = await get<{ id: string; state: string; due: string | null; dueLocal: string | null }[]>(`/api/v1/incidents/${incident.id}/clocks`);
  const early = clocks.find((c) => c.id === 'early-warning');
  assert.equal(early?.state, 'running');
  assert.equal(early?.due, new Date(now + 24 * hourMs).toISOString());
  // Aware 22:00 CEST on 24 October; 24 elapsed hours later the clocks went back: 21:00 CET.
  assert.equal(early?.dueLocal, '2026-10-25 21:00 CET (UTC+01:00)');

  // A final report lacking content is refused with the list of what is missing.
  const refused = await post(`/api/v1/incidents/${incident.id}/reports/final`, { format: 'json' });
  assert.equal(refused.statusCode, 422);
  assert.ok(refused.json<{ missing: string[] }>().missing.includes('rootCause (or threatType)'), refused.body);

  // 20 hours on, the early warning is due soon: one reminder goes out through the routes.
  now += 20 * hourMs;
  const reminders = await app.incidents.reminders.check();
  assert.deepEqual(reminders.map((r) => r.key), ['early-warning:1']);
  assert.deepEqual(await app.incidents.reminders.check(), [], 'sent once');
  await app.incidents.notifier.idle();
  const reminder = await waitFor('the reminder webhook', 10_000, () => received.find((r) => r.body.type === 'incident.clock'));
  assert.equal(reminder.verdict, 'ok');
  assert.equal(reminder.body.data.clock, 'early-warning');

  // An auditor reads the register but cannot change it.
  const auditor = await testPrincipal(app, { roles: ['auditor'] });
  assert.equal((await auditor.inject({ method: 'GET', url: `/api/v1/incidents/${incident.id}/clocks` })).statusCode, 200);
  const denied = await auditor.inject({ method: 'PATCH', url: `/api/v1/incidents/${incident.id}`, payload: { title: 'changed by an auditor' } });
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.json<{ permission: string }>().permission, 'incident.manage');

  // The incident's trail holds its creation and the refused report, each with a proof.
  const trail = await get<{ entries: { record: { type: string; outcome: string }; proof: string }[] }>(`/api/v1/incidents/${incident.id}/trail`);
  assert.deepEqual(trail.entries.map((e) => `${e.record.type}:${e.record.outcome}`), ['incident.created:success', 'incident.report.generated:failure']);
  for (const entry of trail.entries) assert.match(entry.proof, /^c2sp\.org\/tlog-proof@v1\n/);
});
