/**
 * The incident register end to end below HTTP, on real parts: SQLite, the real audit ledger and
 * the real LOG-6 alarm rules tailing it (AlarmWatch), the ledger feed into the alarm inbox and
 * the candidates, and Chromium rendering report PDFs whose text `pdftotext` (poppler-utils)
 * extracts. The clock is injected so the reporting clocks can be read at chosen instants.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { createTestLedger, testActor } from '../../test/helpers/audit.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { chromiumPath } from '../../test/helpers/chromium.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { AlarmWatch } from '../audit/alarm-watch.ts';
import { createAlarmStateStore } from '../audit/alarm-state.store.ts';
import type { AuditInput } from '../audit/audit-event.ts';
import { createLogger } from '../lib/logger.ts';
import { isAppError } from '../lib/errors.ts';
import { AlarmInbox } from '../alarms/alarm-inbox.ts';
import { createAlarmInboxStore } from '../alarms/alarm-inbox.store.ts';
import { createFeedCursor } from '../alarms/feed-cursor.store.ts';
import { LedgerFeed } from '../alarms/ledger-feed.ts';
import { CandidatesService } from './candidates.service.ts';
import { createCandidateStore } from './candidates.store.ts';
import { IncidentsService } from './incidents.service.ts';
import { createIncidentStore } from './incidents.store.ts';
import { ReportsService } from './reports.service.ts';
import { createChromiumPdfRenderer } from './pdf-renderer.ts';

const run = promisify(execFile);
const log = createLogger({ level: 'silent' });
const hourMs = 3_600_000;

/** A wall clock the test sets. */
const clock = { ms: Date.parse('2026-10-24T08:00:00Z'), now() { return this.ms; } };

const lockout = (user: string): AuditInput => ({ type: 'auth.lockout', actor: { kind: 'anonymous', id: 'anonymous' }, outcome: 'success', target: { kind: 'user', id: user }, details: { failures: 5 } });
const failedLogin = (i: number): AuditInput => ({ type: 'auth.login.failed', actor: { kind: 'anonymous', id: 'anonymous' }, outcome: 'failure', reason: 'local: wrong password', details: { attempt: i } });

