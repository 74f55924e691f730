import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import type { Delivery } from '../notifications/deliveries.store.ts';
import type { AlarmAction, AlarmInbox } from './alarm-inbox.ts';
import type { InboxAlarm } from './alarm-inbox.store.ts';

/** Dependencies of the alarm routes. Route builders MUST NOT use them before a handler runs. */
export interface AlarmRouteDeps {
  readonly alarmInbox: AlarmInbox;
  readonly deliveries: { list(limit: number, noticeId?: string): Promise<Delivery[]> };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const alarmDto = z
  .object({
    seq: z.number().int().describe('Ledger leaf of the alarm.raised event (the alarm id).'),
    eventId: z.string(),
    rule: z.string().describe('The alarm rule (lockouts-burst, camera-tamper, storage-fault…).'),
    title: z.string(),
    severity: z.string(),
    siteId: z.string().nullable(),
    cameraId: z.string().nullable(),
    raisedAt: z.string(),
    status: z.enum(['open', 'acknowledged', 'snoozed', 'closed']),
    assignee: z.string().nullable(),
    snoozedUntil: z.string().nullable(),
    note: z.string().nullable(),
    updatedAt: z.string(),
    updatedBy: z.string().nullable(),
  })
  .describe('An alarm of the inbox.');

const toDto = (a: InboxAlarm): z.infer<typeof alarmDto> => ({
  seq: a.seq,
  eventId: a.eventId,
  rule: a.rule,
  title: a.title,
  severity: a.severity,
  siteId: a.siteId,
  cameraId: a.cameraId,
  raisedAt: new Date(a.raisedMs).toISOString(),
  status: a.status,
  assignee: a.assignee,
  snoozedUntil: iso(a.snoozedUntilMs),
  note: a.note,
  updatedAt: new Date(a.updatedMs).toISOString(),
  updatedBy: a.updatedBy,
});

const actionBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('acknowledge') }),
  z.strictObject({ action: z.literal('assign'), assignee: z.string().trim().min(1).max(200).describe('Who handles it, e.g. user:<id>.') }),
  z.strictObject({ action: z.literal('snooze'), until: z.iso.datetime({ offset: true }).describe('When the alarm is active again.') }),
  z.strictObject({ action: z.literal('close'), reason: z.string().trim().min(3).max(1000).describe('Why it is closed.') }),
]);

const deliveryDto = z.object({
  id: z.string(),
  noticeId: z.string(),
  kind: z.string(),
  type: z.string(),
  route: z.string(),
  channel: z.enum(['email', 'webhook']),
  target: z.string(),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** The alarm inbox and the notification delivery log (issue 18 item 1). */
export function alarmRoutes(deps: AlarmRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/alarms',
      access: 'incident.read',
      scope: 'global',
      summary: 'Alarms of the inbox: active ones (open, acknowledged, snooze ended) by default, newest first',
      tag: 'incidents',
      query: z.strictObject({ status: z.enum(['active', 'open', 'acknowledged', 'snoozed', 'closed']).default('active'), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      response: { status: 200, schema: z.array(alarmDto) },
      handler: async ({ query }) => (await deps.alarmInbox.list({ status: query.status, limit: query.limit })).map(toDto),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/alarms/:seq',
      access: 'incident.read',
      scope: 'global',
      summary: 'One alarm of the inbox',
      tag: 'incidents',
      params: z.strictObject({ seq: z.coerce.number().int().min(0) }),
      response: { status: 200, schema: alarmDto },
      handler: async ({ params }) => toDto(await deps.alarmInbox.get(params.seq)),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/alarms/:seq/actions',
      access: 'incident.manage',
      scope: 'global',
      audit: 'alarm.updated',
      summary: 'Acknowledge, assign, snooze or close an alarm (audited)',
      tag: 'incidents',
      params: z.strictObject({ seq: z.coerce.number().int().min(0) }),
      body: actionBody,
      response: { status: 200, schema: alarmDto },
      handler: async ({ params, body, audit }) => {
        const change: AlarmAction = body.action === 'snooze' ? { action: 'snooze', untilMs: Date.parse(body.until) } : body;
        return toDto(await deps.alarmInbox.act(params.seq, change, audit));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/notifications/deliveries',
      access: 'incident.read',
      scope: 'global',
      summary: 'The notification delivery log, newest first',
      tag: 'incidents',
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100), notice: z.string().min(1).max(200).optional() }),
      response: { status: 200, schema: z.array(deliveryDto) },
      handler: async ({ query }) =>
        (await deps.deliveries.list(query.limit, query.notice)).map(({ createdMs, updatedMs, ...d }) => ({ ...d, createdAt: new Date(createdMs).toISOString(), updatedAt: new Date(updatedMs).toISOString() })),
    }),
  ];
}
