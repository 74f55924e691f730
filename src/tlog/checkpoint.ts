// Transparency-log checkpoint bodies: https://c2sp.org/tlog-checkpoint (Note text).
//
// Contracts:
// - The body is at least three non-empty lines, each ending in a newline: origin, tree size in
//   ASCII decimal without leading zeros ("0" for the empty tree), base64 of the 32-byte RFC 6962
//   root hash, then optional non-empty extension lines (opaque; NOT RECOMMENDED).
// - Parsing is strict: anything else is rejected with VALIDATION_FAILED, never repaired.
// - A checkpoint body is only trusted after its signed note was opened (see signed-note.ts).
// - Pure: no I/O, no state.

import { AppError } from '../lib/errors.ts';
import { HASH_SIZE } from './merkle.ts';
import { decodeBase64Strict } from './signed-note.ts';

/** A log's tree head at one size. */
export interface Checkpoint {
  /** Unique identity of the log, e.g. `custos.example.eu/audit`. */
  readonly origin: string;
  /** Number of leaves. */
  readonly size: number;
  /** RFC 6962 Merkle tree hash at `size` (32 bytes). */
  readonly root: Buffer;
  /** Opaque extension lines, each non-empty; usually none. */
  readonly extensions?: readonly string[];
}

function invalid(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message);
}

function assertLine(line: string, what: string): void {
  // eslint-disable-next-line no-control-regex
  if (line.length === 0 || !line.isWellFormed() || /[\u0000-\u001f]/.test(line)) {
    throw invalid(`a checkpoint ${what} must be a non-empty line without control characters`);
  }
}

/** The checkpoint note body (newline-terminated) for a tree head; throws VALIDATION_FAILED on bad input. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, root, extensions = [] } = checkpoint;
  assertLine(origin, 'origin');
  if (!Number.isSafeInteger(size) || size < 0) throw invalid('a checkpoint tree size must be a non-negative safe integer');
  if (!Buffer.isBuffer(root) || root.length !== HASH_SIZE) throw invalid(`a checkpoint root hash must be ${HASH_SIZE} bytes`);
  for (const line of extensions) assertLine(line, 'extension line');
  return [origin, String(size), root.toString('base64'), ...extensions].map((line) => `${line}\n`).join('');
}

/** Parse a checkpoint note body strictly; throws VALIDATION_FAILED when it is not a valid body. */
export function parseCheckpoint(body: string): Checkpoint {
  if (!body.endsWith('\n')) throw invalid('a checkpoint body must end with a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw invalid('a checkpoint body must have origin, size and root hash lines');
  const [origin = '', sizeText = '', rootText = '', ...extensions] = lines;
  assertLine(origin, 'origin');
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeText)) throw invalid('a checkpoint tree size must be decimal without leading zeros');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw invalid('a checkpoint tree size is too large');
  const root = decodeBase64Strict(rootText);
  if (root?.length !== HASH_SIZE) throw invalid(`a checkpoint root hash must be base64 of ${HASH_SIZE} bytes`);
  for (const line of extensions) assertLine(line, 'extension line');
  return { origin, size, root, extensions };
}
