import type { AuditContext, LeafRecord } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import type { Notice } from '../notifications/notice.ts';
import { severityOfRule } from './alarm-severity.ts';
import type { AlarmInboxStore, InboxAlarm } from './alarm-inbox.store.ts';

/** A change a person makes to an alarm. */
export type AlarmAction = { readonly action: 'acknowledge' } | { readonly action: 'assign'; readonly assignee: string } | { readonly action: 'snooze'; readonly untilMs: number } | { readonly action: 'close'; readonly reason: string };

/**
 * The alarm inbox (issue 18 item 1): every `alarm.raised` of the ledger becomes an alarm people
 * acknowledge, assign, snooze and close.
 *
 * Contracts: `ingest` is idempotent on the alarm's leaf (a feed that reads a record twice adds
 * it once) and answers whether it was new. Every action is recorded as `alarm.updated` BEFORE
 * the inbox changes; when the ledger cannot write (AUDIT_UNAVAILABLE) nothing changes. A closed
 * alarm is final (CONFLICT). A snoozed alarm counts as open again once its time has passed.
 */
export class AlarmInbox {
  readonly #store: AlarmInboxStore;
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #siteOf: (cameraId: string) => Promise<string | null>;

  constructor(deps: { store: AlarmInboxStore; audit: AuditSink; clock: Clock; siteOf?: (cameraId: string) => Promise<string | null> }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#siteOf = deps.siteOf ?? (() => Promise.resolve(null));
  }

  /** Adds the alarm of an `alarm.raised` record; the new alarm, or undefined when it was there already. */
  async ingest(record: LeafRecord): Promise<InboxAlarm | undefined> {
    if (record.type !== 'alarm.raised') return undefined;
    const rule = typeof record.details?.rule === 'string' ? record.details.rule : 'unknown';
    const title = typeof record.details?.title === 'string' ? record.details.title : rule;
    const cameraId = record.camera_id ?? null;
    const raisedMs = Date.parse(record.time);
    const alarm: InboxAlarm = {
      seq: record.seq,
      eventId: record.id,
      rule,
      title,
      severity: severityOfRule(rule),
      siteId: cameraId === null ? null : await this.#siteOf(cameraId).catch(() => null),
      cameraId,
      raisedMs,
      status: 'open',
      assignee: null,
      snoozedUntilMs: null,
      note: null,
      updatedMs: raisedMs,
      updatedBy: null,
    };
    return (await this.#store.insert(alarm)) ? alarm : undefined;
  }

  /** Alarms needing attention (open, acknowledged, snoozed past their time), or of the given statuses. */
  async list(opts: { readonly status?: 'active' | InboxAlarm['status']; readonly limit: number }): Promise<InboxAlarm[]> {
    const now = this.#clock.now();
    if (opts.status === undefined || opts.status === 'active') {
      const rows = await this.#store.list(['open', 'acknowledged', 'snoozed'], opts.limit);
      return rows.filter((a) => a.status !== 'snoozed' || (a.snoozedUntilMs ?? 0) <= now);
    }
    return this.#store.list([opts.status], opts.limit);
  }

  async get(seq: number): Promise<InboxAlarm> {
    const alarm = await this.#store.get(seq);
    if (alarm === undefined) throw new AppError('NOT_FOUND', `no alarm ${seq}`);
    return alarm;
  }

  /** Applies one action, audited first (see the class contract). */
  async act(seq: number, change: AlarmAction, by: AuditContext): Promise<InboxAlarm> {
    const alarm = await this.get(seq);
    if (alarm.status === 'closed') throw new AppError('CONFLICT', `alarm ${seq} is closed`);
    const now = this.#clock.now();
    const base = { ...alarm, updatedMs: now, updatedBy: by.actor.id };
    let next: InboxAlarm;
    switch (change.action) {
      case 'acknowledge':
        next = { ...base, status: 'acknowledged', snoozedUntilMs: null };
        break;
      case 'assign':
        next = { ...base, assignee: change.assignee, status: alarm.status === 'open' ? 'acknowledged' : alarm.status };
        break;
      case 'snooze':
        if (change.untilMs <= now) throw new AppError('VALIDATION_FAILED', 'a snooze must end in the future');
        next = { ...base, status: 'snoozed', snoozedUntilMs: change.untilMs };
        break;
      case 'close':
        next = { ...base, status: 'closed', snoozedUntilMs: null, note: change.reason };
        break;
    }
    await this.#audit.record({
      type: 'alarm.updated',
      ...by,
      outcome: 'success',
      target: { kind: 'alarm', id: String(seq) },
      ...(alarm.cameraId === null ? {} : { cameraId: alarm.cameraId }),
      ...(change.action === 'close' ? { reason: change.reason } : {}),
      details: {
        action: change.action,
        rule: alarm.rule,
        status: next.status,
        ...(change.action === 'assign' ? { assignee: change.assignee } : {}),
        ...(change.action === 'snooze' ? { until: new Date(change.untilMs).toISOString() } : {}),
      },
    });
    await this.#store.update(next);
    return next;
  }
}

/** The notice of a new alarm (notifications/notice.ts): ids only, no personal field. */
export function alarmNotice(alarm: InboxAlarm): Notice {
  return {
    id: `alarm-${alarm.eventId}`,
    kind: 'alarm',
    type: alarm.rule,
    severity: severityOfRule(alarm.rule),
    siteId: alarm.siteId,
    subject: alarm.title,
    text: [`Alarm: ${alarm.title}`, `Rule: ${alarm.rule}`, `Raised: ${new Date(alarm.raisedMs).toISOString()}`, ...(alarm.cameraId === null ? [] : [`Camera: ${alarm.cameraId}`]), `Ledger leaf: ${alarm.seq}`].join('\n'),
    data: { seq: alarm.seq, eventId: alarm.eventId, rule: alarm.rule, cameraId: alarm.cameraId, siteId: alarm.siteId },
    time: new Date(alarm.raisedMs).toISOString(),
  };
}
