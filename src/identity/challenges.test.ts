import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingStore } from './challenges.ts';

test('an entry is taken once, and not after it expires', () => {
  let now = 1_000;
  const store = new PendingStore<string>({ now: () => now }, 60_000);
  const a = store.put('a', 'client-1');
  const b = store.put('b', 'client-1');
  assert.equal(store.take(a), 'a');
  assert.equal(store.take(a), undefined, 'single use');
  now += 60_000;
  assert.equal(store.take(b), undefined, 'expired');
});

test('one owner flooding the store evicts only its own oldest entries, and the total stays bounded', () => {
  const store = new PendingStore<number>({ now: () => 0 }, 60_000, { max: 50, perOwner: 5 });
  const victim = store.put(-1, 'victim');
  const flood = Array.from({ length: 200 }, (_, i) => store.put(i, 'attacker'));
  assert.equal(store.take(victim), -1, 'another owner\'s entry survives the flood');
  assert.deepEqual(flood.slice(0, 195).map((id) => store.take(id)).filter((v) => v !== undefined), [], 'only the attacker\'s newest five remain');
  assert.deepEqual(flood.slice(195).map((id) => store.take(id)), [195, 196, 197, 198, 199]);
  const many = Array.from({ length: 80 }, (_, i) => store.put(i, `client-${i}`));
  assert.equal(many.map((id) => store.take(id)).filter((v) => v !== undefined).length, 50, 'at most max entries in all');
});
