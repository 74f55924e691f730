import type { Db } from '../db/database.ts';
import type { ApprovalTable } from '../db/tables.ts';

/** A four-eyes request. */
export interface Approval {
  readonly id: string;
  readonly action: 'recording.export' | 'privacy.unmask';
  readonly cameraId: string;
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

const toApproval = (r: ApprovalTable): Approval => ({
  id: r.id,
  action: r.action === 'privacy.unmask' ? 'privacy.unmask' : 'recording.export',
  cameraId: r.camera_id,
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
          camera_id: a.cameraId,
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
