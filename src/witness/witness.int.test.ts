// Witnesses (issue 16 item 5) end to end: a real audit ledger over SQLite offers its checkpoints
// through the real HTTPS witness client to a real `custos witness` (in process, and the CLI
// process), which keeps its state in SQLite and cosigns with its own key.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createTestLedger, testActor } from '../../test/helpers/audit.ts';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { teardown, type Defer } from '../../test/helpers/teardown.ts';
import { buildWitnesses } from '../audit/build-witnesses.ts';
import { createCosignatureStore } from '../audit/cosignature.store.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { WitnessCosigner } from '../audit/witness-cosigner.ts';
import { witnessTransport } from '../audit/witness-client.ts';
import type { Db } from '../db/database.ts';
import { createLogger } from '../lib/logger.ts';
import { checkCosignatureLine, cosignerOf, formatCosignerKey, noteBody, parseCosignerKey } from '../tlog/cosignature.ts';
import { formatAddCheckpoint } from '../tlog/witness-protocol.ts';
import { parseVerifierKey, signNote } from '../tlog/signed-note.ts';
import { formatCheckpoint } from '../tlog/checkpoint.ts';
import { leafHashOfText, rootOf } from '../tlog/merkle.ts';
import { consistencyProof } from '../tlog/merkle-proofs.ts';
import { startWitness, type RunningWitness } from './start-witness.ts';

const silent = createLogger({ level: 'silent' });
const clock = { now: () => Date.now() };
const witnessName = 'witness.test/w1';

interface Rig {
  db: Db;
  ledger: AuditLedger;
  witness: RunningWitness;
  cosigner: WitnessCosigner;
  caFile: string;
  url: string;
  stateDir: string;
  /** The ledger's data directory (its checkpoint pin). */
  ledgerDir: string;
  /** Where new checkpoints go; cleared, they go nowhere. */
  holder: { cosigner?: WitnessCosigner };
}

async function record(ledger: AuditLedger, n: number, tag: string): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => ledger.record({ type: 'camera.updated', ...testActor, target: { kind: 'camera', id: `${tag}-${i}` }, outcome: 'success' })));
}

/** A ledger with a witness client pointed at an in-process witness; `witnessKey` overrides the configured key. */
async function rig(defer: Defer, opts: { witnessKey?: string } = {}): Promise<Rig> {
  const db = await createTestDatabase('sqlite');
  defer(() => db.close());
  const keys = await createTestDataKeys(db.db);
  defer(() => keys.close());
  const holder: { cosigner?: WitnessCosigner } = {};
  const built = await createTestLedger(db.db, keys.dataKeys, { onCheckpoint: (c) => holder.cosigner?.offer(c) });
  defer(() => built.close());
  const stateDir = await mkdtemp(join(tmpdir(), 'custos-witness-'));
  defer(() => rm(stateDir, { recursive: true, force: true }));
  const witness = await startWitness({ stateDir, name: witnessName, logs: [parseVerifierKey(built.ledger.vkey)], host: '127.0.0.1', port: 0, certFile: null, keyFile: null, clock, log: silent });
  defer(() => witness.close());
  const caFile = join(stateDir, 'ca.pem');
  await writeFile(caFile, witness.certificatePem);
  const url = `https://localhost:${witness.port}`;
  const cosigner = await buildWitnesses({
    witnesses: [{ url, key: opts.witnessKey ?? witness.vkey, jurisdiction: 'DE', timeoutSeconds: 5, caFile }],
    db: db.db,
    ledger: built.ledger,
    clock,
    log: silent,
  });
  holder.cosigner = cosigner;
  defer(() => cosigner.close());
  return { db: db.db, ledger: built.ledger, witness, cosigner, caFile, url, stateDir, ledgerDir: built.dataDir, holder };
}

async function eventsOf(db: Db, type: string): Promise<{ record: string }[]> {
  return db.selectFrom('audit_events').select('record').where('type', '=', type).execute();
}

