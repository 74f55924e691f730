/** A user's TOTP secret (sealed), confirmed once a first code was verified. */
export interface StoredTotp {
  readonly userId: string;
  /** Sealed (`v1:…`) base32 secret. */
  readonly sealedSecret: string;
  readonly confirmedMs: number | null;
  /** Last accepted time step: a code of this step or earlier MUST be refused (replay). */
  readonly lastStep: number;
}

/** A stored WebAuthn credential (passkey). */
export interface StoredPasskey {
  readonly id: string;
  readonly userId: string;
  readonly publicKey: string;
  readonly counter: number;
  readonly transports: string[];
  readonly name: string;
  readonly createdMs: number;
  readonly lastUsedMs: number | null;
}

/** Second factors in the metadata database: TOTP, recovery codes, passkeys. */
export interface FactorStore {
  totp(userId: string): Promise<StoredTotp | undefined>;
  /** Replaces any unconfirmed secret; a confirmed one MUST be removed first. */
  putTotp(t: StoredTotp, createdMs: number): Promise<void>;
  confirmTotp(userId: string, step: number, atMs: number): Promise<void>;
  /** Moves `last_step` forward only if still below `step`; false when another request used it. */
  useTotpStep(userId: string, step: number): Promise<boolean>;
  replaceRecoveryCodes(userId: string, hashes: readonly string[], atMs: number): Promise<void>;
  /** Marks an unused code used; false when it is unknown, used, or another user's. */
  useRecoveryCode(userId: string, hash: string, atMs: number): Promise<boolean>;
  unusedRecoveryCodes(userId: string): Promise<number>;
  /** True when `hash` is an unused code of this user; the code stays unused. */
  hasRecoveryCode(userId: string, hash: string): Promise<boolean>;
  /** Removes every TOTP secret, passkey and recovery code of a user (an account reset). */
  removeAll(userId: string): Promise<void>;
  passkeys(userId: string): Promise<StoredPasskey[]>;
  passkey(id: string): Promise<StoredPasskey | undefined>;
  addPasskey(p: StoredPasskey): Promise<void>;
  usePasskey(id: string, counter: number, atMs: number): Promise<void>;
}
