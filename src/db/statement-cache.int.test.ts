import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { cachingStatements } from './statement-cache.ts';

test('a statement is prepared once per SQL text and re-used, the least recently used dropped past the capacity', () => {
  const sqlite = new BetterSqlite3(':memory:');
  const db = cachingStatements(sqlite, 2);
  try {
    const a = db.prepare('select 1 as x');
    assert.equal(db.prepare('select 1 as x'), a);
    const b = db.prepare('select 2 as x');
    db.prepare('select 1 as x');
    db.prepare('select 3 as x');
    assert.equal(db.prepare('select 1 as x'), a, 'recently used: kept');
    assert.notEqual(db.prepare('select 2 as x'), b, 'least recently used: prepared again');
    assert.deepEqual(a.all([]), [{ x: 1 }]);
  } finally {
    db.close();
  }
});

test('a statement still iterating is not handed out twice, and a schema change does not break a cached one', () => {
  const sqlite = new BetterSqlite3(':memory:');
  const db = cachingStatements(sqlite);
  try {
    db.prepare('create table t (v integer)').run([]);
    db.prepare('insert into t values (?), (?)').run([1, 2]);
    const iterating = db.prepare('select v from t order by v').iterate([]);
    assert.deepEqual(iterating.next().value, { v: 1 });
    assert.deepEqual(db.prepare('select v from t order by v').all([]), [{ v: 1 }, { v: 2 }]);
    assert.deepEqual(iterating.next().value, { v: 2 });
    iterating.return?.();
    db.prepare('alter table t add column w text').run([]);
    assert.deepEqual(db.prepare('select v from t order by v').all([]), [{ v: 1 }, { v: 2 }]);
  } finally {
    db.close();
  }
});
