import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LeafRecord } from '../../audit/audit-event.ts';
import { afterFailure, afterSuccess, alarmDue, healthy, passesFilter, retryDelayMs } from './delivery-rules.ts';

const rec = (type: string, severity: number) => ({ type, severity_id: severity }) as unknown as LeafRecord;

test('the filter takes exact types, prefixes ending in a dot, and a minimum severity', () => {
  const f = { types: ['auth.', 'camera.deleted'], minSeverity: 2 };
  assert.equal(passesFilter(rec('auth.login.failed', 2), f), true);
  assert.equal(passesFilter(rec('auth.login.failed', 1), f), false, 'below the minimum severity');
  assert.equal(passesFilter(rec('camera.deleted', 2), f), true);
  assert.equal(passesFilter(rec('camera.deleted.more', 2), f), false, 'an exact type is not a prefix');
  assert.equal(passesFilter(rec('authx.thing', 5), f), false, 'a prefix matches at a dot');
  assert.equal(passesFilter(rec('anything', 1), { types: [], minSeverity: 1 }), true, 'empty = every type');
});

test('retry waits double from 250 ms up to the cap, jittered between half and all, and a longer Retry-After wins', () => {
  assert.equal(retryDelayMs(1, 60_000, 0), 125);
  assert.ok(retryDelayMs(1, 60_000, 0.999999) < 250 && retryDelayMs(1, 60_000, 0.999999) > 249.9);
  assert.equal(retryDelayMs(3, 60_000, 0.5), 750);
  assert.equal(retryDelayMs(40, 60_000, 0), 30_000, 'capped, then halved by the jitter at most');
  assert.equal(retryDelayMs(40, 60_000, 0.99999999) <= 60_000, true);
  assert.equal(retryDelayMs(1, 60_000, 0, 5000), 5000, 'Retry-After');
  assert.equal(retryDelayMs(1, 2000, 0, 5000), 2000, 'Retry-After is capped too');
});

test('a failing destination is alarmed once, after the threshold, and its recovery is reported only when it was alarmed', () => {
  let s = healthy;
  let v;
  ({ state: s, verdict: v } = afterFailure(s, 1000, 5000));
  assert.deepEqual([s.failingSinceMs, s.failures, s.alarmed, v], [1000, 1, false, 'none']);
  ({ state: s, verdict: v } = afterFailure(s, 6000, 5000));
  assert.equal(v, 'none', 'exactly the threshold is not longer than it');
  assert.equal(alarmDue(s, 6001, 5000), true);
  ({ state: s, verdict: v } = afterFailure(s, 6001, 5000));
  assert.deepEqual([s.alarmed, v], [true, 'alarm']);
  ({ state: s, verdict: v } = afterFailure(s, 60_000, 5000));
  assert.equal(v, 'none', 'once per episode');
  assert.equal(alarmDue(s, 60_000, 5000), false);
  assert.deepEqual(afterSuccess(s), { state: healthy, verdict: 'recovered' });
  assert.deepEqual(afterSuccess(afterFailure(healthy, 0, 5000).state), { state: healthy, verdict: 'none' });
});
