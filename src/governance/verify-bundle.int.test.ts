// The bundle's trust chain without the manifest: manifest.json is an unsigned index, so these
// attacks rewrite it to match and MUST still fail at the signed part (leaf → statement →
// contents). Real SQLite, real audit ledger with its signed checkpoints; bundles as directories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { createTestLedger, testActor } from '../../test/helpers/audit.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { sha256Hex } from '../evidence/evidence-format.ts';
import { MANIFEST_FILE, STATEMENT_FILE, bundleManifestBytes, statementBytes, type BundleStatement } from './bundle-format.ts';
import { sealBundle, type SealedBundle } from './bundle-writer.ts';
import { verifyBundle } from './verify-bundle.ts';

/** Writes `files` as a bundle directory, manifest recomputed for whatever they now are. */
async function writeDir(dir: string, files: ReadonlyMap<string, Buffer>): Promise<string> {
  const body = new Map([...files].filter(([name]) => name !== MANIFEST_FILE));
  const all = new Map([...body, [MANIFEST_FILE, bundleManifestBytes(new Map([...body].map(([n, b]) => [n, sha256Hex(b)])))]]);
  for (const [name, bytes] of all) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), bytes);
  }
  return dir;
}

const failed = (report: { checks: readonly { name: string; ok: boolean }[] }) => report.checks.filter((c) => !c.ok).map((c) => c.name);

test('a bundle verifies as a directory; an added file, a rewritten statement or another leaf fail at the signed checks even with a matching manifest', async (t) => {
  const defer = teardown(t);
  const database = await createTestDatabase('sqlite');
  defer(() => database.close());
  const keys = await createTestDataKeys(database.db);
  defer(() => keys.close());
  const built = await createTestLedger(database.db, keys.dataKeys);
  defer(() => built.close());
  const dir = await tempDir('gov-verify');
  defer(() => dir.remove());
  const vkey = built.ledger.vkey;
  const seal = (contents: Map<string, Buffer>): Promise<SealedBundle> => sealBundle({ kind: 'evidence', contents, ledger: built.ledger, clock: { now: () => Date.now() }, by: testActor });
  const bundle = await seal(new Map([['contents/live-evidence.json', Buffer.from('{"metrics":[]}\n')]]));
  const files = new Map<string, Buffer>(bundle.files.map(([n, b]) => [n, Buffer.from(b)]));

  const clean = await verifyBundle(await writeDir(join(dir.path, 'clean'), files), vkey);
  assert.equal(clean.ok, true, JSON.stringify(clean.checks, null, 2));
  assert.equal(clean.container, 'directory');

  const added = new Map<string, Buffer>(files).set('contents/extra.json', Buffer.from('{"planted":true}'));
  assert.deepEqual(failed(await verifyBundle(await writeDir(join(dir.path, 'added'), added), vkey)), ['contents']);

  const changedContent = new Map<string, Buffer>(files).set('contents/live-evidence.json', Buffer.from('{"metrics":["all ok"]}\n'));
  assert.deepEqual(failed(await verifyBundle(await writeDir(join(dir.path, 'content'), changedContent), vkey)), ['contents']);

  // A statement rewritten to list the changed content: its hash is no longer the leaf's.
  const statement = JSON.parse((files.get(STATEMENT_FILE) as Buffer).toString()) as BundleStatement;
  const forged = statementBytes({ ...statement, contents: { 'contents/live-evidence.json': sha256Hex(changedContent.get('contents/live-evidence.json') as Buffer) } });
  assert.deepEqual(failed(await verifyBundle(await writeDir(join(dir.path, 'statement'), new Map<string, Buffer>(changedContent).set(STATEMENT_FILE, forged)), vkey)), ['statement']);

  // The leaf, proof and checkpoint of another genuine bundle: proved, but not of this statement.
  const other = await seal(new Map([['contents/live-evidence.json', Buffer.from('{}')]]));
  const swapped = new Map<string, Buffer>([...files].filter(([n]) => !n.startsWith('events/') && !n.startsWith('proofs/') && n !== 'checkpoint.txt'));
  for (const [n, b] of other.files) if (n.startsWith('events/') || n.startsWith('proofs/') || n === 'checkpoint.txt') swapped.set(n, b);
  assert.deepEqual(failed(await verifyBundle(await writeDir(join(dir.path, 'swapped'), swapped), vkey)), ['statement']);

  const missingProof = new Map<string, Buffer>([...files].filter(([n]) => !n.startsWith('proofs/')));
  assert.deepEqual(failed(await verifyBundle(await writeDir(join(dir.path, 'noproof'), missingProof), vkey)), ['proof']);

  const nothing = await verifyBundle(join(dir.path, 'absent'), vkey);
  assert.equal(nothing.ok, false);
  assert.match(nothing.checks[0]?.detail ?? '', /no such file or directory/);
});