describe('witnesses (C2SP tlog-witness)', { concurrency: true }, () => {
  test('every new checkpoint is cosigned; the cosignature verifies against the witness key and is stored beside it', async (t) => {
    const r = await rig(teardown(t));
    const store = createCosignatureStore(r.db);
    const cosigner = parseCosignerKey(r.witness.vkey);
    await record(r.ledger, 5, 'a');
    const first = await r.ledger.checkpoint();
    await r.cosigner.idle();
    await record(r.ledger, 7, 'b');
    const second = await r.ledger.checkpoint();
    await r.cosigner.idle();
    assert.ok(first && second && second.size > first.size);
    for (const cp of [first, second]) {
      const stored = await store.forSize(cp.size);
      assert.equal(stored.length, 1, `one cosignature of size ${cp.size}`);
      const checked = checkCosignatureLine(stored[0]?.line ?? '', noteBody(cp.note) ?? '', cosigner);
      assert.ok(checked !== undefined && !('error' in checked), `the stored line of size ${cp.size} verifies`);
    }
    assert.deepEqual(
      r.cosigner.status().map((s) => [s.state, s.cosignedSize]),
      [['cosigned', second.size]],
    );
    // The first cosignature after start is an event; the next ones are not (each would grow the ledger).
    await r.ledger.drain();
    assert.equal((await eventsOf(r.db, 'audit.witness.cosigned')).length, 1);
    assert.equal((await eventsOf(r.db, 'audit.witness.refused')).length, 0);
  });

  test('a checkpoint that does not extend the witnessed one is refused (422) and alarmed once, however often it is offered again', async (t) => {
    const r = await rig(teardown(t));
    await record(r.ledger, 6, 'a');
    const witnessed = await r.ledger.checkpoint();
    await r.cosigner.idle();
    assert.equal(r.cosigner.status()[0]?.state, 'cosigned');
    assert.ok(witnessed);
    // A checkpoint of another tree signed by another key than the log's is not even looked at: 403.
    const forkLeaves = Array.from({ length: 9 }, (_, i) => leafHashOfText(`fork ${i}`));
    const transport = await witnessTransport({ url: r.url, caFile: r.caFile, timeoutMs: 5000 });
    t.after(() => transport.close());
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const forged = signNote(formatCheckpoint({ origin: r.ledger.origin, size: 9, root: rootOf(forkLeaves) }), { name: r.ledger.origin, privateKey: stranger });
    const refused403 = await transport.addCheckpoint(formatAddCheckpoint({ oldSize: witnessed.size, proof: consistencyProof(forkLeaves, witnessed.size), note: forged }));
    assert.equal(refused403.status, 403);
    // The ledger itself forks: its tables are put back to an older backup (and its pin file with
    // them), then other events are appended. The witness saw size 6; the new tree does not extend it.
    await r.db.deleteFrom('audit_events').where('seq', '>=', 3).execute();
    for (let level = 0; 2 ** level <= witnessed.size + 8; level++) {
      await r.db.deleteFrom('audit_nodes').where('level', '=', level).where('idx', '>=', Math.floor(3 / 2 ** level)).execute();
    }
    await r.db.updateTable('audit_head').set({ size: 3 }).where('id', '=', 1).execute();
    await r.db.deleteFrom('audit_checkpoints').where('size', '>', 3).execute();
    await rm(join(r.ledgerDir, 'audit', 'last-checkpoint'));
    // The same ledger object carries on: it reloads the tree from the database at its size.
    const forked = r.ledger;
    await record(forked, 9, 'fork');
    const fork = await forked.checkpoint();
    await r.cosigner.idle();
    assert.ok(fork && fork.size > witnessed.size);
    const [status] = r.cosigner.status();
    assert.equal(status?.state, 'refused');
    assert.match(status?.reason ?? '', /consistency proof from size 6 to \d+ does not verify/);
    assert.equal((await createCosignatureStore(r.db).forSize(fork.size)).length, 0, 'nothing cosigned is stored');
    // A second refused checkpoint is not a second alarm.
    await record(forked, 2, 'more');
    await forked.checkpoint();
    await r.cosigner.idle();
    await forked.drain();
    const alarms = await eventsOf(r.db, 'audit.witness.refused');
    assert.equal(alarms.length, 1);
    const alarm = JSON.parse(alarms[0]?.record ?? '{}') as { severity_id?: number; details?: { witness?: string; status?: number } };
    assert.equal(alarm.details?.witness, witnessName);
    assert.equal(alarm.details?.status, 422);
  });

  test('a log that does not know the witnessed size learns it from the 409 answer and retries with a consistency proof from it', async (t) => {
    const r = await rig(teardown(t));
    await record(r.ledger, 5, 'a');
    await r.ledger.checkpoint();
    await r.cosigner.idle();
    // The log's record of what the witness cosigned is gone (e.g. the table was emptied); a
    // fresh client starts from old size 0.
    await r.db.deleteFrom('audit_cosignatures').execute();
    const fresh = await buildWitnesses({ witnesses: [{ url: r.url, key: r.witness.vkey, jurisdiction: 'DE', timeoutSeconds: 5, caFile: r.caFile }], db: r.db, ledger: r.ledger, clock, log: silent });
    t.after(() => fresh.close());
    delete r.holder.cosigner;
    await record(r.ledger, 4, 'b');
    const cp = await r.ledger.checkpoint();
    assert.ok(cp && cp.size > 5);
    // The witness holds 5; the fresh client sends old 0, is told 5 (409), and proves 5 → 9.
    fresh.offer(cp);
    await fresh.idle();
    assert.deepEqual(
      fresh.status().map((s) => [s.state, s.cosignedSize]),
      [['cosigned', cp.size]],
    );
    assert.equal((await createCosignatureStore(r.db).forSize(cp.size)).length, 1);
  });

  test('a wrong witness key is refused: the answer holds no cosignature by the configured key, nothing is stored', async (t) => {
    const wrong = formatCosignerKey(cosignerOf(witnessName, generateKeyPairSync('ed25519').publicKey));
    const r = await rig(teardown(t), { witnessKey: wrong });
    await record(r.ledger, 4, 'a');
    const cp = await r.ledger.checkpoint();
    await r.cosigner.idle();
    assert.ok(cp);
    assert.equal(r.cosigner.status()[0]?.state, 'refused');
    assert.match(r.cosigner.status()[0]?.reason ?? '', /no cosignature by the configured witness key/);
    assert.equal((await createCosignatureStore(r.db).forSize(cp.size)).length, 0);
    await r.ledger.drain();
    assert.equal((await eventsOf(r.db, 'audit.witness.refused')).length, 1);
  });

  test('the witness answers the protocol: 404 unknown origin, 400 old size above the size, 409 with its size, the same checkpoint again cosigned', async (t) => {
    const r = await rig(teardown(t));
    const transport = await witnessTransport({ url: r.url, caFile: r.caFile, timeoutMs: 5000 });
    t.after(() => transport.close());
    await record(r.ledger, 3, 'a');
    const cp = await r.ledger.checkpoint();
    await r.cosigner.idle();
    assert.ok(cp);
    const unknown = cp.note.replace(r.ledger.origin, 'other.example/log');
    assert.equal((await transport.addCheckpoint(formatAddCheckpoint({ oldSize: 0, proof: [], note: unknown }))).status, 404);
    assert.equal((await transport.addCheckpoint(formatAddCheckpoint({ oldSize: cp.size + 1, proof: [], note: cp.note }))).status, 400);
    const stale = await transport.addCheckpoint(formatAddCheckpoint({ oldSize: 0, proof: [], note: cp.note }));
    assert.deepEqual([stale.status, stale.contentType, stale.body], [409, 'text/x.tlog.size', `${cp.size}\n`]);
    // The same size again with the same root is cosigned again (idempotent).
    const again = await transport.addCheckpoint(formatAddCheckpoint({ oldSize: cp.size, proof: [], note: cp.note }));
    assert.equal(again.status, 200);
    assert.match(again.body, /^\u2014 witness\.test\/w1 [A-Za-z0-9+/=]+\n$/u);
  });
});

