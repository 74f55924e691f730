/**
 * Test fixture: the contents of a real evidence package built the way the server builds one —
 * real leaf records in a real RFC 9162 tree, a checkpoint signed with a fresh Ed25519 key and a
 * tlog-proof bundle per leaf — around a few hundred kilobytes standing in for the MP4 (the
 * verifier never parses the video). Used only by tests.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { encodeLeaf, leafRecordOf, type AuditInput, type LeafRecord } from '../../src/audit/audit-event.ts';
import { formatCheckpoint } from '../../src/tlog/checkpoint.ts';
import { leafHash, rootOf } from '../../src/tlog/merkle.ts';
import { inclusionProof } from '../../src/tlog/merkle-proofs.ts';
import { formatVerifierKey, signNote, verifierKey, type NoteSigner } from '../../src/tlog/signed-note.ts';
import { formatProofBundle } from '../../src/tlog/tlog-proof.ts';
import { custodySha256, type CustodyRecord } from '../../src/evidence/custody-record.ts';
import type { EvidenceContents } from '../../src/evidence/evidence-package.ts';

/** A sample package and what a test needs to check it. */
export interface SamplePackage {
  readonly contents: EvidenceContents;
  readonly mp4: Buffer;
  readonly custody: CustodyRecord;
  /** The log's verifier key (vkey text). */
  readonly vkey: string;
  readonly signer: NoteSigner;
  readonly requestSeq: number;
  readonly completionSeq: number;
  readonly segmentSeqs: readonly number[];
}

/** Deterministic bytes (xorshift32), so a failing test can be re-run on the same data. */
export function pseudoRandomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const iso = (ms: number): string => new Date(ms).toISOString();

export const sampleOrigin = 'custos.test/audit';
export const sampleCamera = { id: '5b0e7c9e-2f7d-4d8e-9d1a-1c2b3d4e5f60', name: 'Gate' };
export const sampleFromMs = Date.UTC(2025, 0, 15, 10, 0, 0);
export const sampleToMs = sampleFromMs + 60_000;

/**
 * Builds a package of camera `sampleCamera` for [sampleFromMs, sampleToMs). `segments` are the
 * spans of the exported segments (default: six of ten seconds, the first starting before the
 * range, with the recorder's jitter between them).
 */
export function samplePackage(opts: { segments?: ReadonlyArray<readonly [number, number]>; mp4Bytes?: number; gaps?: CustodyRecord['gaps'] } = {}): SamplePackage {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signer: NoteSigner = { name: sampleOrigin, privateKey };
  const mp4 = pseudoRandomBytes(opts.mp4Bytes ?? 300_000, 7);
  const spans = opts.segments ?? Array.from({ length: 6 }, (_, i): [number, number] => [sampleFromMs - 1_500 + i * 10_000 + (i % 2) * 40, sampleFromMs - 1_500 + (i + 1) * 10_000]);
  const exportId = '0d6f3c2a-8b1e-4c5d-9e7f-a1b2c3d4e5f6';
  const requestMs = sampleToMs + 3_600_000;
  const inputs: Array<{ input: AuditInput; timeMs: number; personal?: LeafRecord['personal'] }> = [];
  const add = (input: AuditInput, timeMs: number, personal?: LeafRecord['personal']): number => inputs.push({ input, timeMs, personal }) - 1;
  add({ type: 'audit.ledger.started', actor: { kind: 'system', id: 'system:audit-ledger' }, outcome: 'success', details: { treeSize: 0 } }, sampleFromMs - 86_400_000);
  const segmentSeqs: number[] = [];
  spans.forEach(([startMs, endMs], i) => {
    const segmentId = `seg-${i}`;
    const segment = (cameraId: string, id: string): AuditInput => ({
      type: 'footage.segment.sealed',
      actor: { kind: 'system', id: 'system:recorder' },
      target: { kind: 'segment', id },
      cameraId,
      outcome: 'success',
      details: { segmentId: id, start: iso(startMs), end: iso(endMs), plaintextSha256: sha(`plain ${id}`), objectSha256: sha(`object ${id}`), bytes: 1000 + i },
    });
    segmentSeqs.push(add(segment(sampleCamera.id, segmentId), endMs + 200));
    add(segment('other-camera', `other-${i}`), endMs + 300);
  });
  const user = { kind: 'user', id: 'user:3f1e2d4c-5b6a-4789-8a0b-c1d2e3f4a5b6', name: 'Alice Martin' } as const;
  const requestSeq = add(
    {
      type: 'footage.export.requested',
      actor: user,
      target: { kind: 'export', id: exportId },
      cameraId: sampleCamera.id,
      outcome: 'success',
      reason: 'Theft at the north gate, case 2025-0117',
      details: { exportId, from: iso(sampleFromMs), to: iso(sampleToMs) },
      personal: { requestedFor: 'Officer J. Dupont, Police Lyon' },
    },
    requestMs + 12,
    { subject: user.id, sha256: sha('sealed personal fields') },
  );
  const custody: CustodyRecord = {
    v: 1,
    exportId,
    cameraId: sampleCamera.id,
    cameraName: sampleCamera.name,
    from: iso(sampleFromMs),
    to: iso(sampleToMs),
    requestedBy: user,
    requestedAt: iso(requestMs),
    reason: 'Theft at the north gate, case 2025-0117',
    requestedFor: 'Officer J. Dupont, Police Lyon',
    ...(opts.gaps === undefined ? {} : { gaps: opts.gaps }),
    producedAt: iso(requestMs + 90_000),
    producer: 'custos 0.1.0',
  };
  const mp4Sha256 = sha(mp4);
  const completionSeq = add(
    {
      type: 'footage.export.completed',
      actor: { kind: 'system', id: 'system:exports' },
      target: { kind: 'export', id: exportId },
      cameraId: sampleCamera.id,
      outcome: 'success',
      details: { exportId, mp4Sha256, custodySha256: custodySha256(custody), requestSeq, segments: segmentSeqs },
    },
    requestMs + 90_000,
  );
  add({ type: 'audit.ledger.heartbeat', actor: { kind: 'system', id: 'system:audit-ledger' }, outcome: 'success' }, requestMs + 120_000);

  const texts = inputs.map(({ input, timeMs, personal }, seq) => encodeLeaf(leafRecordOf(input, { id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`, timeMs, personal }, seq)));
  const hashes = texts.map(leafHash);
  const checkpoint = signNote(formatCheckpoint({ origin: sampleOrigin, size: hashes.length, root: rootOf(hashes) }), signer);
  const relied = [...segmentSeqs, requestSeq, completionSeq];
  const leaves = new Map(relied.map((seq) => [seq, (texts[seq] as Buffer).toString('utf8')]));
  const proofs = new Map(relied.map((seq) => [seq, formatProofBundle({ index: seq, proof: inclusionProof(hashes, seq), checkpoint })]));
  return {
    contents: {
      openMp4: async function* () {
        for (let at = 0; at < mp4.length; at += 64 * 1024) yield mp4.subarray(at, at + 64 * 1024);
      },
      mp4Sha256,
      custody,
      leaves,
      proofs,
      checkpoint,
    },
    mp4,
    custody,
    vkey: formatVerifierKey(verifierKey(sampleOrigin, publicKey)),
    signer,
    requestSeq,
    completionSeq,
    segmentSeqs,
  };
}
