import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { canonicalJson, type JsonValue } from './canonical-json.ts';
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
