import type { Db } from '../db/database.ts';
import type { AlarmInboxTable } from '../db/tables.ts';

export const alarmStatuses = ['open', 'acknowledged', 'snoozed', 'closed'] as const;
export type AlarmStatus = (typeof alarmStatuses)[number];

/** One alarm of the inbox. `seq` is the ledger leaf of its `alarm.raised`. */
export interface InboxAlarm {
  readonly seq: number;
  readonly eventId: string;
  readonly rule: string;
  readonly title: string;
  readonly severity: string;
  readonly siteId: string | null;
  readonly cameraId: string | null;
  readonly raisedMs: number;
  readonly status: AlarmStatus;
  readonly assignee: string | null;
  readonly snoozedUntilMs: number | null;
  readonly note: string | null;
  readonly updatedMs: number;
  readonly updatedBy: string | null;
}

/** Persistence of the alarm inbox (alarm_inbox). */
export interface AlarmInboxStore {
  /** Inserts unless the leaf is already there; true when inserted. */
  insert(alarm: InboxAlarm): Promise<boolean>;
  get(seq: number): Promise<InboxAlarm | undefined>;
  update(alarm: InboxAlarm): Promise<void>;
  /** Alarms by status (any when empty), newest first. */
  list(statuses: readonly AlarmStatus[], limit: number): Promise<InboxAlarm[]>;
  /** Alarms of `rule` raised at or after `sinceMs`. */
  recent(rule: string, sinceMs: number): Promise<InboxAlarm[]>;
}

function fromRow(r: AlarmInboxTable): InboxAlarm {
  const status = (['open', 'acknowledged', 'snoozed', 'closed'] as const).find((s) => s === r.status) ?? 'open';
  return {
    seq: Number(r.seq),
    eventId: r.event_id,
    rule: r.rule,
    title: r.title,
    severity: r.severity,
    siteId: r.site_id,
    cameraId: r.camera_id,
    raisedMs: Number(r.raised_ms),
    status,
    assignee: r.assignee,
    snoozedUntilMs: r.snoozed_until_ms === null ? null : Number(r.snoozed_until_ms),
    note: r.note,
    updatedMs: Number(r.updated_ms),
    updatedBy: r.updated_by,
  };
}

function toRow(a: InboxAlarm): AlarmInboxTable {
  return {
    seq: a.seq,
    event_id: a.eventId,
    rule: a.rule,
    title: a.title,
    severity: a.severity,
    site_id: a.siteId,
    camera_id: a.cameraId,
    raised_ms: a.raisedMs,
    status: a.status,
    assignee: a.assignee,
    snoozed_until_ms: a.snoozedUntilMs,
    note: a.note,
    updated_ms: a.updatedMs,
    updated_by: a.updatedBy,
  };
}

export function createAlarmInboxStore(db: Db): AlarmInboxStore {
  return {
    async insert(alarm) {
      const result = await db.insertInto('alarm_inbox').values(toRow(alarm)).onConflict((oc) => oc.column('seq').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async get(seq) {
      const row = await db.selectFrom('alarm_inbox').selectAll().where('seq', '=', seq).executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },
    async update(alarm) {
      const { seq: _seq, ...rest } = toRow(alarm);
      await db.updateTable('alarm_inbox').set(rest).where('seq', '=', alarm.seq).execute();
    },
    async list(statuses, limit) {
      let q = db.selectFrom('alarm_inbox').selectAll().orderBy('raised_ms', 'desc').orderBy('seq', 'desc').limit(limit);
      if (statuses.length > 0) q = q.where('status', 'in', [...statuses]);
      return (await q.execute()).map(fromRow);
    },
    async recent(rule, sinceMs) {
      return (await db.selectFrom('alarm_inbox').selectAll().where('rule', '=', rule).where('raised_ms', '>=', sinceMs).orderBy('seq').execute()).map(fromRow);
    },
  };
}
