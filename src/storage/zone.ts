import { createHash } from 'node:crypto';
import { AppError, isAppError } from '../lib/errors.ts';

/**
 * A storage zone: one place that holds copies of sealed (vault-encrypted) segment objects — a
 * local directory or an S3 bucket. One adapter per technology (local-zone.ts, s3-zone.ts).
 *
 * Contracts:
 * - Only sealed bytes are given to a zone: the vault file exactly as stored, never plaintext.
 * - `put` is whole-object and durable when it resolves (fsync for a directory; the S3 PUT or
 *   CompleteMultipartUpload answered 200), and it replaces an object of the same key.
 * - `head` and `get` of a missing object resolve to null (not an error); every other failure
 *   rejects with STORAGE_FAILED naming the zone and the key, never a credential.
 * - Keys are `/`-separated safe relative paths (object-files.ts validateKey).
 */
export interface Zone {
  readonly id: string;
  readonly kind: 'local' | 's3';
  /** ISO 3166-1 alpha-2 country code where this zone keeps data. */
  readonly jurisdiction: string;
  /**
   * Stores the whole object from `file` (a local path holding the sealed bytes), reading it once.
   * With `sha256`, the bytes read MUST hash to it or nothing is stored and the put rejects with
   * STORAGE_FAILED, detail `reason: 'source-mismatch'` (a damaged source is never copied).
   * Resolves with the SHA-256 (hex) of the bytes stored.
   */
  put(key: string, file: string, size: number, sha256?: string): Promise<string>;
  /** The stored object's bytes, or null when there is none. */
  get(key: string): Promise<AsyncIterable<Buffer> | null>;
  /** The stored object's size, or null when there is none. */
  head(key: string): Promise<number | null>;
  /** Deletes the object; a missing one is not an error. */
  remove(key: string): Promise<void>;
  /** Every stored key. */
  list(): AsyncIterable<string>;
  /** A cheap reachability check (a HEAD of the bucket, a stat of the directory). */
  probe(): Promise<void>;
  /** Bytes used and capacity when the zone can tell (a filesystem); nulls for S3. */
  fill(): Promise<{ usedBytes: number | null; totalBytes: number | null }>;
  close(): Promise<void>;
}

/** SHA-256 (hex) of a zone's copy, or null when the copy is missing. */
export async function zoneDigest(zone: Zone, key: string): Promise<{ sha256: string; size: number } | null> {
  const body = await zone.get(key);
  if (body === null) return null;
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    h.update(chunk);
    size += chunk.length;
  }
  return { sha256: h.digest('hex'), size };
}

/** The error of a put whose source does not hash to the expected SHA-256. */
export function sourceMismatch(zone: string, key: string): AppError {
  return new AppError('STORAGE_FAILED', `zone ${zone} refused to copy ${key}: the source does not match its recorded SHA-256`, { zone, key, reason: 'source-mismatch' });
}

/** True for {@link sourceMismatch}. */
export function isSourceMismatch(e: unknown): boolean {
  return isAppError(e, 'STORAGE_FAILED') && e.detail?.['reason'] === 'source-mismatch';
}
