import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppError } from '../lib/errors.ts';
import { formatCheckpoint } from './checkpoint.ts';
import { leafHash, rootOf } from './merkle.ts';
import { inclusionProof } from './merkle-proofs.ts';
import { signNote, verifierKey } from './signed-note.ts';
import { formatProofBundle, parseProofBundle, verifyProofBundle } from './tlog-proof.ts';

function rejects(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => isAppError(e, 'VALIDATION_FAILED') && (message === undefined || message.test(e.message)));
}

describe('tlog-proof bundles', () => {
  const origin = 'custos.example.eu/audit';
  const leaves = Array.from({ length: 7 }, (_, i) => leafHash(Buffer.from(`audit event ${i}`)));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const verifiers = [verifierKey(origin, publicKey)];
  const checkpoint = signNote(formatCheckpoint({ origin, size: leaves.length, root: rootOf(leaves) }), { name: origin, privateKey });
  const bundleFor = (index: number): string => formatProofBundle({ index, proof: inclusionProof(leaves, index), checkpoint });

  test('a bundle is the header, the index, one base64 hash per line, a blank line and the checkpoint', () => {
    const proof = inclusionProof(leaves, 5);
    const expected = ['c2sp.org/tlog-proof@v1', 'index 5', ...proof.map((h) => h.toString('base64')), '', ''].join('\n') + checkpoint;
    assert.equal(bundleFor(5), expected);
  });

  test('a bundle round-trips through its text, with and without extra data', () => {
    const proof = inclusionProof(leaves, 2);
    assert.deepEqual(parseProofBundle(formatProofBundle({ index: 2, proof, checkpoint })), { index: 2, proof, checkpoint });
    const extra = Buffer.from('context');
    assert.deepEqual(parseProofBundle(formatProofBundle({ index: 2, proof, checkpoint, extra })), { index: 2, proof, checkpoint, extra });
  });

  test('every leaf verifies against the signed checkpoint through its bundle', () => {
    leaves.forEach((leaf, i) => {
      const result = verifyProofBundle(bundleFor(i), leaf, verifiers);
      assert.equal(result.index, i);
      assert.equal(result.checkpoint.size, leaves.length);
      assert.deepEqual(result.verifiedBy, [origin]);
    });
  });

  test('a bundle for a one-leaf tree has no proof lines and still verifies', () => {
    const one = [leafHash(Buffer.from('only'))];
    const cp = signNote(formatCheckpoint({ origin, size: 1, root: rootOf(one) }), { name: origin, privateKey });
    const bundle = formatProofBundle({ index: 0, proof: [], checkpoint: cp });
    assert.ok(bundle.startsWith('c2sp.org/tlog-proof@v1\nindex 0\n\n'));
    assert.equal(verifyProofBundle(bundle, one[0]!, verifiers).index, 0);
  });

  test('a wrong leaf, index or proof hash is rejected as not leading to the signed root', () => {
    rejects(() => verifyProofBundle(bundleFor(3), leaves[4]!, verifiers), /inclusion proof/);
    rejects(() => verifyProofBundle(bundleFor(3).replace('index 3', 'index 2'), leaves[3]!, verifiers), /inclusion proof/);
    const proof = inclusionProof(leaves, 3);
    proof[1] = leafHash(Buffer.from('forged'));
    rejects(() => verifyProofBundle(formatProofBundle({ index: 3, proof, checkpoint }), leaves[3]!, verifiers), /inclusion proof/);
  });

  test('a bundle whose checkpoint is tampered with or signed by an unknown key is rejected', () => {
    const bundle = bundleFor(3);
    rejects(() => verifyProofBundle(bundle.replace(`\n${leaves.length}\n`, `\n${leaves.length + 1}\n`), leaves[3]!, verifiers));
    const other = generateKeyPairSync('ed25519');
    rejects(() => verifyProofBundle(bundle, leaves[3]!, [verifierKey(origin, other.publicKey)]), /no trusted key/);
  });

  test('malformed bundles are rejected', () => {
    const good = bundleFor(3);
    for (const bad of [
      good.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2'),
      good.replace('index 3', 'index 03'),
      good.replace('index 3', 'index3'),
      good.replace('index 3\n', 'index 3\nnot-base64!\n'),
      good.replace('index 3\n', `index 3\n${Buffer.alloc(31).toString('base64')}\n`),
      good.replace('c2sp.org/tlog-proof@v1\n', 'c2sp.org/tlog-proof@v1\nextra ***\n'),
      good.slice(0, good.indexOf('\n\n') + 2), // no checkpoint
    ]) {
      rejects(() => parseProofBundle(bad));
    }
  });
});
