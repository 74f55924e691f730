import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { KeyCache } from './key-cache.ts';

describe('key cache', () => {
  test('a cached key is returned as a copy until its time to live has passed', () => {
    const cache = new KeyCache({ ttlMs: 1000, max: 10 });
    const key = Buffer.alloc(32, 7);
    cache.set('a', Buffer.from(key), 0);
    const hit = cache.get('a', 999)!;
    assert.deepEqual(hit, key);
    hit.fill(1);
    assert.deepEqual(cache.get('a', 999), key);
    assert.equal(cache.get('a', 1000), undefined);
    assert.equal(cache.size, 0);
  });

  test('evicted keys are zeroed, whether expired, over the bound, deleted or cleared', () => {
    const cache = new KeyCache({ ttlMs: 1000, max: 2 });
    const keys = ['a', 'b', 'c', 'd', 'e'].map(() => Buffer.alloc(32, 9));
    const zeroed = (k: Buffer) => k.every((b) => b === 0);
    cache.set('a', keys[0]!, 0);
    cache.set('b', keys[1]!, 500);
    cache.set('c', keys[2]!, 500);
    assert.equal(cache.size, 2);
    assert.ok(zeroed(keys[0]!), 'the oldest key is zeroed when the bound is passed');
    cache.delete('b');
    assert.ok(zeroed(keys[1]!));
    cache.set('d', keys[3]!, 600);
    assert.equal(cache.get('c', 1500), undefined);
    assert.ok(zeroed(keys[2]!), 'an expired key is zeroed');
    cache.set('e', keys[4]!, 1500);
    cache.clear();
    assert.ok(zeroed(keys[3]!) && zeroed(keys[4]!));
    assert.equal(cache.size, 0);
  });

  test('a time to live of zero caches nothing', () => {
    const cache = new KeyCache({ ttlMs: 0, max: 10 });
    cache.set('a', Buffer.alloc(32, 1), 0);
    assert.equal(cache.get('a', 0), undefined);
  });
});
