import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Notice } from '../notifications/notice.ts';
import { computeClocks, dueReminders, type Reminder } from './clocks.ts';
import type { Incident, IncidentStore } from './incident.ts';
import { clockFacts } from './incidents.service.ts';
import { formatInZone } from './zoned-time.ts';

/**
 * Escalating reminders of the reporting clocks (INC-4) through the notification routes (type
 * `incident.clock`): level 1 (severity high) once a clock is due soon, level 2 (critical) once
 * it is overdue. Contract: each reminder is marked sent in the store BEFORE it is handed to the
 * notifier, so a restart never repeats it (a crash between the two loses that one reminder; the
 * next level still comes).
 */
export class IncidentReminders {
  readonly #store: Pick<IncidentStore, 'list' | 'remindersSent' | 'markReminder'>;
  readonly #notify: (notice: Notice) => void;
  readonly #clock: Clock;
  readonly #zone: string;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | null = null;

  constructor(deps: { store: Pick<IncidentStore, 'list' | 'remindersSent' | 'markReminder'>; notify: (notice: Notice) => void; clock: Clock; timeZone: string; log: Logger }) {
    this.#store = deps.store;
    this.#notify = deps.notify;
    this.#clock = deps.clock;
    this.#zone = deps.timeZone;
    this.#log = deps.log;
  }

  /** Checks every `intervalMs` until `stop`. */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.check().catch((e: unknown) => this.#log.warn({ err: e }, 'incident reminders could not be checked')), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Sends the reminders due now; returns them. */
  async check(): Promise<Reminder[]> {
    const now = this.#clock.now();
    const sent: Reminder[] = [];
    for (const incident of await this.#store.list(1000, 'open')) {
      const due = dueReminders(computeClocks(clockFacts(incident), now, this.#zone), await this.#store.remindersSent(incident.id));
      for (const reminder of due) {
        if (!(await this.#store.markReminder(incident.id, reminder.key, now))) continue;
        this.#notify(reminderNotice(incident, reminder, this.#zone, now));
        sent.push(reminder);
      }
    }
    return sent;
  }
}

/** The notice of one reminder. */
export function reminderNotice(incident: Incident, r: Reminder, zone: string, nowMs: number): Notice {
  const when = formatInZone(r.dueMs, zone);
  const subject = r.level === 2 ? `OVERDUE: ${r.clock} report of incident "${incident.title}" was due ${when}` : `Due soon: ${r.clock} report of incident "${incident.title}" is due ${when}`;
  return {
    id: `incident-${incident.id}-${r.key}`,
    kind: 'incident.clock',
    type: 'incident.clock',
    severity: r.level === 2 ? 'critical' : 'high',
    siteId: null,
    subject,
    text: `${subject}\nIncident: ${incident.id}\nDue (UTC): ${new Date(r.dueMs).toISOString()}\nDue (${zone}): ${when}`,
    data: { incidentId: incident.id, clock: r.clock, level: r.level, due: new Date(r.dueMs).toISOString() },
    time: new Date(nowMs).toISOString(),
  };
}
