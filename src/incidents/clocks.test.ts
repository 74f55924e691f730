/**
 * The reporting clocks with an injected `now` across both daylight-saving changes of 2026 in
 * Europe/Berlin, Europe/Lisbon and Europe/Helsinki (all change at 01:00 UTC on 29 March and
 * 25 October), including incidents made aware inside the repeated hour of October.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeClocks, dueReminders, type ClockFacts, type ClockId } from './clocks.ts';
import { addMonths, formatInZone, instantOf } from './zoned-time.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const clock = (facts: ClockFacts, now: number, zone: string, id: ClockId) => {
  const c = computeClocks(facts, now, zone).find((x) => x.id === id);
  assert.ok(c);
  return c;
};
const open = (awareIso: string, more: Partial<ClockFacts> = {}): ClockFacts => ({ awareMs: at(awareIso), closedMs: null, personalDataBreach: false, submissions: [], ...more });

describe('clocks across daylight-saving changes (INC-4)', () => {
  const hours: [string, string, string, string, string][] = [
    // zone, aware (UTC), early warning due (UTC), shown locally as, note
    ['Europe/Berlin', '2026-03-28T11:00:00.000Z', '2026-03-29T11:00:00.000Z', '2026-03-29 13:00 CEST (UTC+02:00)', 'spring forward: 24 elapsed hours end at 13:00 local, not 12:00'],
    ['Europe/Berlin', '2026-10-25T00:30:00.000Z', '2026-10-26T00:30:00.000Z', '2026-10-26 01:30 CET (UTC+01:00)', 'aware at 02:30 CEST, the first 02:30 of the repeated hour'],
    ['Europe/Berlin', '2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-26 02:30 CET (UTC+01:00)', 'aware at 02:30 CET, the second 02:30 of the repeated hour'],
    ['Europe/Lisbon', '2026-10-25T00:30:00.000Z', '2026-10-26T00:30:00.000Z', '2026-10-26 00:30 WET (UTC+00:00)', 'aware at 01:30 WEST, first of the repeated hour'],
    ['Europe/Lisbon', '2026-03-28T23:30:00.000Z', '2026-03-29T23:30:00.000Z', '2026-03-30 00:30 WEST (UTC+01:00)', 'spring forward in Lisbon'],
    ['Europe/Helsinki', '2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-26 03:30 EET (UTC+02:00)', 'aware at 03:30 EET, second of the repeated hour'],
    ['Europe/Helsinki', '2026-03-29T00:30:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-30 03:30 EEST (UTC+03:00)', 'aware 02:30 EET just before the spring change'],
  ];
  for (const [zone, aware, due, local, note] of hours) {
    test(`${zone}: early warning 24 h after aware ${aware} (${note})`, () => {
      const c = clock(open(aware), at(aware), zone, 'early-warning');
      assert.equal(iso(c.dueMs), due);
      assert.equal(c.dueLocal, local);
      const n = clock(open(aware), at(aware), zone, 'notification');
      assert.equal(iso(n.dueMs), new Date(at(aware) + 72 * 3_600_000).toISOString());
    });
  }

  test('the two 02:30s of the repeated hour are two instants an hour apart, and stay so in every clock', () => {
    const first = computeClocks(open('2026-10-25T00:30:00Z'), at('2026-10-25T02:00:00Z'), 'Europe/Berlin');
    const second = computeClocks(open('2026-10-25T01:30:00Z'), at('2026-10-25T02:00:00Z'), 'Europe/Berlin');
    for (const id of ['early-warning', 'notification'] as const) {
      assert.equal((second.find((c) => c.id === id)?.dueMs ?? 0) - (first.find((c) => c.id === id)?.dueMs ?? 0), 3_600_000);
    }
    assert.equal(formatInZone(at('2026-10-25T00:30:00Z'), 'Europe/Berlin'), '2026-10-25 02:30 CEST (UTC+02:00)');
    assert.equal(formatInZone(at('2026-10-25T01:30:00Z'), 'Europe/Berlin'), '2026-10-25 02:30 CET (UTC+01:00)');
  });

  const months: [string, string, string, string][] = [
    // zone, notification sent (UTC), final due (UTC), why
    ['Europe/Berlin', '2026-02-27T09:00:00.000Z', '2026-03-27T09:00:00.000Z', 'both in winter time'],
    ['Europe/Berlin', '2026-03-05T09:00:00.000Z', '2026-04-05T08:00:00.000Z', '10:00 CET → 10:00 CEST: an hour earlier in UTC'],
    ['Europe/Berlin', '2026-10-05T08:00:00.000Z', '2026-11-05T09:00:00.000Z', '10:00 CEST → 10:00 CET'],
    ['Europe/Berlin', '2026-09-25T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '02:30 CEST lands in the repeated hour: its first occurrence'],
    ['Europe/Berlin', '2027-02-28T01:30:00.000Z', '2027-03-28T01:30:00.000Z', '02:30 CET lands in the skipped hour of 28 March 2027: moved forward to 03:30 CEST'],
    ['Europe/Lisbon', '2026-03-10T12:00:00.000Z', '2026-04-10T11:00:00.000Z', '12:00 WET → 12:00 WEST'],
    ['Europe/Helsinki', '2026-10-10T09:00:00.000Z', '2026-11-10T10:00:00.000Z', '12:00 EEST → 12:00 EET'],
    ['Europe/Helsinki', '2026-01-31T10:00:00.000Z', '2026-02-28T10:00:00.000Z', '31 January + 1 month is 28 February'],
  ];
  for (const [zone, sent, due, why] of months) {
    test(`${zone}: final report one month after the notification sent ${sent} (${why})`, () => {
      const facts = open('2026-01-01T00:00:00Z', { submissions: [{ stage: 'notification', sentMs: at(sent) }], closedMs: at(sent) });
      const c = clock(facts, at(sent), zone, 'final');
      assert.equal(iso(c.dueMs), due);
      assert.equal(iso(addMonths(at(sent), 1, zone)), due);
    });
  }

  test('a wall time that does not exist moves forward by the gap; one that exists twice is its first occurrence', () => {
    assert.equal(iso(instantOf({ year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0, millisecond: 0 }, 'Europe/Berlin')), '2026-03-29T01:30:00.000Z');
    assert.equal(iso(instantOf({ year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0, millisecond: 0 }, 'Europe/Berlin')), '2026-10-25T00:30:00.000Z');
    assert.equal(iso(instantOf({ year: 2026, month: 10, day: 25, hour: 3, minute: 30, second: 0, millisecond: 0 }, 'Europe/Helsinki')), '2026-10-25T00:30:00.000Z');
  });
});

describe('clock states, the progress report, GDPR and reminders (INC-4, INC-6)', () => {
  const aware = '2026-10-24T10:00:00Z';
  const zone = 'Europe/Berlin';
  const states: [string, string, ClockId, string][] = [
    ['just aware: running', '2026-10-24T10:00:00Z', 'early-warning', 'running'],
    ['6 hours before due: due soon', '2026-10-25T04:00:00Z', 'early-warning', 'due-soon'],
    ['one millisecond after due: overdue', '2026-10-25T10:00:00.001Z', 'early-warning', 'overdue'],
    ['exactly at the due time: still due soon', '2026-10-25T10:00:00Z', 'early-warning', 'due-soon'],
    ['no notification sent yet: the final report waits', '2026-11-30T00:00:00Z', 'final', 'waiting'],
    ['no personal data: no GDPR clock', '2026-10-24T10:00:00Z', 'gdpr-art33', 'not-applicable'],
  ];
  for (const [name, now, id, state] of states) test(name, () => assert.equal(clock(open(aware), at(now), zone, id).state, state));

  test('a submission stops its clock: on time is met, after the due time met late', () => {
    const onTime = open(aware, { submissions: [{ stage: 'early-warning', sentMs: at('2026-10-25T09:00:00Z') }] });
    assert.equal(clock(onTime, at('2026-10-30T00:00:00Z'), zone, 'early-warning').state, 'met');
    const late = open(aware, { submissions: [{ stage: 'early-warning', sentMs: at('2026-10-25T11:00:00Z') }] });
    assert.equal(clock(late, at('2026-10-30T00:00:00Z'), zone, 'early-warning').state, 'met-late');
  });

  test('personal data breached: the GDPR Art. 33 clock runs 72 h in parallel', () => {
    const c = clock(open(aware, { personalDataBreach: true }), at('2026-10-27T10:00:01Z'), zone, 'gdpr-art33');
    assert.equal(c.state, 'overdue');
    assert.equal(iso(c.dueMs), '2026-10-27T10:00:00.000Z');
  });

  test('still open when the final report is due: a progress report is due then and the final report one month after handling ends', () => {
    const notified = [{ stage: 'notification', sentMs: at('2026-10-26T10:00:00Z') }];
    const before = open(aware, { submissions: notified });
    assert.equal(clock(before, at('2026-11-01T00:00:00Z'), zone, 'final').state, 'running');
    assert.equal(clock(before, at('2026-11-01T00:00:00Z'), zone, 'progress').state, 'not-applicable');
    const stillOpen = clock(before, at('2026-11-26T12:00:00Z'), zone, 'progress');
    assert.equal(stillOpen.state, 'overdue');
    assert.equal(iso(stillOpen.dueMs), '2026-11-26T10:00:00.000Z');
    assert.equal(clock(before, at('2026-11-26T12:00:00Z'), zone, 'final').state, 'waiting');
    const closedLate = open(aware, { submissions: notified, closedMs: at('2026-12-10T09:00:00Z') });
    assert.equal(iso(clock(closedLate, at('2026-12-11T00:00:00Z'), zone, 'final').dueMs), '2027-01-10T09:00:00.000Z');
  });

  test('reminders escalate: level 1 when due soon, level 2 when overdue, each once', () => {
    const soon = computeClocks(open(aware), at('2026-10-25T05:00:00Z'), zone);
    assert.deepEqual(dueReminders(soon, new Set()).map((r) => r.key), ['early-warning:1']);
    const late = computeClocks(open(aware), at('2026-10-27T00:00:00Z'), zone);
    assert.deepEqual(dueReminders(late, new Set(['early-warning:1'])).map((r) => r.key), ['early-warning:2', 'notification:1']);
    assert.deepEqual(dueReminders(late, new Set(['early-warning:2', 'notification:1'])), []);
  });
});
