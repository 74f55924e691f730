import { AppError } from '../../lib/errors.ts';

/**
 * RFC 4648 §6 base32 (alphabet A–Z 2–7), the encoding of TOTP secrets in otpauth:// URIs.
 * https://www.rfc-editor.org/rfc/rfc4648#section-6
 */

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Encodes bytes as upper-case base32; with `padding` the text is padded with `=` to a multiple of 8. */
export function base32Encode(bytes: Uint8Array, { padding = false }: { padding?: boolean } = {}): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  if (padding) while (out.length % 8 !== 0) out += '=';
  return out;
}

/**
 * Decodes base32 text, case-insensitively, with or without `=` padding.
 * MUST refuse (AppError VALIDATION_FAILED) characters outside the alphabet, a length no
 * encoding produces, and non-zero trailing bits, so that every byte string has one text form.
 */
export function base32Decode(text: string): Buffer {
  const body = text.toUpperCase().replace(/=+$/, '');
  if (text.length !== body.length && text.length % 8 !== 0) throw invalid('padding');
  // 8 characters carry 5 bytes; a final group of 1, 3 or 6 characters decodes to no whole byte.
  if ([1, 3, 6].includes(body.length % 8)) throw invalid('length');
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of body) {
    const value = alphabet.indexOf(ch);
    if (value < 0) throw invalid('character');
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw invalid('trailing bits');
  return Buffer.from(out);
}

function invalid(what: string): AppError {
  return new AppError('VALIDATION_FAILED', `Invalid base32 text (${what}).`);
}
