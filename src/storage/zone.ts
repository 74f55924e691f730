import { createHash } from 'node:crypto';

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
  /** Stores the whole object from `file` (a local path holding the sealed bytes). */
  put(key: string, file: string, size: number): Promise<void>;
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
