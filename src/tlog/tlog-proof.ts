// Offline proof bundles: https://c2sp.org/tlog-proof (Format), the evidence attached to an export.
//
// Contracts:
// - Lines: `c2sp.org/tlog-proof@v1`; optionally `extra <base64>` (opaque, NOT authenticated, MUST
//   NOT be trusted); `index <decimal, no leading zeros>`; zero or more base64 SHA-256 inclusion
//   hashes, leaf's sibling first; an empty line; then the signed checkpoint note verbatim.
// - A bundle proves nothing until verifyProofBundle has checked both the checkpoint signature
//   against trusted keys and the inclusion proof against that checkpoint's root.
// - Callers MUST also check that the returned checkpoint origin is the log they expect.
// - Pure: no I/O, no state.

import { AppError } from '../lib/errors.ts';
import { parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import { HASH_SIZE } from './merkle.ts';
import { verifyInclusion } from './merkle-proofs.ts';
import { decodeBase64Strict, openNote, type Verifier } from './signed-note.ts';

const HEADER = 'c2sp.org/tlog-proof@v1';

/** The parts of a proof bundle; `checkpoint` is the signed checkpoint note text. */
export interface ProofBundle {
  readonly index: number;
  readonly proof: readonly Buffer[];
  readonly checkpoint: string;
  /** Opaque, unauthenticated extra data. */
  readonly extra?: Buffer;
}

/** The outcome of a verified bundle. */
export interface VerifiedProof {
  readonly index: number;
  readonly checkpoint: Checkpoint;
  readonly verifiedBy: string[];
}

function invalid(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message);
}

/** The bundle text; throws VALIDATION_FAILED on a bad index, hash size or checkpoint shape. */
export function formatProofBundle(bundle: ProofBundle): string {
  const { index, proof, checkpoint, extra } = bundle;
  if (!Number.isSafeInteger(index) || index < 0) throw invalid('a proof index must be a non-negative safe integer');
  if (proof.some((h) => h.length !== HASH_SIZE)) throw invalid(`inclusion proof hashes must be ${HASH_SIZE} bytes`);
  if (!checkpoint.endsWith('\n') || !checkpoint.includes('\n\n')) throw invalid('the checkpoint must be a signed note');
  const lines = [HEADER];
  if (extra !== undefined) lines.push(`extra ${extra.toString('base64')}`);
  lines.push(`index ${index}`, ...proof.map((h) => h.toString('base64')), '');
  return `${lines.join('\n')}\n${checkpoint}`;
}

/** Parse bundle text strictly (signatures are not checked here); throws VALIDATION_FAILED. */
export function parseProofBundle(text: string): ProofBundle {
  const lines = text.split('\n');
  let at = 0;
  if (lines[at++] !== HEADER) throw invalid(`a proof bundle must start with ${HEADER}`);
  let extra: Buffer | undefined;
  if (lines[at]?.startsWith('extra ') === true) {
    extra = decodeBase64Strict((lines[at++] ?? '').slice('extra '.length));
    if (extra === undefined) throw invalid('a proof bundle extra line must be base64');
  }
  const indexMatch = /^index (0|[1-9][0-9]*)$/.exec(lines[at++] ?? '');
  const index = Number(indexMatch?.[1]);
  if (indexMatch === null || !Number.isSafeInteger(index)) throw invalid('a proof bundle needs an `index N` line without leading zeros');
  const proof: Buffer[] = [];
  for (; at < lines.length && lines[at] !== ''; at++) {
    const hash = decodeBase64Strict(lines[at] ?? '');
    if (hash?.length !== HASH_SIZE) throw invalid(`inclusion proof lines must be base64 of ${HASH_SIZE} bytes`);
    proof.push(hash);
  }
  if (at >= lines.length) throw invalid('a proof bundle needs an empty line before the checkpoint');
  const checkpoint = lines.slice(at + 1).join('\n');
  if (checkpoint === '') throw invalid('a proof bundle has no checkpoint');
  return extra === undefined ? { index, proof, checkpoint } : { index, proof, checkpoint, extra };
}

/**
 * Verify that `leafHash` is in the log: the checkpoint MUST be signed by a trusted key and the
 * inclusion proof MUST lead to its root. Throws VALIDATION_FAILED otherwise.
 */
export function verifyProofBundle(bundle: string, leafHash: Buffer, verifiers: readonly Verifier[]): VerifiedProof {
  const { index, proof, checkpoint: note } = parseProofBundle(bundle);
  const { body, verifiedBy } = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(body);
  if (!verifyInclusion(index, checkpoint.size, leafHash, proof, checkpoint.root)) {
    throw invalid('the inclusion proof does not lead to the signed checkpoint root');
  }
  return { index, checkpoint, verifiedBy };
}