describe('custos witness serve (the CLI process)', () => {
  test('starts with a key made at first start (0600), cosigns, keeps its state across a restart and refuses what it already passed', async (t) => {
    const defer = teardown(t);
    const r = await rig(defer);
    const stateDir = await mkdtemp(join(tmpdir(), 'custos-witness-cli-'));
    defer(() => rm(stateDir, { recursive: true, force: true }));
    const start = async (): Promise<{ port: number; vkey: string; stop: () => Promise<void> }> => {
      const child = spawn(process.execPath, [join(import.meta.dirname, '../../bin/custos.js'), 'witness', 'serve', '--state', stateDir, '--name', 'cli.witness/w', '--port', '0', '--log', r.ledger.vkey], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      const up = await new Promise<RegExpExecArray>((resolve, reject) => {
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /witness (\S+) listening on https:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
          if (m) resolve(m);
        });
        child.once('exit', (code) => reject(new Error(`witness serve exited ${code}: ${err}`)));
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      return {
        vkey: up[1] as string,
        port: Number(up[2]),
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
    };
    const first = await start();
    defer(() => first.stop());
    assert.equal((await stat(join(stateDir, 'witness.key'))).mode & 0o777, 0o600);
    // Without --cert/--key the witness made a self-signed certificate in its state directory.
    const caFile = join(stateDir, 'tls', 'self-signed.crt');
    await record(r.ledger, 4, 'a');
    const cp = await r.ledger.checkpoint();
    assert.ok(cp);
    const post = async (port: number, oldSize: number) => {
      const transport = await witnessTransport({ url: `https://localhost:${port}`, caFile, timeoutMs: 5000 });
      try {
        return await transport.addCheckpoint(formatAddCheckpoint({ oldSize, proof: [], note: cp.note }));
      } finally {
        transport.close();
      }
    };
    const ok = await post(first.port, 0);
    assert.equal(ok.status, 200);
    const line = checkCosignatureLine(ok.body, noteBody(cp.note) ?? '', parseCosignerKey(first.vkey));
    assert.ok(line !== undefined && !('error' in line));
    await first.stop();
    const second = await start();
    defer(() => second.stop());
    assert.equal(second.vkey, first.vkey, 'the key is reused');
    const stale = await post(second.port, 0);
    assert.deepEqual([stale.status, stale.body], [409, `${cp.size}\n`]);
  });
});
