// Runs the published transparency-dev/merkle RFC 6962 vectors, read in place from the shared
// test data beside the clone (never copied into the repository).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { leafHash, rootOf } from './merkle.ts';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from './merkle-proofs.ts';

/** The shared test data sits beside the repository (as in CI); CUSTOS_TEST_MERKLE_VECTORS overrides it. */
const VECTORS = process.env.CUSTOS_TEST_MERKLE_VECTORS ?? fileURLToPath(new URL('../../../shared/testdata/merkle/', import.meta.url));
/** Third-party reference data is not part of the repository: where it is absent the suite says so and is skipped (CI always has it). */
const absent = existsSync(VECTORS) ? false : `the transparency-dev/merkle vectors are not at ${VECTORS}: put the shared test data beside the repository or set CUSTOS_TEST_MERKLE_VECTORS`;

type Vector = { file: string; json: Record<string, unknown> };

function load(kind: 'inclusion' | 'consistency'): Vector[] {
  const dir = `${VECTORS.replace(/\/?$/, '/')}${kind}/`;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(`${dir}${file}`, 'utf8')) as Record<string, unknown> }));
}

const b64 = (s: unknown): Buffer => Buffer.from(String(s), 'base64');
const proofOf = (p: unknown): Buffer[] => (Array.isArray(p) ? p.map(b64) : []); // upstream writes an empty proof as null

// The reference tree behind the upstream vectors (RFC 6962 test data, transparency-dev testonly).
const REFERENCE = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) =>
  leafHash(Buffer.from(h, 'hex')),
);

const inclusion = absent ? [] : load('inclusion');
const consistency = absent ? [] : load('consistency');

describe('transparency-dev/merkle vectors', { skip: absent }, () => {
  test('the vector directory holds inclusion and consistency cases, both accepting and rejecting', () => {
    assert.ok(inclusion.length >= 50, `found ${inclusion.length} inclusion vectors`);
    assert.ok(consistency.length >= 50, `found ${consistency.length} consistency vectors`);
    for (const set of [inclusion, consistency]) {
      assert.ok(set.some((v) => v.json['wantErr'] === false));
      assert.ok(set.some((v) => v.json['wantErr'] === true));
    }
  });

  for (const { file, json } of inclusion) {
    const want = json['wantErr'] === false;
    test(`the inclusion vector ${file} (${String(json['desc'])}) is ${want ? 'accepted' : 'rejected'}`, () => {
      assert.equal(typeof json['wantErr'], 'boolean');
      const ok = verifyInclusion(json['leafIdx'] as number, json['treeSize'] as number, b64(json['leafHash']), proofOf(json['proof']), b64(json['root']));
      assert.equal(ok, want);
    });
  }

  for (const { file, json } of consistency) {
    const want = json['wantErr'] === false;
    test(`the consistency vector ${file} (${String(json['desc'])}) is ${want ? 'accepted' : 'rejected'}`, () => {
      assert.equal(typeof json['wantErr'], 'boolean');
      const ok = verifyConsistency(json['size1'] as number, json['size2'] as number, b64(json['root1']), b64(json['root2']), proofOf(json['proof']));
      assert.equal(ok, want);
    });
  }

  test('our roots and generated proofs equal the upstream happy-path vectors built on the reference tree', () => {
    let compared = 0;
    for (const { file, json } of inclusion) {
      if (json['wantErr'] !== false || !/^\d\//.test(file)) continue;
      const [index, size] = [json['leafIdx'] as number, json['treeSize'] as number];
      const tree = REFERENCE.slice(0, size);
      assert.ok(rootOf(tree).equals(b64(json['root'])), `root of ${file}`);
      assert.ok(tree[index]!.equals(b64(json['leafHash'])), `leaf hash of ${file}`);
      assert.deepEqual(inclusionProof(tree, index), proofOf(json['proof']), `proof of ${file}`);
      compared++;
    }
    for (const { file, json } of consistency) {
      if (json['wantErr'] !== false || !/^\d\//.test(file)) continue;
      const [m, n] = [json['size1'] as number, json['size2'] as number];
      const tree = REFERENCE.slice(0, n);
      assert.ok(rootOf(tree.slice(0, m)).equals(b64(json['root1'])), `old root of ${file}`);
      assert.ok(rootOf(tree).equals(b64(json['root2'])), `new root of ${file}`);
      assert.deepEqual(consistencyProof(tree, m), proofOf(json['proof']), `proof of ${file}`);
      compared++;
    }
    assert.ok(compared >= 8, `compared ${compared} happy paths`);
  });
});
