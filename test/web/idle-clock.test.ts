/**
 * The console's copy of the server's idle clock (web/src/console/idle-clock.ts): when it warns,
 * when it ends, and how it reads the timeout the server announces in the page. Pure values.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { announcedIdleMs, idlePhase, keepAliveAfterMs, warnBeforeMs } from '../../web/src/console/idle-clock.ts';

const minute = 60_000;

test('a 15-minute session is active until a minute before its end, warns with the seconds left, then ends', () => {
  const cases: Array<[number, ReturnType<typeof idlePhase>]> = [
    [0, { phase: 'active' }],
    [14 * minute - 1, { phase: 'active' }],
    [14 * minute, { phase: 'warning', secondsLeft: 60 }],
    [14 * minute + 59_500, { phase: 'warning', secondsLeft: 1 }],
    [15 * minute, { phase: 'ended' }],
    [16 * minute, { phase: 'ended' }],
  ];
  for (const [elapsed, expected] of cases) assert.deepEqual(idlePhase(1_000_000 + elapsed, 1_000_000, 15 * minute), expected, `${elapsed} ms idle`);
});

test('a short timeout warns for half of it and keeps alive after a quarter', () => {
  assert.equal(warnBeforeMs(minute), 30_000);
  assert.equal(keepAliveAfterMs(minute), 15_000);
  assert.equal(warnBeforeMs(15 * minute), minute);
  assert.equal(keepAliveAfterMs(15 * minute), 30_000);
});

test('the announced timeout comes from the meta element, else 15 minutes', () => {
  const doc = (content: string | null) => ({ querySelector: () => (content === null ? null : { getAttribute: () => content }) }) as unknown as Pick<Document, 'querySelector'>;
  assert.equal(announcedIdleMs(doc('120')), 120_000);
  assert.equal(announcedIdleMs(doc(null)), 15 * minute);
  assert.equal(announcedIdleMs(doc('nonsense')), 15 * minute);
  assert.equal(announcedIdleMs(doc('0')), 15 * minute);
});
