/**
 * Seals and opens the chunks of one vault object (docs/reference/vault-format.md, "Keys and
 * nonces"): AES-256-GCM under a per-object key derived once with HKDF-SHA256, nonce = prefix ‖
 * u32 index ‖ last flag, associated data = the header. Pure: no I/O.
 */
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AppError } from '../lib/errors.ts';
import type { VaultHeader } from './vault-header.ts';

/** HKDF `info` of format version 1. */
export const HKDF_INFO = 'custos vault v1';
/** Bytes of the u32 ciphertext length that starts a record. */
export const LENGTH_SIZE = 4;
export const TAG_SIZE = 16;
/** Record bytes around the ciphertext. */
export const RECORD_OVERHEAD = LENGTH_SIZE + TAG_SIZE;
/** Largest chunk plaintext (64 MiB); a longer record length is corrupt. */
export const MAX_CHUNK_SIZE = 64 * 1024 * 1024;
/** Largest chunk index (u32). */
export const MAX_CHUNK_INDEX = 0xffff_ffff;

/** Derives the per-object key K = HKDF-SHA256(DEK, salt, "custos vault v1"). */
export function deriveObjectKey(dataKey: Buffer, salt: Buffer): Buffer {
  if (dataKey.length !== 32) throw new AppError('STORAGE_FAILED', 'data key is not 256 bits', { reason: 'data key size' });
  return Buffer.from(hkdfSync('sha256', dataKey, salt, HKDF_INFO, 32));
}

/** The chunk cipher of one object; one instance per object, reused for all its chunks. */
export class ChunkCipher {
  readonly #key: KeyObject;
  readonly #aad: Buffer;
  /** Nonce buffer reused between calls: createCipheriv copies it. */
  readonly #nonce = Buffer.alloc(12);

  /** `dataKey` is the DEK named by `header.keyId`; the object key is derived from it here, once. */
  constructor(dataKey: Buffer, header: VaultHeader) {
    this.#key = createSecretKey(deriveObjectKey(dataKey, header.salt));
    this.#aad = header.bytes;
    header.noncePrefix.copy(this.#nonce, 0);
  }

  #nonceFor(index: number, last: boolean): Buffer {
    if (!Number.isInteger(index) || index < 0 || index > MAX_CHUNK_INDEX) {
      throw new AppError('STORAGE_FAILED', `vault chunk index ${index} is out of range`, { chunk: index });
    }
    this.#nonce.writeUInt32BE(index, 7);
    this.#nonce[11] = last ? 1 : 0;
    return this.#nonce;
  }

  /**
   * Seals chunk `index` as the three parts of its record (length, ciphertext, tag), to be written
   * with one vectored write and no copy. A non-final chunk MUST NOT be empty; the final one MUST be.
   */
  sealParts(index: number, plaintext: Buffer, last: boolean): [Buffer, Buffer, Buffer] {
    if (plaintext.length > MAX_CHUNK_SIZE) {
      throw new AppError('STORAGE_FAILED', `vault chunk of ${plaintext.length} bytes exceeds ${MAX_CHUNK_SIZE}`, { chunk: index });
    }
    if ((plaintext.length === 0) !== last) {
      throw new AppError('STORAGE_FAILED', 'vault chunks are empty if and only if final', { chunk: index });
    }
    const cipher = createCipheriv('aes-256-gcm', this.#key, this.#nonceFor(index, last), { authTagLength: TAG_SIZE });
    cipher.setAAD(this.#aad);
    const ct = cipher.update(plaintext);
    cipher.final();
    const len = Buffer.allocUnsafe(LENGTH_SIZE);
    len.writeUInt32BE(ct.length, 0);
    return [len, ct, cipher.getAuthTag()];
  }

  /** Seals chunk `index` into one record buffer: u32 length ‖ ciphertext ‖ tag. */
  seal(index: number, plaintext: Buffer, last: boolean): Buffer {
    const parts = this.sealParts(index, plaintext, last);
    return Buffer.concat(parts, RECORD_OVERHEAD + plaintext.length);
  }

  /**
   * Opens record `index` (u32 length ‖ ciphertext ‖ tag, exactly). Throws STORAGE_FAILED with
   * detail {chunk, reason} when the record is malformed or fails authentication.
   */
  open(index: number, record: Buffer, last: boolean): Buffer {
    if (record.length < RECORD_OVERHEAD || record.readUInt32BE(0) !== record.length - RECORD_OVERHEAD) {
      throw new AppError('STORAGE_FAILED', `vault chunk ${index} is malformed`, { chunk: index, reason: 'record length' });
    }
    const end = record.length - TAG_SIZE;
    const decipher = createDecipheriv('aes-256-gcm', this.#key, this.#nonceFor(index, last), { authTagLength: TAG_SIZE });
    decipher.setAAD(this.#aad);
    decipher.setAuthTag(record.subarray(end));
    const plain = decipher.update(record.subarray(LENGTH_SIZE, end));
    try {
      decipher.final();
    } catch {
      throw new AppError('STORAGE_FAILED', `vault chunk ${index} fails authentication`, { chunk: index, reason: 'authentication' });
    }
    return plain;
  }
}
