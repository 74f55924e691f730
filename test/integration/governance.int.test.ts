/**
 * Governance (issue 18 items 7-10) through the real server (inject), real SQLite, the real audit
 * ledger: the requirement catalogue, live evidence that follows real changes, management
 * approvals bound to a document's SHA-256, and the signed bundles verified offline, where one
 * changed byte in any file fails verification.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { App } from '../../src/app.ts';
import { main } from '../../src/cli/main.ts';
import { totpCode } from '../../src/identity/credentials/totp.ts';
import { openPackage } from '../../src/evidence/package-source.ts';
import { verifyBundle } from '../../src/governance/verify-bundle.ts';
import { startDeferredTestApp, tempDir } from '../helpers/harness.ts';
import { strongPassword, testPrincipal, type TestPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown, type Defer } from '../helpers/teardown.ts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Metric {
  id: string;
  state: string;
  summary: string;
  value: Record<string, unknown> | null;
  source: string;
}

async function metrics(p: TestPrincipal): Promise<Map<string, Metric>> {
  const res = await p.inject({ method: 'GET', url: '/api/v1/governance/evidence' });
  assert.equal(res.statusCode, 200, res.body);
  return new Map(res.json<{ metrics: Metric[] }>().metrics.map((m) => [m.id, m]));
}

/** Downloads a bundle route's zip into `dir`. */
async function download(p: TestPrincipal, url: string, dir: string, name: string): Promise<{ path: string; bytes: Buffer }> {
  const res = await p.inject({ method: 'GET', url });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-type'], 'application/zip');
  const path = join(dir, name);
  await writeFile(path, res.rawPayload);
  return { path, bytes: res.rawPayload };
}

/** Every file of a zip bundle with its bytes (read with the verifier's own reader). */
async function filesOf(path: string): Promise<Map<string, Buffer>> {
  const source = await openPackage(path);
  try {
    const out = new Map<string, Buffer>();
    for (const name of source.files.keys()) out.set(name, await source.read(name, 16 * 1024 * 1024));
    return out;
  } finally {
    await source.close();
  }
}

/**
 * Flips one byte inside each file's data in the zip (store-only, so the data appears verbatim)
 * and verifies each copy: every one MUST fail, in a check that names what was changed.
 */
async function assertEveryByteMatters(zip: { path: string; bytes: Buffer }, vkey: string, dir: string): Promise<string[]> {
  const files = await filesOf(zip.path);
  const changed: string[] = [];
  for (const [name, data] of files) {
    if (data.length === 0) continue;
    const at = zip.bytes.indexOf(data);
    assert.ok(at > 0, `${name}'s bytes are in the zip`);
    const copy = Buffer.from(zip.bytes);
    const i = at + Math.floor(data.length / 2);
    copy[i] = (copy[i] as number) ^ 0x01;
    const path = join(dir, `tampered-${changed.length}.zip`);
    await writeFile(path, copy);
    const report = await verifyBundle(path, vkey);
    assert.equal(report.ok, false, `a changed byte in ${name} MUST fail verification`);
    changed.push(name);
  }
  return changed;
}

function captureIo(): { io: Parameters<typeof main>[1]; out: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { io: { stdout: sink as unknown as NodeJS.WriteStream, stderr: sink as unknown as NodeJS.WriteStream, stdin: process.stdin, env: {} }, out: () => text };
}

async function setUp(defer: Defer, prefix: string): Promise<{ app: App; officer: TestPrincipal; board: TestPrincipal; dir: string }> {
  const { app } = await startDeferredTestApp(defer, prefix);
  const officer = await testPrincipal(app, { username: `officer-${prefix}`, roles: ['compliance-officer'] });
  const board = await testPrincipal(app, { username: `ceo-${prefix}`, roles: ['management'] });
  const dir = await tempDir(`${prefix}-out`);
  defer(() => dir.remove());
  return { app, officer, board, dir: dir.path };
}

