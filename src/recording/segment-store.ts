/**
 * Where segment bytes live. A segment is one object: the init segment followed by fragments,
 * exactly as produced by the ingest. This implementation writes plain fMP4 files
 * (file-segment-store.ts); the encrypted vault replaces it behind this same interface.
 *
 * Contract:
 * - `append` MUST have handed the bytes to the operating system (write(2)) before it resolves,
 *   so a killed process loses at most the fragment in flight.
 * - `recover` MUST cut a torn object back to its last whole fragment and report what remains.
 */
export interface SegmentStore {
  /** Creates the object `key` holding `init`, ready for fragments; `meta` says whose and when. */
  create(key: string, init: Buffer, meta: ObjectMeta): Promise<SegmentWriter>;
  /** Reads `length` bytes at `offset` of a stored object. */
  read(key: string, offset: number, length: number): Promise<Buffer>;
  /** Streams a whole object or a byte range of it. */
  stream(key: string, offset?: number, length?: number): AsyncIterable<Buffer>;
  /** SHA-256 (hex) of the object's bytes as stored (ciphertext for the vault), for the audit ledger. */
  digest(key: string): Promise<string>;
  /** Deletes an object; deleting a missing object is not an error. */
  remove(key: string): Promise<void>;
  /** Lists every stored key (for reconciliation with the index). */
  list(): AsyncIterable<string>;
  /** Repairs an object left open by a crash; returns what it now holds. */
  recover(key: string): Promise<RecoveredObject>;
  /**
   * What an object says of itself, without its data key: its size and, when it carries a header
   * (the vault), whose it is, when it starts and which data key seals it. STORAGE_FAILED when the
   * header is damaged (an object too short for any header is `empty`, not an error).
   */
  describe(key: string): Promise<ObjectInfo>;
  /**
   * Moves an object out of the store into the quarantine directory beside it (kept, never
   * deleted; not listed, read or expired by the store again); returns its new path relative to
   * the store's parent directory.
   */
  quarantine(key: string): Promise<string>;
}

/** The result of `describe`. */
export interface ObjectInfo {
  readonly size: number;
  /** Too short to hold even a header (a failed create on a full disk left it): no footage. */
  readonly empty: boolean;
  /** Null for stores whose objects carry no header (the plain store). */
  readonly meta: (ObjectMeta & { readonly keyId: string }) | null;
}

/** Who and when an object records: the vault picks the data key (camera, hour) from it. */
export interface ObjectMeta {
  readonly cameraId: string;
  /** Wall-clock start of the segment, ms since the epoch. */
  readonly startMs: number;
}

/** An object being written. */
export interface SegmentWriter {
  /** Appends one fragment; resolves with the offset at which it starts. */
  append(fragment: Buffer): Promise<number>;
  /**
   * Flushes to stable storage (fsync) and closes. Resolves with the SHA-256 (hex) of the object's
   * bytes as stored (what `digest` would read back), hashed as they were written; null when an
   * append failed (what reached the disk is then unknown: read it back) or on a second close.
   */
  close(): Promise<string | null>;
  /** Total bytes written so far. */
  readonly size: number;
  /**
   * True when the writer hashes the plaintext it is given (the vault does, where it seals): the
   * recorder then takes `plaintextSha256()` after `close` instead of hashing every fragment itself.
   */
  readonly hashesPlaintext?: boolean;
  /** SHA-256 (hex) of the object's plaintext after a close that returned a hash; null otherwise. */
  plaintextSha256?(): string | null;
  /**
   * Closes without sealing a final chunk or syncing (cluster mode: the lease was lost, and the
   * camera's new recorder may be recovering this object): waits for appends in flight and writes
   * nothing more. The object then reads like one torn by a crash.
   */
  abandon?(): Promise<void>;
}

/** One fragment located inside a stored object. */
export interface StoredFragment {
  readonly offset: number;
  readonly size: number;
  readonly decodeTime: number;
  readonly duration: number;
  readonly keyframe: boolean;
}

/** The result of `recover`: the init size, the whole fragments kept, and bytes cut. */
export interface RecoveredObject {
  readonly initSize: number;
  /** RFC 6381 codec string of the init segment. */
  readonly codec: string;
  readonly timescale: number;
  readonly fragments: readonly StoredFragment[];
  readonly size: number;
  readonly truncatedBytes: number;
  /**
   * Chunks kept on disk but not returned, because an earlier chunk fails authentication while a
   * later one passes (corruption, not a tear): footage the index cannot name. 0 for a tear.
   */
  readonly unreadableChunks: number;
}
