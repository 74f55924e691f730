import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mediaTypeOf } from './media-type.ts';

test('the media type of a Content-Type header is its type/subtype, trimmed and lower-cased', () => {
  const cases: [string | string[] | undefined, string | undefined][] = [
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
    ['Application/X-WWW-Form-Urlencoded', 'application/x-www-form-urlencoded'],
    ['  application/x-www-form-urlencoded ; charset=utf-8', 'application/x-www-form-urlencoded'],
    ['APPLICATION/JSON;charset=UTF-8', 'application/json'],
    [['Text/Plain', 'application/json'], 'text/plain'],
    ['', undefined],
    [' ; charset=utf-8', undefined],
    [undefined, undefined],
  ];
  for (const [header, expected] of cases) assert.equal(mediaTypeOf(header), expected, JSON.stringify(header));
});
