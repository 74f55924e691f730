import { createHash } from 'node:crypto';
import { AppError, isAppError } from '../lib/errors.ts';
import { openGcm, sealGcm } from '../keys/aes-gcm.ts';
import type { DataKeys } from '../keys/data-keys.ts';

/**
 * Personal fields of audit events, sealed under one data key per person (subject), so that
 * erasing a person (GDPR Art. 17) is destroying one key: the sealed bytes stay, the records
 * committing to their SHA-256 stay, and the tree still verifies (FORMATS.md "Audit ledger").
 *
 * Sealed form: `v1:<keyId>:<base64 nonce‖ciphertext‖tag>`, AES-256-GCM, associated data binds it
 * to the subject. The subject's key is a data key of the reserved id `audit-subject:<subject>`.
 */
export interface PersonalSealer {
  seal(subject: string, fields: Readonly<Record<string, string>>): Promise<string>;
  /** The fields, or null when the subject was erased (its key destroyed). */
  open(subject: string, sealed: string): Promise<Record<string, string> | null>;
  /** Destroys the subject's key; returns how many keys were destroyed (0: nothing to erase). */
  erase(subject: string): Promise<number>;
}

/** SHA-256 (hex) of a sealed value as stored: what a record commits to. */
export function sealedDigest(sealed: string): string {
  return createHash('sha256').update(sealed, 'utf8').digest('hex');
}

const keyIdOf = (subject: string): string => `audit-subject:${subject}`;
const aadOf = (subject: string): Buffer => Buffer.from(`custos-audit-personal\n${subject}`, 'utf8');

export function createPersonalSealer(dataKeys: DataKeys): PersonalSealer {
  return {
    async seal(subject, fields) {
      const { id, key } = await dataKeys.keyFor(keyIdOf(subject), 0);
      try {
        return `v1:${id}:${sealGcm(key, Buffer.from(JSON.stringify(fields), 'utf8'), aadOf(subject)).toString('base64')}`;
      } finally {
        key.fill(0);
      }
    },
    async open(subject, sealed) {
      const match = /^v1:([0-9a-f-]{36}):([A-Za-z0-9+/]+={0,2})$/.exec(sealed);
      if (match === null) throw new AppError('VALIDATION_FAILED', 'not sealed personal fields (v1:<keyId>:<base64>)');
      let key: Buffer;
      try {
        key = await dataKeys.keyById(match[1] as string);
      } catch (e) {
        if (isAppError(e, 'KEY_UNAVAILABLE')) return null;
        throw e;
      }
      try {
        const plain = openGcm(key, Buffer.from(match[2] as string, 'base64'), aadOf(subject));
        if (plain === null) throw new AppError('KEY_UNAVAILABLE', 'sealed personal fields do not authenticate (altered, or of another subject)');
        return JSON.parse(plain.toString('utf8')) as Record<string, string>;
      } finally {
        key.fill(0);
      }
    },
    erase: (subject) => dataKeys.destroyBefore(keyIdOf(subject), Number.MAX_SAFE_INTEGER),
  };
}