describe('incidents on the real ledger', () => {
  const defer = teardown({ after });
  const setup = (async () => {
    const database = await createTestDatabase('sqlite');
    defer(() => database.close());
    const keys = await createTestDataKeys(database.db, clock);
    defer(() => keys.close());
    const watching: { watch?: AlarmWatch } = {};
    const built = await createTestLedger(database.db, keys.dataKeys, { clock });
    defer(() => built.close());
    const { ledger, store: ledgerStore } = built;
    const watch = await AlarmWatch.open({ events: ledgerStore, state: createAlarmStateStore(database.db), clock, log }, () => ledgerStore.size());
    watching.watch = watch;
    watch.start(ledger, 60_000);
    defer(() => watch.stop());
    const inboxStore = createAlarmInboxStore(database.db);
    const inbox = new AlarmInbox({ store: inboxStore, audit: ledger, clock });
    const incidents = new IncidentsService({
      store: createIncidentStore(database.db),
      audit: ledger,
      clock,
      profile: { entityType: 'default', annualTurnoverEur: 4_000_000, euUsers: null },
      timeZone: 'Europe/Berlin',
      trail: {
        eventsOfTarget: async (types, id) => (await Promise.all(types.map((t) => ledgerStore.eventsByTarget(t, [id])))).flat().sort((a, b) => a.seq - b.seq).map((e) => ({ seq: e.seq, record: e.record })),
        proofsFor: (seqs) => ledger.proofsFor(seqs),
      },
    });
    const candidates = new CandidatesService({ store: createCandidateStore(database.db), incidents, audit: ledger, clock, gapCameras: async (since) => (await inboxStore.recent('recording-gap', since)).map((a) => a.cameraId ?? '') });
    const feed = await LedgerFeed.open(
      {
        events: ledgerStore,
        cursor: createFeedCursor(database.db, 'incident-feed'),
        types: ['alarm.raised', 'audit.verified'],
        handle: async (record) => {
          await inbox.ingest(record);
          await candidates.consider(record);
        },
        log,
        now: () => clock.now(),
      },
      () => ledgerStore.size(),
    );
    const pdf = createChromiumPdfRenderer({ executablePath: chromiumPath });
    defer(() => pdf.close());
    const reports = new ReportsService({ incidents, pdf, clock });
    const dir = await tempDir('reports');
    defer(() => dir.remove());
    /** Records `inputs`, lets the alarm rules and the feed see them. */
    const record = async (inputs: AuditInput[]) => {
      for (const input of inputs) await ledger.record(input);
      await watch.settled();
      await ledger.drain();
      await feed.settled();
    };
    return { ledger, inbox, incidents, candidates, reports, record, dir: dir.path };
  })();

  test('a brute-force burst (many failed logins and the lockouts they caused) raises one candidate; qualifying it opens an incident whose clocks start', async () => {
    const { inbox, candidates, incidents, record } = await setup;
    await record([...Array.from({ length: 15 }, (_, i) => failedLogin(i)), lockout('user:a'), lockout('user:b'), lockout('user:c')]);
    const alarms = await inbox.list({ limit: 50 });
    assert.deepEqual(alarms.map((a) => a.rule), ['lockouts-burst'], 'the existing LOG-6 rule fired, and the inbox holds it');
    const open = await candidates.list(10, 'open');
    assert.equal(open.length, 1);
    assert.equal(open[0]?.kind, 'brute-force');
    // A second burst, once the first left the 15-minute window, joins the open candidate.
    clock.ms += 16 * 60_000;
    await record([lockout('user:d'), lockout('user:e'), lockout('user:f')]);
    const again = await candidates.list(10, 'open');
    assert.equal(again.length, 1, 'deduplicated');
    assert.equal(again[0]?.alarmSeqs.length, 2);

    clock.ms += hourMs;
    const { incident } = await candidates.qualify(again[0].id, { reason: 'credential stuffing against the operator accounts' }, testActor);
    assert.equal(incident.awareAt, new Date(clock.ms).toISOString(), 'aware when a person qualified it');
    assert.deepEqual(incident.ledgerEvents, again[0]?.alarmSeqs);
    const clocks = await incidents.clocks(incident.id);
    const ew = clocks.find((c) => c.id === 'early-warning');
    assert.equal(ew?.state, 'running');
    assert.equal(ew?.dueMs, clock.ms + 24 * hourMs);
    clock.ms += 25 * hourMs;
    assert.equal((await incidents.clocks(incident.id)).find((c) => c.id === 'early-warning')?.state, 'overdue');
    await assert.rejects(candidates.dismiss(again[0].id, 'changed my mind', testActor), (e) => isAppError(e, 'CONFLICT'));
  });

  test('three cameras stopping within ten minutes raise a mass-outage candidate; one does not', async () => {
    const { candidates, record } = await setup;
    const gap = (camera: string): AuditInput => ({ type: 'recording.interrupted', actor: { kind: 'system', id: 'system:recorder' }, outcome: 'failure', cameraId: camera, reason: 'stream ended' });
    await record([gap('cam-1')]);
    assert.equal((await candidates.list(20, 'open')).filter((c) => c.kind === 'mass-camera-outage').length, 0);
    await record([gap('cam-2'), gap('cam-3')]);
    const outage = (await candidates.list(20, 'open')).filter((c) => c.kind === 'mass-camera-outage');
    assert.equal(outage.length, 1);
    const dismissed = await candidates.dismiss(outage[0]!.id, 'planned maintenance of the switch', testActor);
    assert.equal(dismissed.status, 'dismissed');
    assert.equal(dismissed.reason, 'planned maintenance of the switch');
  });

  test('every change is a ledger event, and the incident trail lists them with inclusion proofs', async () => {
    const { incidents } = await setup;
    const created = await incidents.create({ title: 'Trail check', awareAt: new Date(clock.ms).toISOString() }, testActor);
    const updated = await incidents.update(created.id, { rootCause: 'weak password', estimatedLossEur: 250_000 }, testActor, 1);
    assert.equal(updated.version, 2);
    assert.equal(updated.significance.significant, true, '€250,000 is above 5 % of a €4 M turnover');
    await assert.rejects(incidents.update(created.id, { title: 'stale' }, testActor, 1), (e) => isAppError(e, 'CONFLICT'));
    const trail = await incidents.trail(created.id, testActor);
    assert.deepEqual(trail.entries.map((e) => e.record.type), ['incident.created', 'incident.updated']);
    for (const entry of trail.entries) assert.match(entry.proof, /^c2sp\.org\/tlog-proof@v1\nindex \d+\n/);
    assert.deepEqual((trail.entries[1]?.record.details as { fields: string[] }).fields, ['rootCause', 'estimatedLossEur']);
  });

  test('a final report missing its root cause is refused, listing what is missing; a complete one renders a PDF whose text holds every field', async () => {
    const { incidents, reports, dir } = await setup;
    const aware = new Date(clock.ms).toISOString();
    const incident = await incidents.create(
      {
        title: 'Camera VLAN intrusion',
        awareAt: aware,
        detectedAt: aware,
        description: 'Unauthorised RTSP sessions to four cameras from a compromised jump host.',
        severity: 'high',
        impact: 'Live video of the loading bay was viewed by an unknown party for 40 minutes.',
        initialAssessment: 'Credential reuse on the jump host.',
        suspectedMalicious: 'yes',
        crossBorder: 'no',
        indicators: ['198.51.100.77', 'sha256:9f2c…'],
        mitigationsApplied: ['Jump host isolated', 'Camera passwords rotated'],
        mitigationsOngoing: ['Firmware review'],
        affectedCameras: ['cam-7', 'cam-8'],
        affectedServices: ['live view'],
      },
      testActor,
    );
    await assert.rejects(reports.generate(incident.id, 'final', 'pdf', 'custos-generic-v1', testActor), (e) => {
      assert.ok(isAppError(e, 'REPORT_INCOMPLETE'));
      assert.deepEqual(e.detail?.missing, ['rootCause (or threatType)']);
      return true;
    });
    // The notification cannot be final yet either way: its own requirements hold.
    const early = await reports.generate(incident.id, 'early-warning', 'json', 'custos-generic-v1', testActor);
    assert.equal((JSON.parse(early.bytes.toString()) as { fields: { suspectedMalicious: string } }).fields.suspectedMalicious, 'yes');

    const complete = await incidents.update(incident.id, { rootCause: 'Reused administrator password on the jump host', threatType: 'credential theft', containedAt: aware }, testActor);
    const report = await reports.generate(complete.id, 'final', 'pdf', 'custos-generic-v1', testActor);
    assert.equal(report.bytes.subarray(0, 5).toString(), '%PDF-');
    const file = join(dir, 'final.pdf');
    await writeFile(file, report.bytes);
    const { stdout } = await run('pdftotext', ['-layout', file, '-']);
    const text = stdout.replace(/\s+/g, ' ');
    const fields = report.sections.flatMap((s) => s.fields);
    assert.ok(fields.length > 20);
    for (const f of fields) {
      assert.ok(text.includes(f.label), `the PDF text holds the label ${f.label}`);
      // Long values wrap across lines: compare with whitespace collapsed.
      assert.ok(text.includes(f.value.replace(/\s+/g, ' ')), `the PDF text holds ${f.key}: ${f.value}`);
    }
    const submitted = await incidents.recordSubmission(complete.id, { stage: 'final', sentAt: new Date(clock.ms).toISOString(), sha256: report.sha256, recipient: 'CSIRT DE (BSI)' }, testActor);
    assert.equal(submitted.submissions[0]?.sha256, report.sha256);
  });

  test('a complete incident produces every stage as JSON (the reports shown in docs/reference/incidents.md)', async () => {
    const { incidents, reports } = await setup;
    const aware = new Date(clock.ms).toISOString();
    const incident = await incidents.create(
      {
        title: 'Recorder database exposed',
        awareAt: aware,
        description: 'The metadata database port was reachable from the camera VLAN.',
        initialAssessment: 'Misconfigured firewall rule after maintenance.',
        impact: 'No evidence of access; integrity verified by custos audit verify.',
        severity: 'medium',
        suspectedMalicious: 'no',
        crossBorder: 'no',
        statusUpdate: 'Firewall rule reverted; logs under review.',
        rootCause: 'Firewall change without review',
        mitigationsApplied: ['Rule reverted'],
        personalDataBreach: true,
        affectedPersons: 0,
      },
      testActor,
    );
    for (const stage of ['early-warning', 'notification', 'intermediate', 'final', 'progress', 'gdpr-art33'] as const) {
      const report = await reports.generate(incident.id, stage, 'json', 'custos-generic-v1', testActor);
      const body = JSON.parse(report.bytes.toString()) as { stage: string; fields: Record<string, string> };
      assert.equal(body.stage, stage);
      assert.equal(body.fields.incidentId, incident.id);
      if (process.env.CUSTOS_SHOW_REPORTS === '1') process.stdout.write(`--- ${stage}\n${report.bytes.toString()}`);
    }
  });
});
