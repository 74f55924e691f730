import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefusalSummary } from './refusal-summary.ts';

test('one refusal per key and window is reported, carrying the count of those it summarises', () => {
  const summary = new RefusalSummary(60_000);
  assert.equal(summary.refused('a', 0), 1, 'the first refusal is reported at once');
  assert.equal(summary.refused('a', 1_000), null);
  assert.equal(summary.refused('a', 59_999), null);
  assert.equal(summary.refused('b', 2_000), 1, 'keys are apart');
  assert.equal(summary.refused('a', 60_000), 3, 'the next window reports the two held back and itself');
  assert.equal(summary.refused('a', 200_000), 1);
});

test('at most maxKeys keys are held; the oldest is dropped first', () => {
  const summary = new RefusalSummary(60_000, 2);
  summary.refused('a', 0);
  summary.refused('b', 0);
  summary.refused('c', 0);
  assert.equal(summary.refused('a', 1), 1, 'a was dropped, so it reports again');
  assert.equal(summary.refused('c', 1), null);
});
