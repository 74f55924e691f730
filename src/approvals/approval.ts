/** A four-eyes request. */
export interface Approval {
  readonly id: string;
  /**
   * The permission the action needs (`access.grant`: a grant, and `account.reset`: a reset of
   * a user's password or factors, which both need `user.manage` globally; `camera.manage`: a
   * SensitiveChange in `details`).
   */
  readonly action: 'recording.export' | 'privacy.unmask' | 'access.grant' | 'camera.manage' | 'account.reset';
  /** The camera of an export, unmask or camera change; null for a grant, a site change or a reset. */
  readonly cameraId: string | null;
  readonly details: Record<string, unknown>;
  /** `user:<id>` of the requester. */
  readonly requestedBy: string;
  readonly requestedMs: number;
  readonly status: 'pending' | 'approved' | 'rejected' | 'used' | 'expired';
  readonly decidedBy: string | null;
  readonly decidedMs: number | null;
  readonly expiresMs: number;
}

/** Four-eyes requests in the metadata database. */
export interface ApprovalStore {
  get(id: string): Promise<Approval | undefined>;
  list(): Promise<Approval[]>;
  insert(a: Approval): Promise<void>;
  /** Moves a request from `from` to `to`; false when another decision came first. */
  decide(id: string, from: Approval['status'], to: Approval['status'], by: string | null, atMs: number, details?: Record<string, unknown>): Promise<boolean>;
}