describe('governance', { concurrency: true }, () => {
  test('the catalogue holds NIS2 Art. 21(2)(a)-(j), the 13 annex headings of Reg. 2024/2690 and the 93 ISO/IEC 27001:2022 Annex A controls; an exclusion needs a reason and every change is on the ledger', async (t) => {
    const defer = teardown(t);
    const { app, officer } = await setUp(defer, 'gov-catalogue');
    const list = await officer.inject({ method: 'GET', url: '/api/v1/governance/requirements' });
    assert.equal(list.statusCode, 200, list.body);
    const all = list.json<{ id: string; framework: string; ref: string; title: string; status: string }[]>();
    const count = (f: string) => all.filter((r) => r.framework === f).length;
    assert.equal(count('nis2-art21'), 10);
    assert.equal(count('ir-2024-2690'), 13);
    assert.equal(count('iso27001-2022-annex-a'), 93);
    const iso = all.filter((r) => r.framework === 'iso27001-2022-annex-a').map((r) => r.ref);
    assert.equal(iso.filter((r) => r.startsWith('A.5.')).length, 37);
    assert.equal(iso.filter((r) => r.startsWith('A.6.')).length, 8);
    assert.equal(iso.filter((r) => r.startsWith('A.7.')).length, 14);
    assert.equal(iso.filter((r) => r.startsWith('A.8.')).length, 34);
    assert.equal(all.find((r) => r.id === 'iso27001-A.8.24')?.title, 'Use of cryptography');
    assert.ok(all.every((r) => r.status === 'not-assessed'));

    const refused = await officer.inject({ method: 'PATCH', url: '/api/v1/governance/requirements/iso27001-A.7.4', payload: { status: 'not-applicable' } });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.body, /reason/);
    const excluded = await officer.inject({
      method: 'PATCH',
      url: '/api/v1/governance/requirements/iso27001-A.7.4',
      payload: { status: 'not-applicable', reason: 'Custos is software; the operator monitors its premises', owner: 'CISO' },
    });
    assert.equal(excluded.statusCode, 200, excluded.body);
    assert.equal(excluded.json<{ status: string }>().status, 'not-applicable');
    const badLink = await officer.inject({ method: 'PATCH', url: '/api/v1/governance/requirements/nis2-21.2.h', payload: { evidence: ['javascript:alert(1)'] } });
    assert.equal(badLink.statusCode, 400);
    await app.ledger.drain();
    const events = await officer.inject({ method: 'GET', url: '/api/v1/audit/events?type=governance.requirement.updated' });
    // The compliance officer reads the ledger (audit.read): exactly the one accepted change is there.
    assert.equal(events.statusCode, 200, events.body);
    const recorded = events.json<{ events: { record: { details?: { requirement?: string; after?: { status?: string } } } }[] }>().events;
    assert.deepEqual(recorded.map((e) => [e.record.details?.requirement, e.record.details?.after?.status]), [['iso27001-A.7.4', 'not-applicable']]);
  });

  test('live evidence follows real changes: enrolling TOTP for an administrator raises MFA coverage, an rtsp:// camera is named plaintext, retention above 72 h needs a justification', async (t) => {
    const defer = teardown(t);
    const { app, officer } = await setUp(defer, 'gov-live');
    const admin = await app.identity.users.create({ username: 'gov-admin', password: strongPassword() }, testActor);
    await app.identity.grants.grant(admin, { role: 'admin', scope: 'global' }, { audit: testActor, userId: null });
    const before = (await metrics(officer)).get('mfa-coverage') as Metric;
    assert.equal(before.state, 'attention');
    assert.ok((before.value?.without as string[]).includes('gov-admin'), before.summary);
    const coveredBefore = before.value?.covered as number;

    const { session } = await app.identity.sessions.start(admin.id, 'test', false);
    const { secret } = await app.identity.enrolment.beginTotp(admin, session);
    await app.identity.enrolment.confirmTotp(admin, session, totpCode(secret, Date.now()), testActor);
    const after = (await metrics(officer)).get('mfa-coverage') as Metric;
    assert.equal(after.value?.covered, coveredBefore + 1);
    assert.ok(!(after.value?.without as string[]).includes('gov-admin'), after.summary);

    const camera = await app.cameras.add({ name: 'Loading bay', url: 'rtsp://127.0.0.1:9/bay', enabled: false, retentionHours: 168 }, testActor);
    const m = await metrics(officer);
    assert.equal(m.get('plaintext-cameras')?.state, 'attention');
    assert.match(m.get('plaintext-cameras')?.summary ?? '', /Loading bay/);
    assert.equal(m.get('retention-compliance')?.state, 'attention');
    const put = await officer.inject({ method: 'PUT', url: `/api/v1/governance/retention-justifications/${camera.id}`, payload: { justification: 'Insurance requires seven days for the loading bay' } });
    assert.equal(put.statusCode, 204, put.body);
    const justified = (await metrics(officer)).get('retention-compliance') as Metric;
    assert.equal(justified.state, 'ok', justified.summary);

    // What is not built or never ran says so, and is never "ok".
    assert.equal(m.get('backup-restore-tests')?.state, 'no-record');
    assert.equal(m.get('firmware-vetting')?.state, 'not-built');
    assert.equal(m.get('siem-lag')?.state, 'not-built');
    assert.equal(m.get('camera-advisories')?.state, 'no-record', 'no advisory imported is no record, not ok');
    assert.equal(m.get('audit-verify')?.state, 'no-record');
    for (const metric of m.values()) assert.ok(metric.source.length > 0, `${metric.id} names its source`);
  });

  test('approvals record the document SHA-256: wrong bytes are refused, a non-management user cannot approve, and the evidence bundle verifies offline while one changed byte in any file fails it', async (t) => {
    const defer = teardown(t);
    const { app, officer, board, dir } = await setUp(defer, 'gov-approve');
    const policyBytes = Buffer.from('Information security policy v3\nApproved scope: all sites.\n');
    const filed = await officer.inject({ method: 'POST', url: '/api/v1/governance/documents', payload: { kind: 'policy', title: 'Information security policy v3', mediaType: 'text/plain', contentBase64: policyBytes.toString('base64') } });
    assert.equal(filed.statusCode, 201, filed.body);
    const doc = filed.json<{ id: string; sha256: string }>();
    assert.equal(doc.sha256, sha256(policyBytes));
    const content = await board.inject({ method: 'GET', url: `/api/v1/governance/documents/${doc.id}/content` });
    assert.equal(content.statusCode, 200);
    assert.deepEqual(content.rawPayload, policyBytes);
    assert.equal(content.headers['content-type'], 'application/octet-stream', 'a document is never served as its own media type');
    assert.equal(content.headers['x-content-sha256'], doc.sha256);

    const notBoard = await officer.inject({ method: 'POST', url: `/api/v1/governance/documents/${doc.id}/approvals`, payload: { sha256: doc.sha256, approverFunction: 'CISO' } });
    assert.equal(notBoard.statusCode, 403, notBoard.body);
    assert.equal(notBoard.json<{ permission: string }>().permission, 'governance.approve');
    const wrong = await board.inject({ method: 'POST', url: `/api/v1/governance/documents/${doc.id}/approvals`, payload: { sha256: sha256(Buffer.from('another draft')), approverFunction: 'CEO' } });
    assert.equal(wrong.statusCode, 409, wrong.body);
    const approved = await board.inject({ method: 'POST', url: `/api/v1/governance/documents/${doc.id}/approvals`, payload: { sha256: doc.sha256, approverFunction: 'CEO', note: 'Board meeting 2026-12-01' } });
    assert.equal(approved.statusCode, 201, approved.body);
    const approval = approved.json<{ documentSha256: string; approverId: string; approverName: string; kind: string; ledgerSeq: number }>();
    assert.equal(approval.documentSha256, sha256(policyBytes));
    assert.equal(approval.approverId, `user:${board.user.id}`);
    assert.equal(approval.kind, 'policy-approval');
    const leaf = JSON.parse((await app.ledger.leavesOfTargets('governance.approval.recorded', [doc.id])).get(doc.id)?.text ?? '{}') as { details?: { documentSha256?: string } };
    assert.equal(leaf.details?.documentSha256, sha256(policyBytes), 'the ledger leaf commits to the approved hash');
    const training = await board.inject({ method: 'POST', url: '/api/v1/governance/training', payload: { course: 'NIS2 for management bodies', completedOn: '2026-11-30' } });
    assert.equal(training.statusCode, 201, training.body);

    const zip = await download(officer, '/api/v1/governance/evidence/bundle', dir, 'evidence.zip');
    const report = await verifyBundle(zip.path, app.ledger.vkey);
    assert.equal(report.ok, true, JSON.stringify(report.checks, null, 2));
    assert.equal(report.kind, 'evidence');
    const files = await filesOf(zip.path);
    assert.deepEqual(files.get(`documents/${doc.sha256}`), policyBytes, 'the approved document travels in the bundle');
    const approvals = JSON.parse((files.get('contents/approvals.json') as Buffer).toString()) as { documentSha256: string; approverName: string }[];
    assert.equal(approvals[0]?.documentSha256, doc.sha256);
    const live = JSON.parse((files.get('contents/live-evidence.json') as Buffer).toString()) as { metrics: { id: string }[] };
    assert.equal(live.metrics.length, 12);

    const cli = captureIo();
    assert.equal(await main(['governance', 'verify', zip.path, '--key', app.ledger.vkey], cli.io), 0, cli.out());
    assert.match(cli.out(), /VERIFIED/);
    const changed = await assertEveryByteMatters(zip, app.ledger.vkey, dir);
    assert.ok(changed.includes('statement.json') && changed.includes('checkpoint.txt') && changed.includes('contents/live-evidence.json') && changed.includes('manifest.json'), changed.join(', '));
    const bad = captureIo();
    assert.equal(await main(['governance', 'verify', join(dir, 'tampered-0.zip'), '--key', app.ledger.vkey], bad.io), 1, bad.out());
    assert.match(bad.out(), /NOT VERIFIED/);
  });

  test('the readiness pack answers the six questions from facts and documents on file, says "not available" where nothing exists, and verifies offline; one changed byte fails it', async (t) => {
    const defer = teardown(t);
    const { app, officer, dir } = await setUp(defer, 'gov-ready');
    const certificate = Buffer.from('%PDF-1.7 ISO/IEC 27001 certificate of the operator (test fixture)\n');
    const filed = await officer.inject({ method: 'POST', url: '/api/v1/governance/documents', payload: { kind: 'certification', title: 'ISO/IEC 27001 certificate', mediaType: 'application/pdf', contentBase64: certificate.toString('base64') } });
    assert.equal(filed.statusCode, 201, filed.body);
    const zip = await download(officer, '/api/v1/governance/readiness-pack', dir, 'readiness.zip');
    const report = await verifyBundle(zip.path, app.ledger.vkey);
    assert.equal(report.ok, true, JSON.stringify(report.checks, null, 2));
    assert.equal(report.kind, 'readiness');
    const files = await filesOf(zip.path);
    const pack = JSON.parse((files.get('contents/readiness.json') as Buffer).toString()) as { questions: { id: string; status: string; answer: string; facts: Record<string, unknown> }[] };
    assert.deepEqual(pack.questions.map((q) => q.id), ['certifications', 'sbom', 'encryption-and-keys', 'incident-process', 'residency', 'references', 'camera-vulnerabilities']);
    const q = new Map(pack.questions.map((x) => [x.id, x]));
    assert.equal(q.get('certifications')?.status, 'available');
    assert.deepEqual(files.get(`documents/${sha256(certificate)}`), certificate);
    assert.equal(q.get('sbom')?.status, 'not available');
    assert.match(q.get('sbom')?.answer ?? '', /not available/);
    assert.equal(q.get('references')?.status, 'not available');
    assert.equal(q.get('encryption-and-keys')?.facts.masterKeyProvider, 'file');
    assert.match(String(q.get('residency')?.facts.residencyReport), /not available/);
    assert.match(String(q.get('incident-process')?.facts.incidentRegister), /not available/);
    await assertEveryByteMatters(zip, app.ledger.vkey, dir);
    // Another log's key does not verify it.
    const other = await readFile(zip.path);
    assert.ok(other.length > 0);
    const wrongKey = await verifyBundle(zip.path, 'other.example/audit+01234567+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(wrongKey.ok, false);
  });

  test('the CLI measures live evidence, exports a readiness pack that verifies, and a vault fsck run appears as live evidence', async (t) => {
    const defer = teardown(t);
    const { app, dataDir } = await startDeferredTestApp(defer, 'gov-cli');
    const officer = await testPrincipal(app, { username: 'officer-cli', roles: ['compliance-officer'] });
    const out = await tempDir('gov-cli-out');
    defer(() => out.remove());
    assert.equal((await metrics(officer)).get('vault-fsck')?.state, 'no-record');
    const fsck = captureIo();
    assert.equal(await main(['vault', 'fsck', '--data-dir', dataDir], fsck.io), 0, fsck.out());
    const after = (await metrics(officer)).get('vault-fsck') as Metric;
    assert.equal(after.state, 'ok', after.summary);
    const evidence = captureIo();
    assert.equal(await main(['governance', 'evidence', '--data-dir', dataDir, '--json'], evidence.io), 0, evidence.out());
    const cliMetrics = (JSON.parse(evidence.out()) as { metrics: Metric[] }).metrics;
    assert.equal(cliMetrics.find((m) => m.id === 'vault-fsck')?.state, 'ok');
    const path = join(out.path, 'readiness.zip');
    const exported = captureIo();
    assert.equal(await main(['governance', 'export', 'readiness', '--out', path, '--data-dir', dataDir], exported.io), 0, exported.out());
    const report = await verifyBundle(path, app.ledger.vkey);
    assert.equal(report.ok, true, JSON.stringify(report.checks, null, 2));
    const again = captureIo();
    assert.equal(await main(['governance', 'export', 'readiness', '--out', path, '--data-dir', dataDir], again.io), 1, 'an existing file is never overwritten');
    assert.match(again.out(), /already exists/);
  });
});
