/**
 * The port through which live evidence (live-evidence.ts) reads the system's state: facts only,
 * never a secret (a camera's credentials appear as counts of stored and sealed values).
 */
/** A user with the roles they hold now and the second factors they have enrolled. */
export interface UserFacts {
  readonly id: string;
  readonly username: string;
  readonly kind: string;
  /** Roles of grants in force (not revoked, not expired). */
  readonly roles: readonly string[];
  readonly totp: boolean;
  readonly passkeys: number;
}

/** A camera as live evidence sees it: never its credentials, only whether they are sealed. */
export interface CameraFacts {
  readonly id: string;
  readonly name: string;
  readonly scheme: string;
  readonly retentionHours: number;
  readonly enabled: boolean;
  /** Credentials stored: how many, and how many of them sealed (`v1:`) under the master key. */
  readonly credentials: number;
  readonly sealedCredentials: number;
}

/** A committed ledger event, as live evidence reads it. */
export interface LedgerFact {
  readonly seq: number;
  readonly timeMs: number;
  /** The canonical leaf text. */
  readonly record: string;
}

/** What live evidence reads from the database: facts only, no secrets. */
export interface SystemFacts {
  users(nowMs: number): Promise<UserFacts[]>;
  cameras(): Promise<CameraFacts[]>;
  /** Data keys not destroyed, by the master-key version that wraps them. */
  liveDataKeysByKek(): Promise<Map<number, number>>;
  /** Indexed segments. */
  segmentCount(): Promise<number>;
  /** The newest committed event of `type` (with `outcome` when given). */
  latestEvent(type: string, outcome?: 'success' | 'failure'): Promise<LedgerFact | undefined>;
  /** The oldest committed event. */
  firstEvent(): Promise<LedgerFact | undefined>;
}
