import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../../lib/errors.ts';
import { base32Decode, base32Encode } from './base32.ts';

/** RFC 4648 §10 test vectors. */
const rfc4648: [string, string][] = [
  ['', ''],
  ['f', 'MY======'],
  ['fo', 'MZXQ===='],
  ['foo', 'MZXW6==='],
  ['foob', 'MZXW6YQ='],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI======'],
];

describe('base32', () => {
  for (const [plain, encoded] of rfc4648) {
    test(`encodes "${plain}" as the RFC 4648 vector "${encoded}"`, () => {
      assert.equal(base32Encode(Buffer.from(plain), { padding: true }), encoded);
      assert.equal(base32Encode(Buffer.from(plain)), encoded.replace(/=+$/, ''));
    });
    test(`decodes the RFC 4648 vector "${encoded}", padded, unpadded and lower-case`, () => {
      assert.equal(base32Decode(encoded).toString(), plain);
      assert.equal(base32Decode(encoded.replace(/=+$/, '')).toString(), plain);
      assert.equal(base32Decode(encoded.toLowerCase()).toString(), plain);
    });
  }

  test('round-trips every length from 0 to 64 bytes of arbitrary data', () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 151 + n * 7) & 0xff));
      assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
    }
  });

  const invalid: [string, string][] = [
    ['a character outside the alphabet', 'MZXW1==='],
    ['a length no encoding produces', 'MZX'],
    ['non-zero trailing bits', 'MZ'],
    ['padding to a length that is not a multiple of 8', 'MZXQ=='],
    ['an embedded space', 'MZXW 6YTB'],
  ];
  for (const [name, text] of invalid) {
    test(`refuses ${name} with VALIDATION_FAILED`, () => {
      assert.throws(() => base32Decode(text), (e) => isAppError(e, 'VALIDATION_FAILED'));
    });
  }
});
