import { createHash, randomUUID } from 'node:crypto';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import type { ApprovalKind, DocumentKind, GovernanceDocument, GovernanceStore, ManagementApproval, TrainingAttestation } from './governance-model.ts';

/** Largest document kept on file (it travels whole in bundles). */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** The member of the management body acting: the signed-in user. */
export interface Approver {
  readonly userId: string;
  readonly displayName: string;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * Documents on file and management accountability (GOV-3): approvals of policies and risk
 * acceptances by named members of the management body, and training attestations.
 *
 * Contracts:
 * - A document is immutable once registered; its SHA-256 is computed here from its bytes.
 * - An approval names the SHA-256 the approver reviewed; it MUST equal the stored document's
 *   (CONFLICT otherwise), so an approval can never attach to other bytes than those approved.
 * - Only policies are approved and only risk acceptances accepted (VALIDATION_FAILED otherwise).
 * - Each record is a ledger event first (its leaf index is kept with the row): no unlogged record.
 * - Who may approve is the route's permission (`governance.approve`, the `management` role);
 *   this service trusts its caller on that and records the approver's user id.
 */
export class AccountabilityService {
  readonly #store: GovernanceStore;
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #cameraExists: (id: string) => Promise<boolean>;

  constructor(deps: { store: GovernanceStore; audit: AuditSink; clock: Clock; cameraExists: (id: string) => Promise<boolean> }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#cameraExists = deps.cameraExists;
  }

  /** Registers a document on file; audited. */
  async registerDocument(input: { kind: DocumentKind; title: string; mediaType: string; content: Buffer }, by: AuditContext): Promise<GovernanceDocument> {
    if (input.content.length === 0 || input.content.length > MAX_DOCUMENT_BYTES) throw new AppError('VALIDATION_FAILED', `a document must hold 1 to ${MAX_DOCUMENT_BYTES} bytes`, { field: 'content' });
    const doc: GovernanceDocument = {
      id: randomUUID(),
      kind: input.kind,
      title: input.title,
      mediaType: input.mediaType,
      sha256: sha256(input.content),
      bytes: input.content.length,
      registeredBy: by.actor.id,
      registeredMs: this.#clock.now(),
    };
    await this.#audit.record({
      type: 'governance.document.registered',
      ...by,
      target: { kind: 'document', id: doc.id },
      outcome: 'success',
      details: { documentId: doc.id, kind: doc.kind, title: doc.title, sha256: doc.sha256, bytes: doc.bytes },
    });
    await this.#store.insertDocument(doc, input.content);
    return doc;
  }

  documents(): Promise<GovernanceDocument[]> {
    return this.#store.documents();
  }

  /** A document and its bytes; NOT_FOUND when there is none. */
  async document(id: string): Promise<{ document: GovernanceDocument; content: Buffer }> {
    const document = await this.#store.document(id);
    const content = document === undefined ? undefined : await this.#store.documentContent(id);
    if (document === undefined || content === undefined) throw new AppError('NOT_FOUND', `no document ${id}`);
    return { document, content };
  }

  /** Records `approver`'s approval of document `documentId` whose bytes hash to `sha256`. */
  async approve(documentId: string, input: { sha256: string; approverFunction: string; note?: string | undefined }, approver: Approver, by: AuditContext): Promise<ManagementApproval> {
    const document = await this.#store.document(documentId);
    if (document === undefined) throw new AppError('NOT_FOUND', `no document ${documentId}`);
    if (input.sha256 !== document.sha256) {
      throw new AppError('CONFLICT', `document ${documentId} has SHA-256 ${document.sha256}, not the ${input.sha256} given: approve the bytes on file`, { expected: document.sha256 });
    }
    const kind: ApprovalKind | undefined = document.kind === 'policy' ? 'policy-approval' : document.kind === 'risk-acceptance' ? 'risk-acceptance' : undefined;
    if (kind === undefined) throw new AppError('VALIDATION_FAILED', `a ${document.kind} is not approved by management; only policies and risk acceptances are`);
    const id = randomUUID();
    const approvedMs = this.#clock.now();
    const leaf = await this.#audit.record({
      type: 'governance.approval.recorded',
      ...by,
      target: { kind: 'document', id: documentId },
      outcome: 'success',
      details: { approvalId: id, documentId, documentSha256: document.sha256, kind, approverId: `user:${approver.userId}`, approverFunction: input.approverFunction },
    });
    const approval: ManagementApproval = {
      id,
      documentId,
      documentSha256: document.sha256,
      kind,
      approverId: `user:${approver.userId}`,
      approverName: approver.displayName,
      approverFunction: input.approverFunction,
      note: input.note ?? null,
      approvedMs,
      ledgerSeq: leaf.seq,
    };
    await this.#store.insertApproval(approval);
    return approval;
  }

  approvals(): Promise<ManagementApproval[]> {
    return this.#store.approvals();
  }

  /** Records that `person` completed `course` on `completedOn` (YYYY-MM-DD); audited. */
  async attestTraining(input: { course: string; completedOn: string; certificateDocumentId?: string | undefined }, person: Approver, by: AuditContext): Promise<TrainingAttestation> {
    const day = /^\d{4}-\d{2}-\d{2}$/.test(input.completedOn) ? Date.parse(`${input.completedOn}T00:00:00Z`) : Number.NaN;
    if (!Number.isFinite(day) || new Date(day).toISOString().slice(0, 10) !== input.completedOn) throw new AppError('VALIDATION_FAILED', 'completedOn must be a date YYYY-MM-DD', { field: 'completedOn' });
    if (day > this.#clock.now()) throw new AppError('VALIDATION_FAILED', 'completedOn is in the future', { field: 'completedOn' });
    let certificateSha256: string | null = null;
    if (input.certificateDocumentId !== undefined) {
      const doc = await this.#store.document(input.certificateDocumentId);
      if (doc === undefined) throw new AppError('NOT_FOUND', `no document ${input.certificateDocumentId}`);
      certificateSha256 = doc.sha256;
    }
    const id = randomUUID();
    const attestedMs = this.#clock.now();
    const leaf = await this.#audit.record({
      type: 'governance.training.attested',
      ...by,
      target: { kind: 'training', id },
      outcome: 'success',
      details: { attestationId: id, userId: `user:${person.userId}`, course: input.course, completedOn: input.completedOn, certificateSha256 },
    });
    const attestation: TrainingAttestation = { id, userId: `user:${person.userId}`, userName: person.displayName, course: input.course, completedOn: input.completedOn, certificateSha256, attestedMs, ledgerSeq: leaf.seq };
    await this.#store.insertTraining(attestation);
    return attestation;
  }

  training(): Promise<TrainingAttestation[]> {
    return this.#store.training();
  }

  /** Records why camera `cameraId` keeps footage longer than 72 h; audited. */
  async justifyRetention(cameraId: string, justification: string, by: AuditContext): Promise<void> {
    if (!(await this.#cameraExists(cameraId))) throw new AppError('NOT_FOUND', 'no such camera');
    await this.#audit.record({ type: 'governance.retention.justified', ...by, target: { kind: 'camera', id: cameraId }, cameraId, outcome: 'success', details: { justification } });
    await this.#store.setRetentionJustification(cameraId, justification, by.actor.id, this.#clock.now());
  }

  retentionJustifications(): Promise<Map<string, string>> {
    return this.#store.retentionJustifications();
  }
}
