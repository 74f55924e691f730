import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode } from './recovery-codes.ts';

const shape = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/;

describe('generateRecoveryCodes', () => {
  test('returns ten codes by default', () => assert.equal(generateRecoveryCodes().length, 10));
  test('returns the number asked for', () => assert.equal(generateRecoveryCodes(3).length, 3));

  test('writes each code as xxxx-xxxx-xxxx in Crockford base32 without i, l, o or u', () => {
    for (const code of generateRecoveryCodes(200)) assert.match(code, shape);
  });

  test('draws codes with at least 60 bits: 12 characters from a 32-letter alphabet', () => {
    const [code] = generateRecoveryCodes(1);
    const chars = code!.replaceAll('-', '');
    assert.ok(chars.length * Math.log2(32) >= 60);
  });

  test('uses every letter of the alphabet and no repeats across a large batch', () => {
    const codes = generateRecoveryCodes(1000);
    assert.equal(new Set(codes).size, codes.length);
    const letters = new Set(codes.join('').replaceAll('-', ''));
    assert.equal(letters.size, 32);
  });

  test('spreads letters evenly (chi-squared below the one-in-a-million critical value)', () => {
    const counts = new Map<string, number>();
    const text = generateRecoveryCodes(2000).join('').replaceAll('-', '');
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const expected = text.length / 32;
    const chi2 = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    assert.ok(chi2 < 83.6, `chi-squared ${chi2.toFixed(1)} with 31 degrees of freedom`);
  });
});

describe('normaliseRecoveryCode', () => {
  const cases: [string, string, string][] = [
    ['removes dashes', 'abcd-efgh-jkmn', 'abcdefghjkmn'],
    ['lower-cases', 'ABCD-EFGH-JKMN', 'abcdefghjkmn'],
    ['removes spaces, tabs and repeated dashes', ' abcd efgh\t--jkmn ', 'abcdefghjkmn'],
    ['reads i and l as 1 and o as 0, as Crockford does', 'IL0O-ilOo-1234', '11001100' + '1234'],
  ];
  for (const [name, input, expected] of cases) test(`normaliseRecoveryCode ${name}`, () => assert.equal(normaliseRecoveryCode(input), expected));
});

describe('hashRecoveryCode', () => {
  test('is the SHA-256 hex of the normalised code', () => {
    assert.equal(hashRecoveryCode('AB12-cd34-EF56'), createHash('sha256').update('ab12cd34ef56').digest('hex'));
  });

  test('gives the known SHA-256 of "abc" for the code "ABC"', () => {
    assert.equal(hashRecoveryCode('A-B-C'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('matches a code however it is typed', () => {
    const [code] = generateRecoveryCodes(1);
    const typed = ` ${code!.toUpperCase().replaceAll('-', ' ').replaceAll('1', 'l').replaceAll('0', 'O')} `;
    assert.equal(hashRecoveryCode(typed), hashRecoveryCode(code!));
  });

  test('differs for different codes', () => {
    const [a, b] = generateRecoveryCodes(2);
    assert.notEqual(hashRecoveryCode(a!), hashRecoveryCode(b!));
  });
});
