/**
 * The names and limits of the `custos-evidence/v1` package (docs/reference/evidence-package.md).
 *
 * Contracts:
 * - A package holds exactly these files: `export.mp4`, `custody.json`, `checkpoint.txt`,
 *   `manifest.json`, and pairs `events/<seq>.json` + `proofs/<seq>.tlog-proof`, `<seq>` in ASCII
 *   decimal without leading zeros. Any other name is not part of the format.
 * - The limits bound what a verifier reads into memory from an untrusted package; the writer
 *   MUST NOT produce a package that exceeds them.
 * - Pure: no I/O, no state.
 */
import { createHash } from 'node:crypto';

/** The format identifier carried by manifest.json. */
export const EVIDENCE_FORMAT = 'custos-evidence/v1';

export const MP4_FILE = 'export.mp4';
export const CUSTODY_FILE = 'custody.json';
export const CHECKPOINT_FILE = 'checkpoint.txt';
export const MANIFEST_FILE = 'manifest.json';

/** Most files a package may hold (the manifest included). */
export const MAX_FILES = 100_000;
/** Largest manifest.json a verifier reads. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** Largest custody.json, checkpoint.txt, events/*.json or proofs/*.tlog-proof a verifier reads. */
export const MAX_SMALL_FILE_BYTES = 1024 * 1024;
/** Most bytes of small files (everything but export.mp4) a verifier holds at once. */
export const MAX_SMALL_TOTAL_BYTES = 256 * 1024 * 1024;

/**
 * Segments closer than this still cover the range between them: a recorder cuts at key frames
 * and anchors wall-clock time per segment, so consecutive segments rarely abut to the millisecond.
 */
export const COVERAGE_TOLERANCE_MS = 2000;

/**
 * Most the custody record's `requestedAt` may differ from the time the ledger gave the request
 * leaf: the server reads its clock for the record just before the ledger stamps the leaf.
 */
export const REQUEST_TIME_TOLERANCE_MS = 60_000;

/** What a package path is, by the format's naming rules. */
export type PackageFile =
  | { readonly kind: 'mp4' | 'custody' | 'checkpoint' | 'manifest' }
  | { readonly kind: 'event' | 'proof'; readonly seq: number };

const SEQ = '(0|[1-9][0-9]{0,15})';
const EVENT = new RegExp(`^events/${SEQ}\\.json$`);
const PROOF = new RegExp(`^proofs/${SEQ}\\.tlog-proof$`);

/** The role of `path` in a package, or undefined when the format has no such file. */
export function classifyPath(path: string): PackageFile | undefined {
  switch (path) {
    case MP4_FILE:
      return { kind: 'mp4' };
    case CUSTODY_FILE:
      return { kind: 'custody' };
    case CHECKPOINT_FILE:
      return { kind: 'checkpoint' };
    case MANIFEST_FILE:
      return { kind: 'manifest' };
  }
  const event = EVENT.exec(path);
  const proof = event === null ? PROOF.exec(path) : null;
  const seq = Number((event ?? proof)?.[1]);
  if ((event === null && proof === null) || !Number.isSafeInteger(seq)) return undefined;
  return { kind: event !== null ? 'event' : 'proof', seq };
}

/** `events/<seq>.json`. */
export function eventPath(seq: number): string {
  return `events/${seq}.json`;
}

/** `proofs/<seq>.tlog-proof`. */
export function proofPath(seq: number): string {
  return `proofs/${seq}.tlog-proof`;
}

/** True for a ledger seq a package can name: a non-negative safe integer. */
export function isSeq(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** SHA-256 of `data` as lowercase hex. */
export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** True for a SHA-256 in lowercase hex, the only spelling the format uses. */
export function isSha256Hex(x: unknown): x is string {
  return typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);
}
