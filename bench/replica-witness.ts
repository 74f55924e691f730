/**
 * Witnesses and the replica (issue 16 items 5 and 6), measured on this machine:
 * - replica: leaves shipped per second to the `replica` destination (append + fsync per batch of
 *   `--batch`), and `verifyReplica` leaves per second over the result (with the database's leaf
 *   hashes compared, and alone);
 * - witness: add-checkpoint round trips per second to an in-process `custos witness` over HTTPS
 *   loopback with keep-alive, each checkpoint 100 leaves larger with its consistency proof,
 *   through the real client (`WitnessCosigner`), the cosignature verified and stored.
 *
 *   node bench/replica-witness.ts [--events 50000] [--batch 1000] [--checkpoints 200]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LeafRecord } from '../src/audit/audit-event.ts';
import type { StoredCheckpoint } from '../src/audit/ledger.store.ts';
import { buildWitnesses } from '../src/audit/build-witnesses.ts';
import { verifyReplica } from '../src/audit/verify-replica.ts';
import { createLogger } from '../src/lib/logger.ts';
import { createReplicaDestination } from '../src/siem/replica-destination.ts';
import { readReplica } from '../src/siem/replica-reader.ts';
import { parseVerifierKey } from '../src/tlog/signed-note.ts';
import { startWitness } from '../src/witness/start-witness.ts';
import { createTestLedger } from '../test/helpers/audit.ts';
import { createTestDatabase } from '../test/helpers/databases.ts';
import { createTestDataKeys } from '../test/helpers/keys.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '50000' }, batch: { type: 'string', default: '1000' }, checkpoints: { type: 'string', default: '200' } } });
const events = Number(values.events);
const batch = Number(values.batch);
const rounds = Number(values.checkpoints);
const silent = createLogger({ level: 'silent' });
const clock = { now: () => Date.now() };

const db = await createTestDatabase('sqlite');
const keys = await createTestDataKeys(db.db);
const holder: { offer?: (c: StoredCheckpoint) => void } = {};
const built = await createTestLedger(db.db, keys.dataKeys, { onCheckpoint: (c) => holder.offer?.(c) });
const work = await mkdtemp(join(tmpdir(), 'custos-bench-replica-'));
try {
  for (let i = 0; i < events; i += 1000) {
    await Promise.all(Array.from({ length: Math.min(1000, events - i) }, (_, j) => built.ledger.record({ type: 'camera.updated', actor: { kind: 'system', id: 'system:bench' }, target: { kind: 'camera', id: `cam-${(i + j) % 50}` }, outcome: 'success', details: { fields: ['name', 'url'], n: i + j } })));
  }
  await built.ledger.checkpoint();
  const rows = (await built.store.eventPage(0, events + 10)).map((r) => ({ record: JSON.parse(r.record) as LeafRecord, text: r.record }));
  const dest = await createReplicaDestination({ kind: 'replica', id: 'bench', jurisdiction: 'DE', enabled: true, path: join(work, 'replica'), maxBatch: batch });
  const signal = new AbortController().signal;
  let t0 = performance.now();
  for (let i = 0; i < rows.length; i += batch) {
    const out = await dest.send(rows.slice(i, i + batch), signal);
    if (!out.ok) throw new Error(out.reason);
  }
  for (const c of await built.store.allCheckpoints()) await dest.sendCheckpoint?.({ size: c.size, note: c.note }, signal);
  const shipS = (performance.now() - t0) / 1000;
  await dest.close();
  console.log(`replica: ${rows.length} leaves shipped in ${shipS.toFixed(2)} s = ${Math.round(rows.length / shipS)} leaves/s (batches of ${batch}, one fsync each)`);
  const verifiers = [parseVerifierKey(built.ledger.vkey)];
  for (const withDb of [false, true]) {
    t0 = performance.now();
    const report = await verifyReplica({
      replica: await readReplica(join(work, 'replica')),
      verifiers,
      origin: built.ledger.origin,
      ...(withDb ? { database: { size: await built.store.size(), leafPage: (f: number, l: number) => built.store.leafPage(f, l) } } : {}),
    });
    const s = (performance.now() - t0) / 1000;
    if (!report.ok) throw new Error(report.problems.join('; '));
    console.log(`verify --replica ${withDb ? 'with the database' : 'alone'}: ${report.leaves} leaves in ${s.toFixed(2)} s = ${Math.round(report.leaves / s)} leaves/s`);
  }

  const stateDir = join(work, 'witness');
  const witness = await startWitness({ stateDir, name: 'bench/witness', logs: verifiers, host: '127.0.0.1', port: 0, certFile: null, keyFile: null, clock, log: silent });
  const caFile = join(work, 'ca.pem');
  await writeFile(caFile, witness.certificatePem);
  const cosigner = await buildWitnesses({ witnesses: [{ url: `https://localhost:${witness.port}`, key: witness.vkey, jurisdiction: 'DE', timeoutSeconds: 10, caFile }], db: db.db, ledger: built.ledger, clock, log: silent });
  holder.offer = (c) => cosigner.offer(c);
  // Warm-up: the first cosignature (TLS handshake, first state row).
  await built.ledger.record({ type: 'camera.updated', actor: { kind: 'system', id: 'system:bench' }, outcome: 'success' });
  await built.ledger.checkpoint();
  await cosigner.idle();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await Promise.all(Array.from({ length: 100 }, () => built.ledger.record({ type: 'camera.updated', actor: { kind: 'system', id: 'system:bench' }, outcome: 'success' })));
    const start = performance.now();
    await built.ledger.checkpoint();
    await cosigner.idle();
    times.push(performance.now() - start);
  }
  const state = cosigner.status()[0];
  if (state?.state !== 'cosigned') throw new Error(`witness: ${state?.state} ${state?.reason}`);
  times.sort((a, b) => a - b);
  const p = (q: number) => (times[Math.min(times.length - 1, Math.floor(q * times.length))] as number).toFixed(1);
  console.log(`witness: ${rounds} checkpoints signed and cosigned (proof, HTTPS keep-alive, verify, store): median ${p(0.5)} ms, p95 ${p(0.95)} ms, max ${p(1)} ms; size ${state.cosignedSize}`);
  await cosigner.close();
  await witness.close();
} finally {
  await built.close();
  await keys.close();
  await db.close();
  await rm(work, { recursive: true, force: true });
}
