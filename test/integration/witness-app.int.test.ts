/**
 * The server offers its checkpoints to a configured witness (issue 16 item 5). Real: the app
 * with SQLite, a real in-process `custos witness` over HTTPS with its self-signed certificate
 * trusted through `witnesses[].caFile`; the stored cosignature is read back from the database.
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
import { startTestApp, tempDir, waitFor } from '../helpers/harness.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

test('the server offers every new checkpoint to its witness and stores the verified cosignature beside it', async (t) => {
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
  const app = await startTestApp(dir.path, { witnesses: [{ url: `https://localhost:${witness.port}`, key: witness.vkey, jurisdiction: 'DE', caFile }] });
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
});
