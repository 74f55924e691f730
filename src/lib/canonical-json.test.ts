import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { canonicalJson, type JsonValue } from './canonical-json.ts';
import { canonicalJson2026 } from '../../test/helpers/canonical-json-2026.ts';
import { seededRandom } from '../../test/helpers/seeded-random.ts';

/** An independent reference: RFC 8785 key order and escaping, written from the spec. */
function reference(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort((a, b) => {
      // Compare by UTF-16 code units, as RFC 8785 §3.2.3 says.
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.charCodeAt(i) - b.charCodeAt(i);
      return a.length - b.length;
    });
  return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(',')}}`;
}

test('keys are sorted by UTF-16 code units, with no whitespace', () => {
  assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 0, y: -5 } }), '{"a":[true,null,"x"],"b":1,"c":{"y":-5,"z":0}}');
  assert.equal(canonicalJson({ '\u00e9': 1, z: 2, '\ud83d\ude00': 3, A: 4 }), '{"A":4,"z":2,"é":1,"😀":3}');
  assert.equal(canonicalJson({ s: 'line\nbreak "quoted" \\ \u0001' }), '{"s":"line\\nbreak \\"quoted\\" \\\\ \\u0001"}');
});

test('array-index keys keep string order (JSON.stringify alone would put them first, numerically)', () => {
  assert.equal(canonicalJson({ b: 0, '10': 1, '9': 2, a: { '2': true, '1': false } }), '{"10":1,"9":2,"a":{"1":false,"2":true},"b":0}');
});

test('undefined members are omitted; values canonical JSON cannot hold are refused', () => {
  assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
  for (const bad of [1.5, Number.NaN, 2 ** 53, '\ud800', [undefined], new Date(0), { k: () => 1 }]) {
    assert.throws(() => canonicalJson(bad as unknown as JsonValue), TypeError, inspect(bad));
  }
  let deep: JsonValue = 0;
  for (let i = 0; i < 70; i++) deep = [deep];
  assert.throws(() => canonicalJson(deep), /deeper/);
});

test('random values encode exactly as the reference writer does', () => {
  const rnd = seededRandom(20261128);
  const alphabet = ['a', 'b', 'B', '_', '0', '1', '9', '10', 'é', '😀', ' ', '"', '\\', '\n'];
  const key = () => Array.from({ length: 1 + rnd.int(0, 4) }, () => alphabet[rnd.int(0, alphabet.length)]).join('');
  const gen = (depth: number): JsonValue => {
    const kind = depth > 3 ? rnd.int(0, 4) : rnd.int(0, 6);
    if (kind === 0) return rnd.int(0, 2) === 0;
    if (kind === 1) return rnd.int(0, 2_000_001) - 1_000_000;
    if (kind === 2) return key();
    if (kind === 3) return null;
    if (kind === 4) return Array.from({ length: rnd.int(0, 4) }, () => gen(depth + 1));
    const o: Record<string, JsonValue> = {};
    for (let i = rnd.int(0, 5); i > 0; i--) o[key()] = gen(depth + 1);
    return o;
  };
  for (let i = 0; i < 3000; i++) {
    const value = gen(0);
    assert.equal(canonicalJson(value), reference(value));
  }
});

/** Inputs where a faster encoder could drift from the one every existing leaf was written by. */
const tricky: readonly [string, JsonValue][] = [
  ['unicode keys and values', { é: 'café', 'e\u0301': 'é', A: '😀', z: '\u2028\u2029', 日本: '語', 'ﬀ': '\ufeff' }],
  ['escapes', { s: '"\\/\b\f\n\r\t\u0000\u001f\u007f\u0080', '"k"': '\\', '\n': 1 }],
  ['numbers', { zero: 0, negZero: -0, min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, big: 1e15, neg: -42 }],
  ['key order by UTF-16 code units', { b: 1, a: 2, B: 3, _: 4, aa: 5, 'a\u0000': 6, '😀': 7, '\uffff': 8, '': 9 }],
  ['nested, in order outside and out of order inside', { a: { d: 1, c: [{ z: 1, y: 2 }, 3] }, b: [[{ b: 1, a: 0 }]], c: 'x' }],
  ['in order with undefined members at every depth', { a: undefined, b: { c: undefined, d: [1, { e: undefined, f: 2 }] }, g: undefined }],
  ['out of order with undefined members', { z: undefined, b: 1, a: undefined, c: { y: 1, x: undefined } }],
  ['array-index keys', { '10': 1, '9': 2, '01': 3, '0': 4, a: { '2': true, '1': false, '-1': null }, '1a': 5 }],
  ['array-index keys deep inside an in-order object', { a: 1, b: { c: { '7': 'x', '10': 'y' } } }],
  ['empty containers and scalars', { a: {}, b: [], c: [[]], d: [{}], e: null, f: true, g: false, h: '' }],
  ['a bare array and bare scalars', [3, 'x', null, { b: 2, a: 1 }, [false]]],
  ['a string', 'just "text"\n'],
  ['null', null],
  [
    'an audit leaf record',
    {
      activity_id: 1,
      actor: { id: 'user:5f0c', kind: 'user' },
      camera_id: 'cam-1',
      class_uid: 3002,
      correlation_id: undefined,
      details: { bytes: 3000000, fromMs: 1800000000000, note: 'Zoë "quoted"\tline', sha256: 'ab'.repeat(32) },
      id: '9b2b0c47-8a43-4f8e-9e43-0a7d4f1d2c11',
      outcome: 'failure',
      personal: { sha256: 'cd'.repeat(32), subject: 'user:5f0c' },
      reason: undefined,
      seq: 123456,
      severity_id: 1,
      target: { id: 'seg-1', kind: 'segment', name: 'Entrée 😀' },
      time: '2026-12-07T23:00:00.000Z',
      type: 'auth.login.failed',
      type_uid: 300201,
      v: 1,
    },
  ],
];

test('the encoder writes the same bytes as the encoder of every existing leaf (2026-11), on tricky inputs', () => {
  for (const [name, value] of tricky) {
    assert.equal(canonicalJson(value), canonicalJson2026(value), name);
    assert.equal(canonicalJson(value), reference(value), name);
  }
});

test('the encoder refuses exactly what the encoder of every existing leaf refused', () => {
  const deep = (n: number): JsonValue => (n === 0 ? 0 : { a: deep(n - 1) });
  const bad: unknown[] = [1.5, Number.NaN, Infinity, 2 ** 53, -(2 ** 53), '\ud800', { ok: 1, k: '\udc00x' }, { '\ud800': 1 }, [1, undefined], { a: [new Date(0)] }, { k: () => 1 }, 10n, Object.create(null), deep(70), [deep(64)]];
  for (const value of bad) {
    assert.throws(() => canonicalJson2026(value as JsonValue), TypeError, inspect(value));
    assert.throws(() => canonicalJson(value as JsonValue), TypeError, inspect(value));
  }
  assert.equal(canonicalJson(deep(64)), canonicalJson2026(deep(64)));
});

test('random values with undefined members encode exactly as the encoder of 2026-11 does', () => {
  const rnd = seededRandom(20261207);
  const alphabet = ['a', 'b', 'B', '_', '0', '1', '9', '10', 'é', '😀', ' ', '"', '\\', '\n', '\u2028'];
  const key = () => Array.from({ length: 1 + rnd.int(0, 4) }, () => alphabet[rnd.int(0, alphabet.length)]).join('');
  const gen = (depth: number): JsonValue | undefined => {
    const kind = depth > 3 ? rnd.int(0, 5) : rnd.int(0, 7);
    if (kind === 0) return rnd.int(0, 2) === 0;
    if (kind === 1) return rnd.int(0, 2_000_001) - 1_000_000;
    if (kind === 2) return key();
    if (kind === 3) return null;
    if (kind === 4) return depth === 0 ? null : undefined;
    if (kind === 5) return Array.from({ length: rnd.int(0, 4) }, () => gen(depth + 1) ?? null);
    // Half the objects are built in canonical order, as the ledger builds its records.
    const keys = Array.from({ length: rnd.int(0, 6) }, key);
    if (rnd.int(0, 2) === 0) keys.sort();
    const o: Record<string, JsonValue | undefined> = {};
    for (const k of keys) o[k] = gen(depth + 1);
    return o;
  };
  for (let i = 0; i < 5000; i++) {
    const value = gen(0) as JsonValue;
    assert.equal(canonicalJson(value), canonicalJson2026(value));
  }
});
