import { createRequire } from 'node:module';
import type * as ZxcvbnCommon from '@zxcvbn-ts/language-common';
import { deviceDefaultPasswords } from './common-passwords.ts';

/**
 * The password policy (IAM-3): a length that depends on whether the account has a second
 * factor, no common, breached or device-default password, not the user name, not one
 * character repeated. It refuses with one line of reason the user can act on; the reason
 * MUST NOT contain the password.
 */

/** Longest password accepted, in characters (Unicode code points). */
export const MAX_PASSWORD_LENGTH = 1024;

/** User names shorter than this are refused only as the whole password, not as a part of it. */
const MIN_USERNAME_TO_CONTAIN = 3;

/** What the policy needs to know about the account besides the password. */
export interface PasswordContext {
  readonly username: string;
  /** True when the account has (or is enrolling) a second factor. */
  readonly hasMfa: boolean;
}

/** Lengths from the config (`identity.passwordMinLength`, `identity.passwordMinLengthWithMfa`). */
export interface PasswordPolicyOptions {
  /** Minimum length, in characters, without a second factor (IAM-3 default 14). */
  readonly minLength: number;
  /** Minimum length, in characters, with a second factor (IAM-3 default 8). */
  readonly minLengthWithMfa: number;
}

/** The verdict on a candidate password. */
export type PasswordVerdict = { ok: true } | { ok: false; reason: string };

/** A configured password policy (it satisfies users.service.ts's `PasswordRules`). */
export interface PasswordPolicy {
  /** Judges a candidate password for the account described by `context`. */
  check(password: string, context: PasswordContext): PasswordVerdict;
}

/**
 * Builds the policy. The common-password list (about 50,000 entries from
 * `@zxcvbn-ts/language-common` plus {@link deviceDefaultPasswords}) is loaded on the first
 * check, not before, and kept for the policy's lifetime.
 */
export function createPasswordPolicy({ minLength, minLengthWithMfa }: PasswordPolicyOptions): PasswordPolicy {
  let common: Set<string> | null = null;
  const isCommon = (password: string): boolean => {
    common ??= loadCommonPasswords();
    return common.has(password.toLowerCase());
  };

  return {
    check(password, { username, hasMfa }) {
      const length = [...password].length;
      const required = hasMfa ? minLengthWithMfa : minLength;
      if (length < required) {
        const hint = !hasMfa && minLengthWithMfa < minLength ? `, or ${minLengthWithMfa} once a second factor is set up` : '';
        return refuse(`Use at least ${required} characters${hint}.`);
      }
      if (length > MAX_PASSWORD_LENGTH) return refuse(`Use at most ${MAX_PASSWORD_LENGTH} characters.`);
      if (/^(.)\1*$/su.test(password)) return refuse('Do not use a single character repeated.');
      const name = username.trim().toLowerCase();
      const lower = password.toLowerCase();
      if (name !== '' && (lower === name || (name.length >= MIN_USERNAME_TO_CONTAIN && lower.includes(name)))) {
        return refuse('Do not use your user name in the password.');
      }
      if (isCommon(password)) return refuse('This password is on a list of common or leaked passwords; choose another.');
      return { ok: true };
    },
  };
}

function refuse(reason: string): PasswordVerdict {
  return { ok: false, reason };
}

function loadCommonPasswords(): Set<string> {
  // Loaded with require, on first use: the package decompresses its lists when evaluated.
  const require = createRequire(import.meta.url);
  const { dictionary } = require('@zxcvbn-ts/language-common') as typeof ZxcvbnCommon;
  const words = new Set<string>();
  for (const word of dictionary['passwords-common']) words.add(word.toLowerCase());
  for (const word of deviceDefaultPasswords) words.add(word.toLowerCase());
  return words;
}
