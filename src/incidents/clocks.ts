/**
 * The reporting clocks of an incident (INC-4, INC-6), NIS2 Art. 23(4) and GDPR Art. 33(1).
 *
 * - early warning: 24 hours after the entity became aware;
 * - incident notification: 72 hours after aware;
 * - final report: one calendar month after the notification was sent, in the entity's time zone;
 * - progress report: when the incident is still being handled at the final report's due time,
 *   a progress report is due then, and the final report one month after handling ended;
 * - GDPR Art. 33: 72 hours after aware, in parallel, when personal data was breached.
 *
 * Hours are elapsed hours (UTC arithmetic: 24 h after 12:00 on the spring-forward eve is 13:00
 * local); months are calendar months at the same local wall time (zoned-time.ts). Pure: the
 * caller passes `nowMs`. Every instant is UTC ms; `dueLocal` is for display only.
 */
import { addMonths, formatInZone } from './zoned-time.ts';

export const clockIds = ['early-warning', 'notification', 'final', 'progress', 'gdpr-art33'] as const;
/** One reporting clock; also the report stage that stops it. */
export type ClockId = (typeof clockIds)[number];

/**
 * - `not-applicable`: this incident has no such duty (no personal data, or not yet open at the final due time);
 * - `waiting`: the clock starts on an event still to come (the notification sent, the end of handling);
 * - `running` / `due-soon` / `overdue`: not sent yet;
 * - `met` / `met-late`: sent, on time or after the due time.
 */
export type ClockState = 'not-applicable' | 'waiting' | 'running' | 'due-soon' | 'overdue' | 'met' | 'met-late';

export interface ClockView {
  readonly id: ClockId;
  readonly state: ClockState;
  /** UTC ms, or null while waiting or not applicable. */
  readonly dueMs: number | null;
  /** The due time in the entity's zone, for people. */
  readonly dueLocal: string | null;
  readonly sentMs: number | null;
  /** What the due time is counted from. */
  readonly basis: string;
}

/** What the clocks read of an incident. */
export interface ClockFacts {
  readonly awareMs: number;
  /** End of handling (the incident closed), UTC ms; null while open. */
  readonly closedMs: number | null;
  readonly personalDataBreach: boolean;
  /** Submissions made: the first of each stage stops its clock. */
  readonly submissions: readonly { readonly stage: string; readonly sentMs: number }[];
}

const hourMs = 3_600_000;

/** How long before its due time a clock shows `due-soon` (and the first reminder goes out). */
export const dueSoonMs: Readonly<Record<ClockId, number>> = {
  'early-warning': 6 * hourMs,
  notification: 12 * hourMs,
  'gdpr-art33': 12 * hourMs,
  final: 3 * 24 * hourMs,
  progress: 3 * 24 * hourMs,
};

/** Every clock of an incident at `nowMs`, due times shown in `zone`. */
export function computeClocks(facts: ClockFacts, nowMs: number, zone: string): ClockView[] {
  const sent = (stage: ClockId): number | null => {
    const times = facts.submissions.filter((s) => s.stage === stage).map((s) => s.sentMs);
    return times.length === 0 ? null : Math.min(...times);
  };
  const view = (id: ClockId, dueMs: number, basis: string): ClockView => {
    const sentMs = sent(id);
    let state: ClockState;
    if (sentMs !== null) state = sentMs <= dueMs ? 'met' : 'met-late';
    else if (nowMs > dueMs) state = 'overdue';
    else if (nowMs >= dueMs - dueSoonMs[id]) state = 'due-soon';
    else state = 'running';
    return { id, state, dueMs, dueLocal: formatInZone(dueMs, zone), sentMs, basis };
  };
  const idle = (id: ClockId, state: 'waiting' | 'not-applicable', basis: string): ClockView => ({ id, state, dueMs: null, dueLocal: null, sentMs: sent(id), basis });

  const clocks: ClockView[] = [view('early-warning', facts.awareMs + 24 * hourMs, 'aware + 24 h'), view('notification', facts.awareMs + 72 * hourMs, 'aware + 72 h')];
  const notified = sent('notification');
  if (notified === null) {
    clocks.push(idle('final', 'waiting', 'one month after the notification is sent'), idle('progress', 'not-applicable', 'only when still open at the final report due time'));
  } else {
    const firstDue = addMonths(notified, 1, zone);
    const openAtDue = facts.closedMs === null ? nowMs >= firstDue : facts.closedMs > firstDue;
    if (!openAtDue) {
      clocks.push(view('final', firstDue, 'notification sent + 1 month'), idle('progress', 'not-applicable', 'only when still open at the final report due time'));
    } else {
      clocks.push(
        facts.closedMs === null ? idle('final', 'waiting', 'one month after handling ends') : view('final', addMonths(facts.closedMs, 1, zone), 'end of handling + 1 month'),
        view('progress', firstDue, 'notification sent + 1 month (still open)'),
      );
    }
  }
  clocks.push(facts.personalDataBreach ? view('gdpr-art33', facts.awareMs + 72 * hourMs, 'aware + 72 h (GDPR Art. 33)') : idle('gdpr-art33', 'not-applicable', 'no personal data breached'));
  return clocks;
}

/** One reminder to send; `key` is unique per incident, clock and level (sent once). */
export interface Reminder {
  readonly clock: ClockId;
  /** 1: due soon; 2: overdue (escalated). */
  readonly level: 1 | 2;
  readonly key: string;
  readonly dueMs: number;
}

/**
 * The escalating reminders the clocks call for now and were not sent yet (`sent` holds the keys
 * already sent): level 1 once a clock is due soon, level 2 once it is overdue.
 */
export function dueReminders(clocks: readonly ClockView[], sent: ReadonlySet<string>): Reminder[] {
  const out: Reminder[] = [];
  for (const c of clocks) {
    if (c.dueMs === null) continue;
    const level = c.state === 'overdue' ? 2 : c.state === 'due-soon' ? 1 : null;
    if (level === null) continue;
    const key = `${c.id}:${level}`;
    if (!sent.has(key)) out.push({ clock: c.id, level, key, dueMs: c.dueMs });
  }
  return out;
}
