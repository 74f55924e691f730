import { AlarmInbox, alarmNotice } from '../alarms/alarm-inbox.ts';
import { createAlarmInboxStore } from '../alarms/alarm-inbox.store.ts';
import { fencedFeedCursor } from '../alarms/feed-cursor.store.ts';
import { LedgerFeed } from '../alarms/ledger-feed.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { LedgerStore } from '../audit/ledger.store.ts';
import type { IncidentsConfig } from '../config/incidents.schema.ts';
import type { NotificationsConfig } from '../config/notifications.schema.ts';
import type { Db } from '../db/database.ts';
import type { LeaseFence } from '../db/lease-fence.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { createDeliveryStore, type DeliveryStore } from '../notifications/deliveries.store.ts';
import { createEmailSender, type EmailSender } from '../notifications/email-sender.ts';
import { Notifier } from '../notifications/notifier.ts';
import { createWebhookSender } from '../notifications/webhook-sender.ts';
import { CandidatesService } from './candidates.service.ts';
import { createCandidateStore } from './candidates.store.ts';
import { IncidentsService } from './incidents.service.ts';
import { createIncidentStore } from './incidents.store.ts';
import { createChromiumPdfRenderer } from './pdf-renderer.ts';
import { IncidentReminders } from './reminders.ts';
import { ReportsService } from './reports.service.ts';

/** The alarm inbox, notifications and the incident register of a running server. */
export interface BuiltIncidents {
  readonly alarmInbox: AlarmInbox;
  readonly deliveries: DeliveryStore;
  readonly notifier: Notifier;
  readonly incidents: IncidentsService;
  readonly candidates: CandidatesService;
  readonly reports: ReportsService;
  /** Reads new alarms into the inbox and the candidates (tests await `feed.settled()`). */
  readonly feed: LedgerFeed;
  readonly reminders: IncidentReminders;
  /** Starts the feed (from its saved cursor) and reminder timers; again after `stopJobs`. */
  start(feedTickMs: number): Promise<void>;
  /** Stops the feed and reminder timers (a cluster node that lost the jobs lease); the services still answer. */
  stopJobs(): Promise<void>;
  /** Stops the timers, finishes deliveries in flight, closes SMTP and Chromium. */
  close(): Promise<void>;
}

/**
 * Assembly of issue 18's items 1–6 (STYLE rule 1): stores on the metadata database, the SMTP
 * and webhook adapters from `notifications` (their secret files read here, at start: a missing
 * file fails the start), the register with the entity profile of `incidents`, and the ledger
 * feed that hands every new `alarm.raised` (and failed `audit.verified`) to the inbox, the
 * notifier and the candidates. Built after the ledger opens.
 */
export async function buildIncidents(deps: {
  db: Db;
  ledger: AuditLedger;
  ledgerStore: LedgerStore;
  clock: Clock;
  log: Logger;
  notifications: NotificationsConfig;
  incidents: IncidentsConfig;
  siteOf: (cameraId: string) => Promise<string | null>;
  /** Cluster mode: the jobs lease's fence on the feed cursor's saves (ADR 0039). */
  fence?: LeaseFence | null;
}): Promise<BuiltIncidents> {
  const { db, ledger, ledgerStore, clock, log } = deps;
  const hooks = new Set(deps.notifications.webhooks.map((w) => w.name));
  for (const route of deps.notifications.routes) {
    for (const name of route.webhooks) if (!hooks.has(name)) throw new AppError('CONFIG_INVALID', `config: notifications.routes ${route.name}: no webhook named ${name} in notifications.webhooks`);
    if (route.email.length > 0 && deps.notifications.smtp === null) throw new AppError('CONFIG_INVALID', `config: notifications.routes ${route.name}: e-mail recipients need notifications.smtp`);
  }
  const email: EmailSender | null = deps.notifications.smtp === null ? null : await createEmailSender(deps.notifications.smtp);
  const webhook = deps.notifications.webhooks.length === 0 ? null : await createWebhookSender(deps.notifications.webhooks, () => clock.now());
  const deliveries = createDeliveryStore(db);
  const notifier = new Notifier({ routes: deps.notifications.routes, channels: { email, webhook }, store: deliveries, clock, log, attempts: deps.notifications.retry.attempts, maxWaitMs: deps.notifications.retry.maxSeconds * 1000 });
  const inboxStore = createAlarmInboxStore(db);
  const alarmInbox = new AlarmInbox({ store: inboxStore, audit: ledger, clock, siteOf: deps.siteOf });
  const incidentStore = createIncidentStore(db);
  const incidents = new IncidentsService({
    store: incidentStore,
    audit: ledger,
    clock,
    profile: { entityType: deps.incidents.entityType, annualTurnoverEur: deps.incidents.annualTurnoverEur, euUsers: deps.incidents.euUsers },
    timeZone: deps.incidents.timeZone,
    trail: {
      eventsOfTarget: async (types, id) => (await Promise.all(types.map((t) => ledgerStore.eventsByTarget(t, [id])))).flat().sort((a, b) => a.seq - b.seq).map((e) => ({ seq: e.seq, record: e.record })),
      proofsFor: (seqs) => ledger.proofsFor(seqs),
    },
  });
  const candidates = new CandidatesService({ store: createCandidateStore(db), incidents, audit: ledger, clock, gapCameras: async (since) => (await inboxStore.recent('recording-gap', since)).flatMap((a) => (a.cameraId === null ? [] : [a.cameraId])) });
  const pdf = createChromiumPdfRenderer({ executablePath: deps.incidents.chromiumPath });
  const reports = new ReportsService({ incidents, pdf, clock });
  const feed = await LedgerFeed.open(
    {
      events: ledgerStore,
      cursor: fencedFeedCursor(db, 'alarm-inbox', deps.fence ?? null),
      types: ['alarm.raised', 'audit.verified'],
      handle: async (record) => {
        const fresh = await alarmInbox.ingest(record);
        if (fresh !== undefined) notifier.notify(alarmNotice(fresh));
        await candidates.consider(record);
      },
      log,
      now: () => clock.now(),
    },
    () => ledgerStore.size(),
  );
  const reminders = new IncidentReminders({ store: incidentStore, notify: (n) => notifier.notify(n), clock, timeZone: deps.incidents.timeZone, log });
  return {
    alarmInbox,
    deliveries,
    notifier,
    incidents,
    candidates,
    reports,
    feed,
    reminders,
    async start(feedTickMs) {
      await feed.reload();
      feed.start(feedTickMs);
      reminders.start(deps.incidents.reminderCheckSeconds * 1000);
    },
    async stopJobs() {
      reminders.stop();
      await feed.stop();
    },
    async close() {
      reminders.stop();
      await feed.stop();
      await notifier.close();
      email?.close();
      await pdf.close();
    },
  };
}
