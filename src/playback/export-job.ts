/** An export of one camera's time range to an MP4 file. */
export interface ExportJob {
  readonly id: string;
  readonly cameraId: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly state: 'pending' | 'running' | 'done' | 'failed';
  readonly bytes: number | null;
  readonly error: string | null;
  readonly createdMs: number;
  readonly finishedMs: number | null;
  /** Chain-of-custody record, canonical JSON (null for exports made before the ledger). */
  readonly custody: string | null;
  /** Evidence made at completion (see ExportEvidence), JSON; null until done. */
  readonly evidence: string | null;
  /** Who may read and download it (`user:<id>`): the requester and a four-eyes approver. Null requester: made before owners were kept. */
  readonly owners: ExportOwners;
}

/** The people an export belongs to (issue 11 item 10). */
export interface ExportOwners {
  /** `user:<id>` of the requester (a token acts for its user); null for exports made before owners were kept, or by the CLI. */
  readonly requestedBy: string | null;
  /** `user:<id>` of the second person of a four-eyes export, else null. */
  readonly approvedBy: string | null;
}

/** Who asked for an export, why and for whom (EVD-1); all required. */
export interface CustodyRequest {
  readonly reason: string;
  readonly requestedFor: string;
}

/**
 * The ledger material of a finished export: the leaf texts it relies on (segment leaves, the
 * request and the completion event) and their inclusion proofs against one signed checkpoint.
 */
export interface ExportEvidence {
  readonly mp4Sha256: string;
  /** Canonical JSON of the final custody record (with producedAt). */
  readonly custody: string;
  readonly leaves: Readonly<Record<string, string>>;
  readonly proofs: Readonly<Record<string, string>>;
  readonly checkpoint: string;
  /** Segments of the export that have no ledger leaf (evidence then does not verify). */
  readonly missingLeaves: readonly string[];
}
