// The add-checkpoint request and responses of https://c2sp.org/tlog-witness ("add-checkpoint").
//
// Contracts:
// - Request body: `old <size>\n`, at most 63 base64 consistency-proof lines, an empty line, then
//   the signed checkpoint note verbatim. The old size is decimal without leading zeros; the proof
//   MUST be empty when the old size is 0.
// - A 409 answer's body is `<size>\n` with Content-Type `text/x.tlog.size`.
// - Parsers take untrusted text and throw VALIDATION_FAILED (never anything else).
// - Pure: no I/O, no state.

import { AppError } from '../lib/errors.ts';
import { HASH_SIZE } from './merkle.ts';
import { decodeBase64Strict } from './signed-note.ts';

/** Most consistency-proof lines a request may carry. */
export const MAX_PROOF_LINES = 63;
/** Content-Type of a 409 answer. */
export const SIZE_CONTENT_TYPE = 'text/x.tlog.size';

/** A parsed add-checkpoint request. */
export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Buffer[];
  /** The signed checkpoint note, verbatim. */
  readonly note: string;
}

function invalid(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message);
}

const decimal = /^(?:0|[1-9][0-9]*)$/;

/** The request body; throws VALIDATION_FAILED on a bad size, proof or note. */
export function formatAddCheckpoint(req: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(req.oldSize) || req.oldSize < 0) throw invalid('the old size must be a non-negative integer');
  if (req.proof.length > MAX_PROOF_LINES) throw invalid(`a consistency proof has at most ${MAX_PROOF_LINES} hashes`);
  if (req.oldSize === 0 && req.proof.length > 0) throw invalid('the proof must be empty when the old size is 0');
  if (req.proof.some((h) => h.length !== HASH_SIZE)) throw invalid(`proof hashes are ${HASH_SIZE} bytes`);
  if (!req.note.endsWith('\n')) throw invalid('the checkpoint must be a signed note');
  return `old ${req.oldSize}\n${req.proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${req.note}`;
}

/** Parses a request body (untrusted). */
export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const blank = body.indexOf('\n\n');
  if (blank < 0) throw invalid('the request must be an old size line, proof lines, an empty line and a checkpoint');
  const head = body.slice(0, blank).split('\n');
  const [oldLine = '', ...proofLines] = head;
  const m = /^old (\S+)$/.exec(oldLine);
  if (m === null || !decimal.test(m[1] as string)) throw invalid('the first line must be "old <size>" in decimal without leading zeros');
  const oldSize = Number(m[1]);
  if (!Number.isSafeInteger(oldSize)) throw invalid('the old size is too large');
  if (proofLines.length > MAX_PROOF_LINES) throw invalid(`a consistency proof has at most ${MAX_PROOF_LINES} lines`);
  const proof = proofLines.map((l) => {
    const h = decodeBase64Strict(l);
    if (h?.length !== HASH_SIZE) throw invalid('a consistency proof line must be base64 of a 32-byte hash');
    return h;
  });
  if (oldSize === 0 && proof.length > 0) throw invalid('the proof must be empty when the old size is 0');
  const note = body.slice(blank + 2);
  if (!note.endsWith('\n')) throw invalid('the checkpoint must end with a newline');
  return { oldSize, proof, note };
}

/** Parses the body of a 409 answer: the witness's latest cosigned size. */
export function parseSizeBody(body: string): number {
  const m = /^(\S+)\n$/.exec(body);
  if (m === null || !decimal.test(m[1] as string)) throw invalid('a 409 answer must be a decimal size and a newline');
  const size = Number(m[1]);
  if (!Number.isSafeInteger(size)) throw invalid('the size in a 409 answer is too large');
  return size;
}
