/**
 * Walks the records of a vault object without the key (docs/reference/vault-format.md, "Closed,
 * torn and corrupt objects"): where each record lies, what plaintext range it holds, and how the
 * object ends. Authentication is the caller's job (chunk-cipher.ts).
 */
import { LENGTH_SIZE, MAX_CHUNK_SIZE, RECORD_OVERHEAD } from './chunk-cipher.ts';
import { HEADER_PREFIX_SIZE, headerLength, parseHeader } from './vault-header.ts';
import type { VaultHeader } from './vault-header.ts';

/** Reads up to `length` bytes at `position`; fewer only at the end of the object. */
export type ReadAt = (position: number, length: number) => Promise<Buffer>;

/** One whole record: chunk `index` at `recordOffset`, holding `size` plaintext bytes at `plainOffset`. */
export interface RecordRef {
  readonly index: number;
  readonly recordOffset: number;
  /** Record bytes: size + RECORD_OVERHEAD. */
  readonly recordSize: number;
  readonly plainOffset: number;
  /** Plaintext (= ciphertext) bytes; 0 only for the final chunk. */
  readonly size: number;
}

/**
 * How the walk ended: `final` (a final chunk, then end of file), `open` (no final chunk: torn or
 * still being written), `oversize` (a record length above the limit: chunk `records.length` is corrupt),
 * `after-final` (bytes after the final chunk: chunk `records.length` is corrupt).
 */
export type ScanEnding = 'final' | 'open' | 'oversize' | 'after-final';

/** The record walk of one object. */
export interface ScanResult {
  readonly header: VaultHeader;
  /** Whole records in file order; the final chunk, when present, is the last. */
  readonly records: readonly RecordRef[];
  readonly ending: ScanEnding;
  /** Offset just past the last whole record (where a torn object is cut). */
  readonly end: number;
  /** Bytes after `end`: a torn record (`open`) or what follows the final chunk / a bad length. */
  readonly trailingBytes: number;
}

/** Reads the header of an object of `size` bytes; throws STORAGE_FAILED (detail chunk null) when malformed. */
export async function readHeader(readAt: ReadAt, size: number): Promise<VaultHeader> {
  const prefix = await readAt(0, Math.min(HEADER_PREFIX_SIZE, size));
  const len = headerLength(prefix);
  return parseHeader(await readAt(0, Math.min(len, size)));
}

/** Walks every record of an object of `size` bytes; reads one 4-byte length per record. */
export async function scanRecords(readAt: ReadAt, size: number): Promise<ScanResult> {
  const header = await readHeader(readAt, size);
  const records: RecordRef[] = [];
  let at = header.bytes.length;
  let plain = 0;
  let ending: ScanEnding = 'open';
  while (at < size) {
    const index = records.length;
    if (size - at < LENGTH_SIZE) break; // torn inside a length
    const len = (await readAt(at, LENGTH_SIZE)).readUInt32BE(0);
    if (len > MAX_CHUNK_SIZE) {
      ending = 'oversize';
      break;
    }
    if (size - at < RECORD_OVERHEAD + len) break; // torn inside a record
    records.push({ index, recordOffset: at, recordSize: RECORD_OVERHEAD + len, plainOffset: plain, size: len });
    at += RECORD_OVERHEAD + len;
    plain += len;
    if (len === 0) {
      ending = at === size ? 'final' : 'after-final';
      break;
    }
  }
  return { header, records, ending, end: at, trailingBytes: size - at };
}
