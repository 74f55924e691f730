import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deviceDefaultPasswords } from './common-passwords.ts';
import { createPasswordPolicy, type PasswordContext } from './password-policy.ts';

const iam3 = createPasswordPolicy({ minLength: 14, minLengthWithMfa: 8 });
/** A policy with no practical length floor, to reach the rules behind the length check. */
const loose = createPasswordPolicy({ minLength: 1, minLengthWithMfa: 1 });

const plain: PasswordContext = { username: 'jdoe', hasMfa: false };
const mfa: PasswordContext = { username: 'jdoe', hasMfa: true };

describe('password policy check', () => {
  // [behaviour, policy, password, context, expected reason (null: accepted)]
  const cases: [string, typeof iam3, string, PasswordContext, RegExp | null][] = [
    ['accepts a 14-character unlisted passphrase without a second factor', iam3, 'glacier-lamp-x', plain, null],
    ['refuses 13 characters without a second factor and says what MFA allows', iam3, 'Tq8#vLm2pXr9w', plain, /^Use at least 14 characters, or 8 once a second factor is set up\.$/],
    ['accepts 8 characters with a second factor', iam3, 'Tq8#vLm2', mfa, null],
    ['refuses 7 characters with a second factor', iam3, 'Tq8#vLm', mfa, /^Use at least 8 characters\.$/],
    ['counts characters as code points, not UTF-16 units', iam3, '🦊🐢🦉🐙🦔🐝🦀', plain, /at least 14/],
    ['accepts 8 astral characters with a second factor', iam3, '🦊🐢🦉🐙🦔🐝🦀🐳', mfa, null],
    ['accepts 1024 characters', iam3, 'Xy7-'.repeat(256), plain, null],
    ['refuses 1025 characters', iam3, `${'Xy7-'.repeat(256)}q`, plain, /^Use at most 1024 characters\.$/],
    ['refuses one character repeated', iam3, 'a'.repeat(20), plain, /single character repeated/],
    ['refuses one astral character repeated', iam3, '🦊'.repeat(14), plain, /single character repeated/],
    ['accepts a repeated character followed by another', iam3, `${'a'.repeat(19)}b`, plain, null],
    ['refuses the user name as the password, ignoring case', iam3, 'Jane.Doe@Example.EU', { username: 'jane.doe@example.eu', hasMfa: false }, /user name/],
    ['refuses a password containing the user name', iam3, 'river-jdoe-stone-42', plain, /user name/],
    ['refuses the user name inside the password in another case', iam3, 'river-JDoe-stone-42', plain, /user name/],
    ['ignores spaces around the stored user name', iam3, 'river-jdoe-stone-42', { username: ' jdoe ', hasMfa: false }, /user name/],
    ['lets a password contain a user name shorter than 3 characters', iam3, 'totally-unusual-phrase', { username: 'al', hasMfa: false }, null],
    ['still refuses a 2-character user name as the whole password', loose, 'AL', { username: 'al', hasMfa: false }, /user name/],
    ['does not apply the user-name rule to an empty user name', loose, 'unusual-phrase', { username: '', hasMfa: false }, null],
    ['refuses a common password from the zxcvbn list', iam3, 'iloveyou', mfa, /list of common or leaked passwords/],
    ['refuses a common password in another case', iam3, 'ILoveYou', mfa, /list of common or leaked passwords/],
    ['refuses a long common password', iam3, 'iseedeadpeople', plain, /list of common or leaked passwords/],
    ['refuses a camera default password', iam3, 'Admin1234', mfa, /list of common or leaked passwords/],
    ['refuses the Mirai credential 7ujMko0admin', iam3, '7ujmko0ADMIN', mfa, /list of common or leaked passwords/],
    ['refuses the Mobotix default meinsm', loose, 'MeinSM', plain, /list of common or leaked passwords/],
    ['refuses the Ubiquiti default ubnt', loose, 'ubnt', plain, /list of common or leaked passwords/],
    ['accepts an unlisted short password when the policy allows it', loose, 'zq7v', plain, null],
  ];

  for (const [name, policy, password, context, reason] of cases) {
    test(`check ${name}`, () => {
      const verdict = policy.check(password, context);
      if (reason === null) {
        assert.deepEqual(verdict, { ok: true });
        return;
      }
      assert.equal(verdict.ok, false);
      if (verdict.ok) return;
      assert.match(verdict.reason, reason);
      assert.ok(!verdict.reason.toLowerCase().includes(password.toLowerCase()), 'the reason must not echo the password');
      assert.ok(!/[\r\n]/.test(verdict.reason), 'the reason is one line');
    });
  }

  test('refuses every shipped device default password', () => {
    const accepted = deviceDefaultPasswords.filter((word) => loose.check(word, { username: '', hasMfa: true }).ok);
    assert.deepEqual(accepted, []);
  });

  test('gives the same verdicts on repeated calls (the list is loaded once and kept)', () => {
    const policy = createPasswordPolicy({ minLength: 8, minLengthWithMfa: 8 });
    for (let i = 0; i < 3; i++) {
      assert.equal(policy.check('sunshine1', plain).ok, false);
      assert.equal(policy.check('glacier-lantern', plain).ok, true);
    }
  });
});
