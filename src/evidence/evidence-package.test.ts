// Real files in a temporary directory, a real Merkle tree, real Ed25519 signatures; the MP4 is
// pseudo-random bytes (the verifier never parses video).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatVerifierKey, verifierKey } from '../tlog/signed-note.ts';
import { isAppError } from '../lib/errors.ts';
import { sampleFromMs, sampleOrigin, samplePackage, sampleToMs, type SamplePackage } from '../../test/helpers/evidence-sample.ts';
import { eventPath, proofPath, sha256Hex } from './evidence-format.ts';
import { evidenceZip, writeEvidenceDirectory, writeEvidenceZipFile } from './evidence-package.ts';
import { manifestBytes } from './manifest.ts';
import { verifyEvidence, type EvidenceReport } from './verify-evidence.ts';
import { zipStream } from './zip-writer.ts';

/** mulberry32: a deterministic PRNG, so a failing position can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function failsNaming(report: EvidenceReport, file: string, checks?: readonly string[]): void {
  const failed = report.checks.filter((c) => !c.ok && (checks === undefined || checks.includes(c.name)));
  assert.equal(report.ok, false, `expected a failure naming ${file}`);
  assert.ok(
    failed.some((c) => c.detail.includes(file)),
    `no failed check${checks === undefined ? '' : ` among ${checks.join(', ')}`} names ${file}:\n${JSON.stringify(report.checks, null, 2)}`,
  );
}

function failedCheck(report: EvidenceReport, name: string): string {
  const check = report.checks.find((c) => c.name === name);
  assert.ok(check !== undefined && !check.ok, `check ${name} should fail:\n${JSON.stringify(report.checks, null, 2)}`);
  return check.detail;
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1).split('\\').join('/')).sort();
}

/** Where an entry's data starts in a zip of ours (central directory walk; no ZIP64 offsets). */
function entryData(zip: Buffer, name: string): { start: number; size: number } {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < zip.readUInt16LE(eocd + 10); i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const entryName = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const extra = zip.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    let size = zip.readUInt32LE(at + 24);
    if (size === 0xffffffff) size = Number(extra.readBigUInt64LE(4));
    const local = zip.readUInt32LE(at + 42);
    if (entryName === name) return { start: local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28), size };
    at += 46 + nameLength + extraLength + zip.readUInt16LE(at + 32);
  }
  throw new Error(`no entry ${name}`);
}

