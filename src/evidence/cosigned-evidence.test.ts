// Evidence packages carrying witness cosignatures (issue 16 item 5): written like the server
// writes them (a real tree, a signed checkpoint, real cosignature/v1 lines), verified offline.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { samplePackage } from '../../test/helpers/evidence-sample.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { main } from '../cli/main.ts';
import { cosign, cosignerOf, formatCosignerKey, noteBody } from '../tlog/cosignature.ts';
import { cosignedEvidence } from './cosigned-evidence.ts';
import { writeEvidenceDirectory, type EvidenceContents } from './evidence-package.ts';
import { verifyEvidence } from './verify-evidence.ts';

const w1 = { name: 'witness.site-b.example/w1', ...generateKeyPairSync('ed25519') };
const w2 = { name: 'witness.site-c.example/w2', ...generateKeyPairSync('ed25519') };
const absent = { name: 'witness.never.example/w3', ...generateKeyPairSync('ed25519') };
const cosignerOfW = (w: typeof w1) => cosignerOf(w.name, w.publicKey);

/** The sample package with its checkpoint cosigned by `by` (lines as the store keeps them). */
function cosignedContents(contents: EvidenceContents, lines: readonly string[]): EvidenceContents {
  const withLines = cosignedEvidence({ checkpoint: contents.checkpoint, proofs: Object.fromEntries([...contents.proofs].map(([k, v]) => [String(k), v])) }, lines);
  return { ...contents, checkpoint: withLines.checkpoint, proofs: new Map(Object.entries(withLines.proofs).map(([k, v]) => [Number(k), v])) };
}

describe('evidence packages with witness cosignatures', { concurrency: true }, () => {
  const sample = samplePackage();
  const body = noteBody(sample.contents.checkpoint) ?? '';
  const time = 1_767_000_000;
  const lines = [cosign(body, w1.name, w1.privateKey, time), cosign(body, w2.name, w2.privateKey, time + 1)];

  async function written(t: { after(fn: () => unknown): void }, contents: EvidenceContents): Promise<string> {
    const defer = teardown(t);
    const work = await mkdtemp(join(tmpdir(), 'custos-cosigned-'));
    defer(() => rm(work, { recursive: true, force: true }));
    const dir = join(work, 'package');
    await writeEvidenceDirectory(dir, contents);
    return dir;
  }

  test('a package whose checkpoint carries cosignatures verifies, and reports which witnesses cosigned', async (t) => {
    const dir = await written(t, cosignedContents(sample.contents, lines));
    const report = await verifyEvidence(dir, sample.vkey, undefined, { witnesses: [cosignerOfW(w1), cosignerOfW(w2)] });
    assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
    const check = report.checks.find((c) => c.name === 'witnesses');
    assert.match(check?.detail ?? '', /cosigned by witness\.site-b\.example\/w1 at 2025-12-29T09:20:00\.000Z, witness\.site-c\.example\/w2 at 2025-12-29T09:20:01\.000Z/);
    // A verifier without witness keys is not disturbed by the lines (unknown keys are ignored).
    const plain = await verifyEvidence(dir, sample.vkey);
    assert.equal(plain.ok, true);
    assert.equal(plain.checks.some((c) => c.name === 'witnesses'), false);
  });

  test('a witness that did not cosign, or a cosignature changed by one byte, fails only the witnesses check', async (t) => {
    const dir = await written(t, cosignedContents(sample.contents, lines));
    const missing = await verifyEvidence(dir, sample.vkey, undefined, { witnesses: [cosignerOfW(w1), cosignerOfW(absent)] });
    assert.deepEqual(missing.checks.filter((c) => !c.ok).map((c) => c.name), ['witnesses']);
    assert.match(missing.checks.find((c) => c.name === 'witnesses')?.detail ?? '', /no cosignature by witness witness\.never\.example\/w3/);
    // A forged line: w1's name and key id, another key's signature (e.g. the time moved by a byte).
    const forged = cosign(body, w1.name, w1.privateKey, time);
    const blob = Buffer.from(forged.trim().split(' ')[2] ?? '', 'base64');
    blob[11] = (blob[11] ?? 0) ^ 1;
    const tampered = `\u2014 ${w1.name} ${blob.toString('base64')}\n`;
    const dir2 = await written(t, cosignedContents(sample.contents, [tampered]));
    const bad = await verifyEvidence(dir2, sample.vkey, undefined, { witnesses: [cosignerOfW(w1)] });
    assert.deepEqual(bad.checks.filter((c) => !c.ok).map((c) => c.name), ['witnesses']);
    assert.match(bad.checks.find((c) => c.name === 'witnesses')?.detail ?? '', /does not verify/);
  });

  test('custos export verify --witness names the witnesses; exit 1 when one did not cosign', async (t) => {
    const dir = await written(t, cosignedContents(sample.contents, lines));
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => true }, stdin: process.stdin, env: {} } as unknown as Parameters<typeof main>[1];
    assert.equal(await main(['export', 'verify', dir, '--key', sample.vkey, '--witness', formatCosignerKey(cosignerOfW(w1))], io), 0);
    assert.match(out.join(''), /ok\s+witnesses\s+the checkpoint was cosigned by witness\.site-b\.example\/w1/);
    out.length = 0;
    assert.equal(await main(['export', 'verify', dir, '--key', sample.vkey, '--witness', formatCosignerKey(cosignerOfW(absent))], io), 1);
    assert.match(out.join(''), /FAILED\s+witnesses\s+checkpoint\.txt: no cosignature/);
  });
});
