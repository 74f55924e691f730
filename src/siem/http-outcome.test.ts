import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupBySize } from './byte-batches.ts';
import { outcomeOfStatus, retryAfterMs } from './http-outcome.ts';

test('Retry-After reads delta-seconds and HTTP dates (RFC 9110 §10.2.3), and ignores what it cannot read', () => {
  const now = Date.UTC(2026, 11, 7, 5, 0, 0);
  const cases: ReadonlyArray<readonly [string | string[] | undefined, number | undefined]> = [
    ['120', 120_000],
    [' 0 ', 0],
    [['5', '9'], 5000],
    ['Mon, 07 Dec 2026 05:00:30 GMT', 30_000],
    ['Mon, 07 Dec 2026 04:59:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
    ['-3', undefined],
  ];
  for (const [header, expected] of cases) assert.equal(retryAfterMs(header, now), expected, JSON.stringify(header));
});

test('HTTP statuses map to accepted, retryable (with the pause asked for) or dead-lettered', () => {
  const table: ReadonlyArray<readonly [number, boolean | 'ok']> = [
    [200, 'ok'], [204, 'ok'], [400, false], [401, true], [403, true], [404, false], [408, true], [413, false],
    [422, false], [429, true], [500, true], [502, true], [503, true], [504, true],
  ];
  for (const [status, expected] of table) {
    const outcome = outcomeOfStatus('X', status, '', 1000);
    if (expected === 'ok') assert.deepEqual(outcome, { ok: true });
    else assert.equal(!outcome.ok && outcome.retryable, expected, String(status));
  }
  assert.deepEqual(outcomeOfStatus('X', 429, 'busy\nnow', 2000), { ok: false, retryable: true, reason: 'X answered HTTP 429: busy now', retryAfterMs: 2000 });
  assert.deepEqual(outcomeOfStatus('X', 400, '', 2000), { ok: false, retryable: false, reason: 'X answered HTTP 400' }, 'no pause on a refusal');
});

test('groupBySize keeps order, fits separators and envelope under the limit, and stops at an item too large alone', () => {
  const items = [3, 3, 3, 3, 3];
  // envelope 2 + 3 + 1 + 3 = 9 ≤ 10; a third would make 13.
  assert.deepEqual(groupBySize(items, (n) => n, 10, 1, 2).groups, [[3, 3], [3, 3], [3]]);
  assert.deepEqual(groupBySize([1, 2, 3], (n) => n, 100).groups, [[1, 2, 3]]);
  assert.deepEqual(groupBySize([], (n: number) => n, 10).groups, []);
  const stopped = groupBySize([3, 3, 9, 3], (n) => n, 10, 1, 2);
  assert.equal(stopped.tooLarge, 2);
  assert.deepEqual(stopped.groups, [[3, 3]], 'nothing after the oversized item');
  for (const group of groupBySize(Array.from({ length: 50 }, (_, i) => (i * 7) % 13 + 1), (n) => n, 20, 1, 2).groups) {
    assert.ok(2 + group.reduce((a, b) => a + b, 0) + group.length - 1 <= 20);
  }
});