describe('evidence packages', () => {
  let work: string;
  let sample: SamplePackage;
  let pkg: string;
  let zipPath: string;
  let zipBytes: Buffer;
  let files: string[];

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'custos-evidence-'));
    sample = samplePackage();
    pkg = join(work, 'package');
    zipPath = join(work, 'package.zip');
    await writeEvidenceDirectory(pkg, sample.contents);
    await writeEvidenceZipFile(zipPath, sample.contents);
    zipBytes = await readFile(zipPath);
    files = await listFiles(pkg);
  });
  after(() => rm(work, { recursive: true, force: true }));

  /** One representative of every kind of file, for the tamper loops. */
  const classes = (): string[] => ['export.mp4', 'manifest.json', 'custody.json', 'checkpoint.txt', eventPath(sample.completionSeq), eventPath(sample.segmentSeqs[2]!), proofPath(sample.requestSeq), proofPath(sample.segmentSeqs[0]!)];

  test('a package holds the MP4, custody record, checkpoint, manifest and one event and proof per relied-on leaf', () => {
    const seqs = [...sample.segmentSeqs, sample.requestSeq, sample.completionSeq].sort((a, b) => a - b);
    const expected = ['checkpoint.txt', 'custody.json', 'export.mp4', 'manifest.json', ...seqs.map(eventPath), ...seqs.map(proofPath)].sort();
    assert.deepEqual(files, expected);
  });

  test('an untouched package verifies as a directory, as a zip and as a ZIP64 zip, every check passing', async () => {
    const zip64 = join(work, 'package64.zip');
    await writeEvidenceZipFile(zip64, sample.contents, { forceZip64: true });
    for (const [path, container] of [[pkg, 'directory'], [zipPath, 'zip'], [zip64, 'zip']] as const) {
      const report = await verifyEvidence(path, sample.vkey);
      assert.equal(report.ok, true, JSON.stringify(report, null, 2));
      assert.equal(report.container, container);
      assert.deepEqual(report.checks.map((c) => c.name), ['package', 'manifest', 'files', 'checkpoint', 'events', 'proofs', 'completion', 'request', 'segments', 'custody']);
      assert.match(report.verdict, /^VERIFIED/);
    }
  });

  test('the zip holds the same files at its root, byte for byte, and the MP4 progress ends at its size', async () => {
    for (const file of files) {
      const { start, size } = entryData(zipBytes, file);
      assert.deepEqual(zipBytes.subarray(start, start + size), await readFile(join(pkg, file)), file);
    }
    const seen: Array<[number, number]> = [];
    await verifyEvidence(zipPath, sample.vkey, (done, total) => seen.push([done, total]));
    assert.deepEqual(seen.at(-1), [sample.mp4.length, sample.mp4.length]);
    assert.ok(seen.every(([done, total], i) => total === sample.mp4.length && (i === 0 || done >= (seen[i - 1] as [number, number])[0])));
  });

  test('one changed byte anywhere in any file of a directory package fails verification, naming that file', async () => {
    const random = prng(1);
    for (const file of classes()) {
      const path = join(pkg, file);
      const original = await readFile(path);
      const positions = [0, original.length - 1, ...Array.from({ length: 4 }, () => Math.floor(random() * original.length))];
      for (const at of positions) {
        const changed = Buffer.from(original);
        changed[at] = (changed[at] as number) ^ (1 + Math.floor(random() * 255));
        await writeFile(path, changed);
        try {
          failsNaming(await verifyEvidence(pkg, sample.vkey), file);
        } finally {
          await writeFile(path, original);
        }
      }
    }
    assert.equal((await verifyEvidence(pkg, sample.vkey)).ok, true);
  });

  test('one changed byte anywhere in any file of a zip package fails verification, naming that file', async () => {
    const random = prng(2);
    const tampered = join(work, 'tampered.zip');
    for (const file of classes()) {
      const { start, size } = entryData(zipBytes, file);
      const positions = [start, start + size - 1, ...Array.from({ length: 4 }, () => start + Math.floor(random() * size))];
      for (const at of positions) {
        const changed = Buffer.from(zipBytes);
        changed[at] = (changed[at] as number) ^ (1 + Math.floor(random() * 255));
        await writeFile(tampered, changed);
        failsNaming(await verifyEvidence(tampered, sample.vkey), file);
      }
    }
  });

  test('with the manifest recomputed to match, a changed byte in any other file is still caught by the ledger checks', async () => {
    const random = prng(3);
    const ledgerChecks = ['checkpoint', 'events', 'proofs', 'completion', 'request', 'segments', 'custody'];
    const manifestPath = join(pkg, 'manifest.json');
    const manifest = await readFile(manifestPath);
    for (const file of classes().filter((f) => f !== 'manifest.json')) {
      const path = join(pkg, file);
      const original = await readFile(path);
      for (let i = 0; i < 5; i++) {
        const at = Math.floor(random() * original.length);
        const changed = Buffer.from(original);
        changed[at] = (changed[at] as number) ^ (1 + Math.floor(random() * 255));
        await writeFile(path, changed);
        const hashes = new Map<string, string>();
        for (const f of files.filter((x) => x !== 'manifest.json')) hashes.set(f, sha256Hex(await readFile(join(pkg, f))));
        await writeFile(manifestPath, manifestBytes(hashes));
        try {
          const report = await verifyEvidence(pkg, sample.vkey);
          assert.equal(report.checks.find((c) => c.name === 'files')?.ok, true);
          failsNaming(report, file, ledgerChecks);
        } finally {
          await writeFile(path, original);
          await writeFile(manifestPath, manifest);
        }
      }
    }
  });

  test('a missing file fails the files check, naming it', async () => {
    const copy = join(work, 'missing');
    await cp(pkg, copy, { recursive: true });
    await rm(join(copy, proofPath(sample.segmentSeqs[1]!)));
    const report = await verifyEvidence(copy, sample.vkey);
    assert.match(failedCheck(report, 'files'), new RegExp(`${proofPath(sample.segmentSeqs[1]!)}: listed in manifest.json but missing`));
    assert.match(failedCheck(report, 'proofs'), /missing/);
    await rm(join(copy, 'export.mp4'));
    assert.match(failedCheck(await verifyEvidence(copy, sample.vkey), 'completion'), /export\.mp4: could not be read/);
  });

  test('an extra file fails the files check, naming it', async () => {
    const copy = join(work, 'extra');
    await cp(pkg, copy, { recursive: true });
    await writeFile(join(copy, 'notes.txt'), 'added later');
    assert.match(failedCheck(await verifyEvidence(copy, sample.vkey), 'files'), /notes\.txt: present but not listed in manifest\.json/);
  });

  test('a key other than the log key fails the checkpoint and proof checks; a malformed key is reported, not thrown', async () => {
    const other = formatVerifierKey(verifierKey(sampleOrigin, generateKeyPairSync('ed25519').publicKey));
    const report = await verifyEvidence(pkg, other);
    assert.match(failedCheck(report, 'checkpoint'), /checkpoint\.txt: no trusted key signed this note/);
    failedCheck(report, 'proofs');
    const garbled = await verifyEvidence(pkg, 'not a key');
    assert.match(failedCheck(garbled, 'checkpoint'), /^not checked: the verifier key is invalid/);
  });

  test('segments that leave part of the range unrecorded fail the segments check, naming the hole', async () => {
    const gap = samplePackage({ segments: [[sampleFromMs - 1000, sampleFromMs + 20_000], [sampleFromMs + 30_000, sampleToMs - 5_000]] });
    const dir = join(work, 'gap');
    await writeEvidenceDirectory(dir, gap.contents);
    const detail = failedCheck(await verifyEvidence(dir, gap.vkey), 'segments');
    assert.match(detail, /no segment covers 2025-01-15T10:00:20\.000Z to 2025-01-15T10:00:30\.000Z/);
    assert.match(detail, /no segment covers 2025-01-15T10:00:55\.000Z to 2025-01-15T10:01:00\.000Z/);
  });

  test('a hole the custody record states as a gap (damaged footage) passes the segments check and is named; an unstated one still fails', async () => {
    const segments: Array<[number, number]> = [[sampleFromMs - 1000, sampleFromMs + 20_000], [sampleFromMs + 30_000, sampleToMs + 1000]];
    const stated = samplePackage({ segments, gaps: [{ from: '2025-01-15T10:00:20.000Z', to: '2025-01-15T10:00:30.000Z', reason: 'footage damaged: object missing' }] });
    const dir = join(work, 'stated-gap');
    await writeEvidenceDirectory(dir, stated.contents);
    const report = await verifyEvidence(dir, stated.vkey);
    assert.equal(report.ok, true, JSON.stringify(report.checks, null, 2));
    assert.match(report.checks.find((c) => c.name === 'segments')?.detail ?? '', /except 1 stated gap \(2025-01-15T10:00:20\.000Z to 2025-01-15T10:00:30\.000Z: footage damaged: object missing\)/);
    const outside = samplePackage({ segments, gaps: [{ from: '2025-01-15T10:00:21.000Z', to: '2025-01-15T10:00:25.000Z', reason: 'footage damaged: chunk 3 fails authentication' }] });
    const dir2 = join(work, 'partly-stated-gap');
    await writeEvidenceDirectory(dir2, outside.contents);
    assert.match(failedCheck(await verifyEvidence(dir2, outside.vkey), 'segments'), /no segment covers 2025-01-15T10:00:25\.000Z to 2025-01-15T10:00:30\.000Z/);
  });

  test('a zip with a ../evil entry is refused by the package check, naming the entry', async () => {
    const evil = join(work, 'evil.zip');
    const entries = await Promise.all(files.map(async (name) => ({ name, data: await readFile(join(pkg, name)) })));
    const chunks: Buffer[] = [];
    for await (const c of zipStream([...entries, { name: 'zz/evil', data: Buffer.from('#!/bin/sh\n') }], { modified: new Date() })) chunks.push(c);
    const bytes = Buffer.concat(chunks);
    let at = 0;
    while ((at = bytes.indexOf('zz/evil', at)) >= 0) bytes.write('../evil', at);
    await writeFile(evil, bytes);
    const report = await verifyEvidence(evil, sample.vkey);
    assert.match(failedCheck(report, 'package'), /zip entry "\.\.\/evil" climbs out of the package/);
    assert.equal(report.checks.find((c) => c.name === 'proofs')?.ok, true);
  });

  test('a path that is missing, empty or not a zip fails the package check and every other check is "not checked"', async () => {
    const junk = join(work, 'junk.zip');
    await writeFile(junk, 'this is not a zip file at all');
    for (const path of [join(work, 'nothing-here'), junk]) {
      const report = await verifyEvidence(path, sample.vkey);
      assert.match(failedCheck(report, 'package'), /cannot be opened/);
      assert.ok(report.checks.slice(1).every((c) => !c.ok && c.detail.startsWith('not checked')));
      assert.match(report.verdict, /^NOT VERIFIED: 10 of 10 checks failed/);
    }
  });

  test('random damage anywhere in a zip, headers included, never makes the verifier throw', async () => {
    const random = prng(4);
    const damaged = join(work, 'damaged.zip');
    for (let i = 0; i < 150; i++) {
      const changed = Buffer.from(zipBytes);
      const tail = i % 3 === 0;
      const at = tail ? zipBytes.length - 1 - Math.floor(random() * 2000) : Math.floor(random() * zipBytes.length);
      changed[at] = (changed[at] as number) ^ (1 + Math.floor(random() * 255));
      await writeFile(damaged, i % 10 === 9 ? changed.subarray(0, at) : changed);
      const report = await verifyEvidence(damaged, sample.vkey);
      assert.equal(report.checks.length, 10);
    }
  });

  test('an MP4 that does not hash to its expected SHA-256 leaves no package behind', async () => {
    const wrong = { ...sample.contents, mp4Sha256: sha256Hex(Buffer.from('another video')) };
    const dir = join(work, 'wrong-dir');
    await assert.rejects(writeEvidenceDirectory(dir, wrong), (e: unknown) => isAppError(e, 'EXPORT_FAILED'));
    assert.deepEqual((await readdir(work)).filter((n) => n.includes('wrong-dir')), []);
    await assert.rejects(writeEvidenceZipFile(join(work, 'wrong.zip'), wrong), (e: unknown) => isAppError(e, 'EXPORT_FAILED'));
    assert.deepEqual((await readdir(work)).filter((n) => n.includes('wrong.zip')), []);
    const streamed: Buffer[] = [];
    await assert.rejects(async () => {
      for await (const chunk of evidenceZip(wrong)) streamed.push(chunk);
    }, /does not hash/);
    assert.equal(Buffer.concat(streamed).includes(Buffer.from('manifest.json')), false);
  });

  test('the writer refuses contents whose custody, leaves or proofs do not agree, and an existing target', async () => {
    const c = sample.contents;
    const seq = sample.completionSeq;
    const refused = (contents: typeof c): void => assert.throws(() => evidenceZip(contents), (e: unknown) => isAppError(e, 'VALIDATION_FAILED'));
    refused({ ...c, custody: { ...c.custody, reason: ' ' } });
    refused({ ...c, custody: { ...c.custody, requestedFor: '' } });
    refused({ ...c, proofs: new Map([...c.proofs].filter(([s]) => s !== seq)) });
    refused({ ...c, leaves: new Map([...c.leaves].map(([s, t]) => [s === seq ? seq + 100 : s, t])) });
    refused({ ...c, proofs: new Map([...c.proofs].map(([s, t]) => [s, s === seq ? (c.proofs.get(sample.requestSeq) as string) : t])) });
    refused({ ...c, mp4Sha256: 'ABC' });
    await assert.rejects(writeEvidenceDirectory(pkg, c), (e: unknown) => isAppError(e, 'CONFLICT'));
  });
});
