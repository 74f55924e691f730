/** What `vault fsck` finds for one object: the walk (vault-fsck.ts) produces it, the cross-check (vault-fsck-cross.ts) reads it. */

/** One corrupt place: `chunk` is the chunk index, or null for the header. */
export interface CorruptChunk {
  readonly chunk: number | null;
  readonly reason: string;
}

/** What one object turned out to be. */
export interface ObjectVerdict {
  /** Whole records examined, the final chunk included. */
  readonly chunks: number;
  /** True for a closed object whose every chunk is authentic. */
  readonly intact: boolean;
  /** Set when the object has no final chunk: the authentic chunks before the tear. */
  readonly torn?: { readonly wholeChunks: number };
  readonly corrupt: readonly CorruptChunk[];
  /** Set when the data key could not be had (destroyed, provider down): nothing was verified. */
  readonly unavailable?: { readonly keyId: string; readonly reason: string };
}
