import type { Db } from '../db/database.ts';

/** One row of the delivery log. */
export interface Delivery {
  readonly id: string;
  readonly noticeId: string;
  readonly kind: string;
  readonly type: string;
  readonly route: string;
  readonly channel: 'email' | 'webhook';
  readonly target: string;
  readonly status: 'pending' | 'sent' | 'failed';
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdMs: number;
  readonly updatedMs: number;
}

/** The delivery log (notification_deliveries). */
export interface DeliveryStore {
  insert(d: Delivery): Promise<void>;
  update(id: string, change: Pick<Delivery, 'status' | 'attempts' | 'lastError' | 'updatedMs'>): Promise<void>;
  /** Newest first, at most `limit`. */
  list(limit: number, noticeId?: string): Promise<Delivery[]>;
}

export function createDeliveryStore(db: Db): DeliveryStore {
  return {
    async insert(d) {
      await db
        .insertInto('notification_deliveries')
        .values({ id: d.id, notice_id: d.noticeId, kind: d.kind, type: d.type, route: d.route, channel: d.channel, target: d.target, status: d.status, attempts: d.attempts, last_error: d.lastError, created_ms: d.createdMs, updated_ms: d.updatedMs })
        .execute();
    },
    async update(id, change) {
      await db.updateTable('notification_deliveries').set({ status: change.status, attempts: change.attempts, last_error: change.lastError, updated_ms: change.updatedMs }).where('id', '=', id).execute();
    },
    async list(limit, noticeId) {
      let q = db.selectFrom('notification_deliveries').selectAll().orderBy('created_ms', 'desc').orderBy('id').limit(limit);
      if (noticeId !== undefined) q = q.where('notice_id', '=', noticeId);
      return (await q.execute()).map((r) => ({
        id: r.id,
        noticeId: r.notice_id,
        kind: r.kind,
        type: r.type,
        route: r.route,
        channel: r.channel === 'webhook' ? 'webhook' : 'email',
        target: r.target,
        status: r.status === 'sent' ? 'sent' : r.status === 'failed' ? 'failed' : 'pending',
        attempts: Number(r.attempts),
        lastError: r.last_error,
        createdMs: Number(r.created_ms),
        updatedMs: Number(r.updated_ms),
      }));
    },
  };
}
