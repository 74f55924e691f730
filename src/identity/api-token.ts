/** A stored API token (hash only). */
export interface StoredToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly permissions: string[];
  readonly createdBy: string;
  readonly createdMs: number;
  readonly expiresMs: number;
  readonly lastUsedMs: number | null;
  readonly revokedMs: number | null;
}

/** API tokens in the metadata database. */
export interface TokenStore {
  byHash(hash: string): Promise<StoredToken | undefined>;
  get(id: string): Promise<StoredToken | undefined>;
  ofUser(userId: string): Promise<StoredToken[]>;
  insert(t: StoredToken): Promise<void>;
  used(id: string, atMs: number): Promise<void>;
  revoke(id: string, atMs: number): Promise<boolean>;
  /** Revokes every token of a user not yet revoked; returns how many. */
  revokeAll(userId: string, atMs: number): Promise<number>;
}
