/**
 * The console's copy of the server's session clock (web/src/console/idle-clock.ts): when it
 * warns, when it ends (idleness or the absolute limit), and how it reads GET /auth/session.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idlePhase, keepAliveAfterMs, limitsOf, warnBeforeMs } from '../../web/src/console/idle-clock.ts';

const minute = 60_000;
const start = 1_000_000;

test('a 15-minute session is active until a minute before its end, warns with the seconds left, then ends', () => {
  const limits = { idleMs: 15 * minute, absoluteEndMs: null };
  const cases: Array<[number, ReturnType<typeof idlePhase>]> = [
    [0, { phase: 'active' }],
    [14 * minute - 1, { phase: 'active' }],
    [14 * minute, { phase: 'warning', secondsLeft: 60 }],
    [14 * minute + 59_500, { phase: 'warning', secondsLeft: 1 }],
    [15 * minute, { phase: 'ended' }],
    [16 * minute, { phase: 'ended' }],
  ];
  for (const [elapsed, expected] of cases) assert.deepEqual(idlePhase(start + elapsed, start, limits), expected, `${elapsed} ms idle`);
});

test('the absolute limit ends a session however active it is, with the same warning before', () => {
  const limits = { idleMs: 15 * minute, absoluteEndMs: start + 5 * minute };
  assert.deepEqual(idlePhase(start + 4 * minute, start + 4 * minute, limits), { phase: 'warning', secondsLeft: 60 });
  assert.deepEqual(idlePhase(start + 5 * minute, start + 5 * minute, limits), { phase: 'ended' });
});

test('a short timeout warns for half of it and keeps alive after a quarter', () => {
  assert.equal(warnBeforeMs(minute), 30_000);
  assert.equal(keepAliveAfterMs(minute), 15_000);
  assert.equal(warnBeforeMs(15 * minute), minute);
  assert.equal(keepAliveAfterMs(15 * minute), 30_000);
});

test('the limits come from GET /api/v1/auth/session', () => {
  assert.deepEqual(limitsOf({ idleTimeoutSeconds: 120, absoluteEndsAt: '2026-12-07T20:00:00.000Z' }), { idleMs: 120_000, absoluteEndMs: Date.parse('2026-12-07T20:00:00.000Z') });
  assert.deepEqual(limitsOf({ idleTimeoutSeconds: 900, absoluteEndsAt: 'never' }), { idleMs: 900_000, absoluteEndMs: null });
});
