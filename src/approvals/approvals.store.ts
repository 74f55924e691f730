import type { Db } from '../db/database.ts';
import type { ApprovalTable } from '../db/tables.ts';
import type { Approval, ApprovalStore } from './approval.ts';

const actions: readonly string[] = ['privacy.unmask', 'access.grant', 'camera.manage', 'account.reset'] satisfies Approval['action'][];

const toApproval = (r: ApprovalTable): Approval => ({
  id: r.id,
  action: actions.includes(r.action) ? (r.action as Approval['action']) : 'recording.export',
  cameraId: r.camera_id === '' ? null : r.camera_id,
  details: JSON.parse(r.details) as Record<string, unknown>,
  requestedBy: r.requested_by,
  requestedMs: Number(r.requested_ms),
  status: r.status as Approval['status'],
  decidedBy: r.decided_by,
  decidedMs: r.decided_ms === null ? null : Number(r.decided_ms),
  expiresMs: Number(r.expires_ms),
});

/** The Kysely adapter of {@link ApprovalStore}. */
export function createApprovalStore(db: Db): ApprovalStore {
  return {
    async get(id) {
      const r = await db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toApproval(r);
    },
    async list() {
      return (await db.selectFrom('approvals').selectAll().orderBy('requested_ms', 'desc').limit(500).execute()).map(toApproval);
    },
    async insert(a) {
      await db
        .insertInto('approvals')
        .values({
          id: a.id,
          action: a.action,
          camera_id: a.cameraId ?? '',
          details: JSON.stringify(a.details),
          requested_by: a.requestedBy,
          requested_ms: a.requestedMs,
          status: a.status,
          decided_by: null,
          decided_ms: null,
          expires_ms: a.expiresMs,
        })
        .execute();
    },
    async decide(id, from, to, by, atMs, details) {
      const r = await db
        .updateTable('approvals')
        .set({ status: to, ...(by === null ? {} : { decided_by: by, decided_ms: atMs }), ...(details ? { details: JSON.stringify(details) } : {}) })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
