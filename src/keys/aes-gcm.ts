import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Byte lengths of the one AEAD layout used for small values (wrapped keys, sealed secrets). */
export const gcmNonceBytes = 12;
export const gcmTagBytes = 16;

/**
 * AES-256-GCM with a random 96-bit nonce; the result is `nonce ‖ ciphertext ‖ tag`.
 * Callers MUST keep one key under 2^32 seals (FORMATS.md "Encryption at rest").
 */
export function sealGcm(key: Buffer, plain: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(gcmNonceBytes);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: gcmTagBytes });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, ct, cipher.getAuthTag()]);
}

/** Opens `nonce ‖ ciphertext ‖ tag` from {@link sealGcm}; returns null when it does not authenticate. */
export function openGcm(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | null {
  if (sealed.length < gcmNonceBytes + gcmTagBytes) return null;
  const nonce = sealed.subarray(0, gcmNonceBytes);
  const tag = sealed.subarray(sealed.length - gcmTagBytes);
  const ct = sealed.subarray(gcmNonceBytes, sealed.length - gcmTagBytes);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: gcmTagBytes });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    return null;
  }
}
