import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRfc3339, readCanonicalJson } from './strict-json.ts';

test('RFC 3339 times are read to the millisecond, offsets applied, impossible dates refused', () => {
  const cases: Array<[string, number | undefined]> = [
    ['2025-01-15T10:00:00Z', Date.UTC(2025, 0, 15, 10)],
    ['2025-01-15T10:00:00.5Z', Date.UTC(2025, 0, 15, 10) + 500],
    ['2025-01-15T10:00:00.570Z', Date.UTC(2025, 0, 15, 10) + 570],
    ['2025-01-15T10:00:00.123456789Z', Date.UTC(2025, 0, 15, 10) + 123],
    ['2025-01-15T12:30:00+02:30', Date.UTC(2025, 0, 15, 10)],
    ['2025-01-15T08:00:00-02:00', Date.UTC(2025, 0, 15, 10)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2025-02-29T00:00:00Z', undefined],
    ['2025-02-30T00:00:00Z', undefined],
    ['2025-13-01T00:00:00Z', undefined],
    ['2025-01-15T24:00:00Z', undefined],
    ['2025-01-15T10:60:00Z', undefined],
    ['2025-01-15T10:00:60Z', undefined],
    ['2025-01-15 10:00:00Z', undefined],
    ['2025-01-15t10:00:00z', undefined],
    ['2025-01-15T10:00:00', undefined],
    ['1736935200000', undefined],
  ];
  for (const [text, expected] of cases) assert.equal(parseRfc3339(text), expected, text);
  assert.equal(parseRfc3339('2025-01-15T12:30:00+02:30', true), undefined);
  assert.equal(parseRfc3339(12), undefined);
});

test('only the exact canonical spelling of a JSON value is accepted', () => {
  assert.deepEqual(readCanonicalJson(Buffer.from('{"a":1,"b":[true,null,"é"]}')), { ok: true, value: { a: 1, b: [true, null, 'é'] } });
  const refused: Array<[Buffer, RegExp]> = [
    [Buffer.from('{"b":1,"a":2}'), /not canonical/],
    [Buffer.from('{"a": 1}'), /not canonical/],
    [Buffer.from('{"a":1}\n'), /not canonical/],
    [Buffer.from('{"a":1,"a":2}'), /not canonical/],
    [Buffer.from('{"a":"\\u00e9"}'), /not canonical/],
    [Buffer.from('{"a":1.5}'), /not canonical/],
    [Buffer.from('{"a":1.0}'), /not canonical/],
    [Buffer.from('{"a":1'), /not valid JSON/],
    [Buffer.from([0x7b, 0xff, 0x7d]), /not valid UTF-8/],
    [Buffer.from('\ufeff{}'), /not valid JSON/],
  ];
  for (const [bytes, reason] of refused) {
    const result = readCanonicalJson(bytes);
    assert.equal(result.ok, false, bytes.toString());
    if (!result.ok) assert.match(result.reason, reason, bytes.toString());
  }
});
