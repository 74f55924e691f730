import type { Db } from '../db/database.ts';
import type { GovernanceRequirementTable } from '../db/tables.ts';
import type { Framework } from './catalogue-seed.ts';
import type { ApprovalKind, DocumentKind, GovernanceDocument, GovernanceStore, ManagementApproval, Requirement, RequirementStatus, TrainingAttestation } from './governance-model.ts';

const toRequirement = (r: GovernanceRequirementTable): Requirement => ({
  id: r.id,
  framework: r.framework as Framework,
  ref: r.ref,
  title: r.title,
  position: Number(r.position),
  status: r.status as RequirementStatus,
  owner: r.owner,
  evidence: JSON.parse(r.evidence) as string[],
  reason: r.reason,
  updatedBy: r.updated_by,
  updatedMs: Number(r.updated_ms),
});

const toRow = (r: Requirement): GovernanceRequirementTable => ({
  id: r.id,
  framework: r.framework,
  ref: r.ref,
  title: r.title,
  position: r.position,
  status: r.status,
  owner: r.owner,
  evidence: JSON.stringify(r.evidence),
  reason: r.reason,
  updated_by: r.updatedBy,
  updated_ms: r.updatedMs,
});

/** The Kysely adapter of {@link GovernanceStore} (SQLite or PostgreSQL). */
export function createGovernanceStore(db: Db): GovernanceStore {
  return {
    async seedRequirements(rows) {
      const known = new Set((await db.selectFrom('governance_requirements').select('id').execute()).map((r) => r.id));
      const fresh = rows.filter((r) => !known.has(r.id));
      for (let i = 0; i < fresh.length; i += 200) await db.insertInto('governance_requirements').values(fresh.slice(i, i + 200).map(toRow)).onConflict((oc) => oc.column('id').doNothing()).execute();
      return fresh.length;
    },
    async requirements() {
      return (await db.selectFrom('governance_requirements').selectAll().orderBy('position').execute()).map(toRequirement);
    },
    async requirement(id) {
      const row = await db.selectFrom('governance_requirements').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRequirement(row);
    },
    async saveRequirement(r) {
      const row = toRow(r);
      await db.updateTable('governance_requirements').set({ status: row.status, owner: row.owner, evidence: row.evidence, reason: row.reason, updated_by: row.updated_by, updated_ms: row.updated_ms }).where('id', '=', r.id).execute();
    },
    async insertDocument(d, content) {
      await db
        .insertInto('governance_documents')
        .values({ id: d.id, kind: d.kind, title: d.title, media_type: d.mediaType, sha256: d.sha256, content: content.toString('base64'), bytes: d.bytes, registered_by: d.registeredBy, registered_ms: d.registeredMs })
        .execute();
    },
    async documents() {
      const rows = await db.selectFrom('governance_documents').select(['id', 'kind', 'title', 'media_type', 'sha256', 'bytes', 'registered_by', 'registered_ms']).orderBy('registered_ms').orderBy('id').execute();
      return rows.map(toDocument);
    },
    async document(id) {
      const row = await db.selectFrom('governance_documents').select(['id', 'kind', 'title', 'media_type', 'sha256', 'bytes', 'registered_by', 'registered_ms']).where('id', '=', id).executeTakeFirst();
      return row && toDocument(row);
    },
    async documentContent(id) {
      const row = await db.selectFrom('governance_documents').select('content').where('id', '=', id).executeTakeFirst();
      return row && Buffer.from(row.content, 'base64');
    },
    async insertApproval(a) {
      await db
        .insertInto('governance_approvals')
        .values({
          id: a.id,
          document_id: a.documentId,
          document_sha256: a.documentSha256,
          kind: a.kind,
          approver_id: a.approverId,
          approver_name: a.approverName,
          approver_function: a.approverFunction,
          note: a.note,
          approved_ms: a.approvedMs,
          ledger_seq: a.ledgerSeq,
        })
        .execute();
    },
    async approvals() {
      const rows = await db.selectFrom('governance_approvals').selectAll().orderBy('approved_ms').orderBy('id').execute();
      return rows.map(
        (r): ManagementApproval => ({
          id: r.id,
          documentId: r.document_id,
          documentSha256: r.document_sha256,
          kind: r.kind as ApprovalKind,
          approverId: r.approver_id,
          approverName: r.approver_name,
          approverFunction: r.approver_function,
          note: r.note,
          approvedMs: Number(r.approved_ms),
          ledgerSeq: Number(r.ledger_seq),
        }),
      );
    },
    async insertTraining(t) {
      await db
        .insertInto('governance_training')
        .values({ id: t.id, user_id: t.userId, user_name: t.userName, course: t.course, completed_on: t.completedOn, certificate_sha256: t.certificateSha256, attested_ms: t.attestedMs, ledger_seq: t.ledgerSeq })
        .execute();
    },
    async training() {
      const rows = await db.selectFrom('governance_training').selectAll().orderBy('attested_ms').orderBy('id').execute();
      return rows.map(
        (r): TrainingAttestation => ({
          id: r.id,
          userId: r.user_id,
          userName: r.user_name,
          course: r.course,
          completedOn: r.completed_on,
          certificateSha256: r.certificate_sha256,
          attestedMs: Number(r.attested_ms),
          ledgerSeq: Number(r.ledger_seq),
        }),
      );
    },
    async setRetentionJustification(cameraId, justification, by, atMs) {
      await db
        .insertInto('governance_retention_justifications')
        .values({ camera_id: cameraId, justification, set_by: by, set_ms: atMs })
        .onConflict((oc) => oc.column('camera_id').doUpdateSet({ justification, set_by: by, set_ms: atMs }))
        .execute();
    },
    async retentionJustifications() {
      const rows = await db.selectFrom('governance_retention_justifications').select(['camera_id', 'justification']).execute();
      return new Map(rows.map((r) => [r.camera_id, r.justification]));
    },
  };
}

function toDocument(r: { id: string; kind: string; title: string; media_type: string; sha256: string; bytes: number; registered_by: string; registered_ms: number }): GovernanceDocument {
  return { id: r.id, kind: r.kind as DocumentKind, title: r.title, mediaType: r.media_type, sha256: r.sha256, bytes: Number(r.bytes), registeredBy: r.registered_by, registeredMs: Number(r.registered_ms) };
}
