import { createHash, randomBytes } from 'node:crypto';

/**
 * One-time recovery codes for a user who lost their second factor. Each code is 12 characters
 * of Crockford's base32 (no i, l, o, u), shown as `xxxx-xxxx-xxxx`: 60 random bits. The store
 * keeps only {@link hashRecoveryCode} of each and deletes a hash when its code is used.
 * https://www.crockford.com/base32.html
 */

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
const groups = 3;
const groupLength = 4;

/** `n` fresh recovery codes, each `xxxx-xxxx-xxxx` with 60 bits from the system CSPRNG. */
export function generateRecoveryCodes(n = 10): string[] {
  const codes: string[] = [];
  for (let i = 0; i < n; i++) {
    // 256 is a multiple of 32, so the low five bits of each byte are uniform.
    const chars = [...randomBytes(groups * groupLength)].map((byte) => alphabet[byte & 31]!).join('');
    const parts: string[] = [];
    for (let g = 0; g < groups; g++) parts.push(chars.slice(g * groupLength, (g + 1) * groupLength));
    codes.push(parts.join('-'));
  }
  return codes;
}

/**
 * The form a typed code is compared in: lower-case, without spaces or dashes, and with the
 * letters Crockford reads as digits mapped to them (i and l → 1, o → 0), so a code read aloud
 * or retyped from paper still matches.
 */
export function normaliseRecoveryCode(code: string): string {
  return code
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
}

/**
 * SHA-256 (hex) of the normalised code: what the store keeps and looks a typed code up by.
 * A fast hash suffices because each code carries 60 random bits and is good for one use.
 */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normaliseRecoveryCode(code), 'utf8').digest('hex');
}
