/**
 * The server offers its checkpoints to a configured witness (issue 16 item 5). Real: the app
 * with SQLite, a real in-process `custos witness` over HTTPS with its self-signed certificate
 * trusted through `witnesses[].caFile`, a simulated camera recorded through ffmpeg; the stored
 * cosignature is read back from the database and the evidence package is verified offline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { createLogger } from '../../src/lib/logger.ts';
import { checkCosignatureLine, noteBody, parseCosignerKey } from '../../src/tlog/cosignature.ts';
import { parseVerifierKey } from '../../src/tlog/signed-note.ts';
import { startWitness } from '../../src/witness/start-witness.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { testActor, testCustody } from '../helpers/audit.ts';
import type { CustodyRecord } from '../../src/evidence/custody-record.ts';
import { writeEvidenceDirectory } from '../../src/evidence/evidence-package.ts';
import { verifyEvidence } from '../../src/evidence/verify-evidence.ts';
import { parseCheckpoint } from '../../src/tlog/checkpoint.ts';
import { teardown } from '../helpers/teardown.ts';

test('the server offers every new checkpoint to its witness, stores the verified cosignature, and puts it into evidence packages', { timeout: 120_000 }, async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('witness-app');
  defer(() => dir.remove());
  // First start: the ledger key is made; the witness is configured with it (as an operator would).
  const first = await startTestApp(dir.path);
  const vkey = first.ledger.vkey;
  await first.close();
  const stateDir = await mkdtemp(join(tmpdir(), 'custos-witness-app-'));
  defer(() => rm(stateDir, { recursive: true, force: true }));
  const witness = await startWitness({ stateDir, name: 'witness.test/app', logs: [parseVerifierKey(vkey)], host: '127.0.0.1', port: 0, certFile: null, keyFile: null, clock: { now: () => Date.now() }, log: createLogger({ level: 'silent' }) });
  defer(() => witness.close());
  const caFile = join(stateDir, 'ca.pem');
  await writeFile(caFile, witness.certificatePem);
  const app = await startTestApp(dir.path, { 'recording.segmentSeconds': 2, witnesses: [{ url: `https://localhost:${witness.port}`, key: witness.vkey, jurisdiction: 'DE', caFile }] });
  defer(() => app.close());
  await app.ledger.record({ type: 'camera.updated', ...testActor, target: { kind: 'camera', id: 'c1' }, outcome: 'success' });
  const checkpoint = await app.ledger.checkpoint();
  assert.ok(checkpoint);
  const db = new BetterSqlite3(join(dir.path, 'custos.db'), { readonly: true });
  defer(() => db.close());
  const row = await waitFor('the cosignature is stored', 10_000, () => db.prepare<[number], { line: string }>('SELECT line FROM audit_cosignatures WHERE size = ?').get(checkpoint.size));
  const checked = checkCosignatureLine(row.line, noteBody(checkpoint.note) ?? '', parseCosignerKey(witness.vkey));
  assert.ok(checked !== undefined && !('error' in checked), 'the stored line verifies with the witness key');
  const cosigned = await waitFor('audit.witness.cosigned is recorded', 10_000, () => db.prepare("SELECT record FROM audit_events WHERE type = 'audit.witness.cosigned'").get());
  assert.ok(cosigned);

  // An export of a real recording: its evidence package carries the cosignature of its
  // checkpoint and verifies offline with the log key and the witness key.
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const camera = await app.cameras.add({ name: 'Witnessed', url: sim.urls[0] as string }, testActor);
  await waitFor('sealed segments', 60_000, async () => (await app.playback.segments(camera.id, 0, Date.now())).filter((s) => s.state === 'closed').length >= 2);
  const job = await app.exports.create(camera, Date.now() - 60_000, Date.now() - 1_000, testCustody, testActor, { requestedBy: null, approvedBy: null });
  await app.exports.idle();
  const done = await app.exports.get(job.id);
  assert.equal(done.state, 'done', done.error ?? '');
  const exportSize = parseCheckpoint(noteBody((JSON.parse(done.evidence ?? '{}') as { checkpoint: string }).checkpoint) ?? '').size;
  await waitFor('the export checkpoint is cosigned', 10_000, () => db.prepare<[number], { line: string }>('SELECT line FROM audit_cosignatures WHERE size = ?').get(exportSize));
  const { evidence, mp4 } = await app.exports.evidence(job.id, testActor);
  const pkg = join(stateDir, 'evidence');
  await writeEvidenceDirectory(pkg, {
    openMp4: mp4,
    mp4Sha256: evidence.mp4Sha256,
    custody: JSON.parse(evidence.custody) as CustodyRecord,
    leaves: new Map(Object.entries(evidence.leaves).map(([seq, text]) => [Number(seq), text])),
    proofs: new Map(Object.entries(evidence.proofs).map(([seq, text]) => [Number(seq), text])),
    checkpoint: evidence.checkpoint,
  });
  const report = await verifyEvidence(pkg, vkey, undefined, { witnesses: [parseCosignerKey(witness.vkey)] });
  assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
  assert.match(report.checks.find((c) => c.name === 'witnesses')?.detail ?? '', /cosigned by witness\.test\/app at /);
});
