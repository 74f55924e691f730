/** A stored session; the token itself is never stored, only its SHA-256 (`idHash`). */
export interface StoredSession {
  readonly idHash: string;
  readonly userId: string;
  readonly csrf: string;
  readonly method: string;
  readonly mfa: boolean;
  readonly createdMs: number;
  readonly lastSeenMs: number;
  readonly endedMs: number | null;
}

/** Sessions in the metadata database. */
export interface SessionStore {
  get(idHash: string): Promise<StoredSession | undefined>;
  insert(session: StoredSession): Promise<void>;
  touch(idHash: string, lastSeenMs: number): Promise<void>;
  end(idHash: string, endedMs: number): Promise<void>;
  /** Ends every open session of a user; returns how many. */
  endAll(userId: string, endedMs: number): Promise<number>;
}
