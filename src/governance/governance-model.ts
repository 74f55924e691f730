/**
 * The records of governance (GOV-1, GOV-3) and the store port the services use.
 *
 * Contracts:
 * - A requirement whose status is `not-applicable` MUST carry a non-empty reason (the Statement
 *   of Applicability justifies every exclusion); {@link requirementProblems} says so.
 * - An approval is bound to the SHA-256 of the document bytes the approver approved; a document
 *   is never changed once registered (a new version is a new document).
 * - Pure: no I/O, no state.
 */
import type { Framework } from './catalogue-seed.ts';

/** How far a requirement is met. */
export const requirementStatuses = ['not-assessed', 'planned', 'partial', 'implemented', 'not-applicable'] as const;
export type RequirementStatus = (typeof requirementStatuses)[number];

/** One requirement of the catalogue with its assessment. */
export interface Requirement {
  readonly id: string;
  readonly framework: Framework;
  readonly ref: string;
  readonly title: string;
  readonly position: number;
  readonly status: RequirementStatus;
  readonly owner: string | null;
  /** Evidence links: `live:<metric>`, `document:<id>`, `ledger:<seq>` or an https URL. */
  readonly evidence: readonly string[];
  readonly reason: string | null;
  readonly updatedBy: string;
  readonly updatedMs: number;
}

/** A change to a requirement's assessment; absent fields stay as they are. */
export interface RequirementChange {
  readonly status?: RequirementStatus | undefined;
  readonly owner?: string | null | undefined;
  readonly evidence?: readonly string[] | undefined;
  readonly reason?: string | null | undefined;
}

const LINK = /^(live:[a-z0-9-]{1,64}|document:[0-9a-f-]{36}|ledger:(0|[1-9][0-9]{0,15})|https:\/\/\S{1,2000})$/;

/** True for an evidence link the catalogue accepts. */
export function isEvidenceLink(link: string): boolean {
  return LINK.test(link);
}

/** Everything wrong with `r` as an assessed requirement; empty when it is fine. */
export function requirementProblems(r: Pick<Requirement, 'status' | 'reason' | 'evidence' | 'owner'>): string[] {
  const problems: string[] = [];
  if (r.status === 'not-applicable' && (r.reason === null || r.reason.trim() === '')) problems.push('a requirement that is not applicable needs the reason why');
  for (const link of r.evidence) if (!isEvidenceLink(link)) problems.push(`evidence link ${JSON.stringify(link.slice(0, 80))} is not live:<metric>, document:<id>, ledger:<seq> or an https URL`);
  if (r.owner !== null && r.owner.trim() === '') problems.push('owner must be a name, or null');
  return problems;
}

/** Kinds of document on file. */
export const documentKinds = ['policy', 'risk-acceptance', 'certification', 'sbom', 'key-design', 'incident-process', 'residency', 'reference', 'training-material', 'other'] as const;
export type DocumentKind = (typeof documentKinds)[number];

/** A document on file, without its bytes. */
export interface GovernanceDocument {
  readonly id: string;
  readonly kind: DocumentKind;
  readonly title: string;
  readonly mediaType: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly registeredBy: string;
  readonly registeredMs: number;
}

/** What an approval approves: a policy, or the acceptance of a risk. */
export type ApprovalKind = 'policy-approval' | 'risk-acceptance';

/** A management approval (GOV-3). */
export interface ManagementApproval {
  readonly id: string;
  readonly documentId: string;
  readonly documentSha256: string;
  readonly kind: ApprovalKind;
  readonly approverId: string;
  readonly approverName: string;
  readonly approverFunction: string;
  readonly note: string | null;
  readonly approvedMs: number;
  readonly ledgerSeq: number;
}

/** A training attestation (NIS2 Art. 20(2)). */
export interface TrainingAttestation {
  readonly id: string;
  readonly userId: string;
  readonly userName: string;
  readonly course: string;
  readonly completedOn: string;
  readonly certificateSha256: string | null;
  readonly attestedMs: number;
  readonly ledgerSeq: number;
}

/** The persistence the governance services use (governance.store.ts implements it). */
export interface GovernanceStore {
  /** Inserts the requirements whose id is not stored yet; returns how many. */
  seedRequirements(rows: readonly Requirement[]): Promise<number>;
  requirements(): Promise<Requirement[]>;
  requirement(id: string): Promise<Requirement | undefined>;
  saveRequirement(r: Requirement): Promise<void>;
  insertDocument(d: GovernanceDocument, content: Buffer): Promise<void>;
  documents(): Promise<GovernanceDocument[]>;
  document(id: string): Promise<GovernanceDocument | undefined>;
  documentContent(id: string): Promise<Buffer | undefined>;
  insertApproval(a: ManagementApproval): Promise<void>;
  approvals(): Promise<ManagementApproval[]>;
  insertTraining(t: TrainingAttestation): Promise<void>;
  training(): Promise<TrainingAttestation[]>;
  setRetentionJustification(cameraId: string, justification: string, by: string, atMs: number): Promise<void>;
  retentionJustifications(): Promise<Map<string, string>>;
}
