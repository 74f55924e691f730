// `custos audit …` in-process through `main`, on a real data directory (SQLite, file key
// provider): verify an intact ledger, print its key, find a byte changed in the database file,
// and refuse checkpoints under a key that is not the ledger's.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import { tempDir } from '../../test/helpers/harness.ts';
import { formatVerifierKey, parseVerifierKey, verifierKey } from '../tlog/signed-note.ts';
import type { LedgerVerifyReport } from '../audit/verify-ledger.ts';
import { loadConfig } from '../config/load.ts';
import { main } from './main.ts';
import { openCore } from '../core.ts';

/** Runs `custos …` in this process with captured output and an empty environment. */
async function custos(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const sink = (key: keyof typeof out) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        out[key] += chunk.toString();
        done();
      },
    });
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(args, { stdout: sink('stdout'), stderr: sink('stderr'), stdin, env: {} });
  return { code, ...out };
}

describe('custos audit', () => {
  let dir: { path: string; remove(): Promise<void> };
  let vkey: string;
  const tamperedSeq = 2;

  before(async () => {
    dir = await tempDir('cli-audit');
    const keys = await openCore(await loadConfig({ file: null, env: {}, overrides: { dataDir: dir.path } }));
    try {
      const ledger = await keys.ledger();
      vkey = ledger.vkey;
      for (let i = 0; i < 5; i++) {
        await ledger.record({ type: 'camera.updated', actor: { kind: 'cli', id: 'cli:test' }, target: { kind: 'camera', id: `cam-${i}` }, outcome: 'success', details: { fields: ['name'] } });
      }
    } finally {
      await keys.close(); // signs the final checkpoint
    }
  });
  after(() => dir.remove());

  test('verify reports an intact ledger with exit 0, and records that it ran', async () => {
    const first = await custos(['audit', 'verify', '--data-dir', dir.path]);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /^5 events, head 5; 1 of 1 checkpoints verified\nledger intact\n$/);
    const again = await custos(['audit', 'verify', '--data-dir', dir.path, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const report = JSON.parse(again.stdout) as LedgerVerifyReport;
    assert.equal(report.ok, true);
    assert.equal(report.events, 6, 'the first run was recorded as an audit.verified event');
  });

  test('key prints the verifier key of the checkpoints', async () => {
    const r = await custos(['audit', 'key', '--data-dir', dir.path]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${vkey}\n`);
    assert.equal(parseVerifierKey(r.stdout.trim()).name, 'custos.local/audit');
  });

  test('verify with the ledger key given as a file passes, and with a stranger key fails with exit 1', async () => {
    const file = join(dir.path, 'ledger.vkey');
    await writeFile(file, `${vkey}\n`);
    const right = await custos(['audit', 'verify', '--data-dir', dir.path, '--key', file]);
    assert.equal(right.code, 0, right.stdout);

    const stranger = formatVerifierKey(verifierKey('custos.local/audit', generateKeyPairSync('ed25519').publicKey));
    const wrong = await custos(['audit', 'verify', '--data-dir', dir.path, '--key', stranger]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /BAD: index \d+: checkpoint of size \d+: signature does not verify \(no trusted key signed this note\)/);
    assert.match(wrong.stdout, /0 of \d+ checkpoints verified/);
    assert.match(wrong.stdout, /LEDGER TAMPERED: first bad index \d+\n$/);
  });

  test('verify finds a record changed in the database file and names its index, with exit 1', async () => {
    const sqlite = new BetterSqlite3(join(dir.path, 'custos.db'));
    try {
      const changed = sqlite.prepare("UPDATE audit_events SET record = replace(record, '\"cam-2\"', '\"cam-9\"') WHERE seq = ?").run(tamperedSeq);
      assert.equal(changed.changes, 1);
    } finally {
      sqlite.close();
    }
    const r = await custos(['audit', 'verify', '--data-dir', dir.path]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`BAD: index ${tamperedSeq}: the record does not hash to the leaf committed at this index`));
    assert.match(r.stdout, new RegExp(`LEDGER TAMPERED: first bad index ${tamperedSeq}\\n$`));
    const json = await custos(['audit', 'verify', '--data-dir', dir.path, '--json']);
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.stdout) as LedgerVerifyReport).firstBad?.index, tamperedSeq);
  });
});
