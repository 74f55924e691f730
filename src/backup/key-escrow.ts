import { AppError } from '../lib/errors.ts';
import type { Secret } from '../config/secret.ts';
import { decodeKeyFile, deriveSealing, encodeKeyFile, type KeyRing } from '../keys/key-file.ts';

/** A backup passphrase shorter than this is refused: it is all that guards the master key. */
export const minBackupPassphraseLength = 12;

/**
 * Re-seals the master key file's ring under the backup passphrase (scrypt → AES-256-GCM, the key
 * file format of docs/reference/keys.md), whatever sealing the live file has. The clear key
 * material never touches the disk; the ring is wiped after use.
 */
export async function sealKeyForBackup(keyFileText: string, filePassphrase: Secret | null, backupPassphrase: Secret, path: string): Promise<{ text: string; versions: number[] }> {
  assertStrong(backupPassphrase);
  const { ring } = await decodeKeyFile(keyFileText, filePassphrase, path);
  try {
    return { text: encodeKeyFile(ring, await deriveSealing(backupPassphrase)), versions: versionsOf(ring) };
  } finally {
    wipe(ring);
  }
}

/**
 * Opens a backed-up key with the backup passphrase and encodes it as the restored installation
 * expects it: sealed under `targetPassphrase` (keys.file.passphrase) when set, else clear (the
 * file is then 0600, as the server creates it). KEY_UNAVAILABLE for a wrong passphrase.
 */
export async function unsealBackupKey(sealedText: string, backupPassphrase: Secret, targetPassphrase: Secret | null): Promise<{ text: string; versions: number[] }> {
  const { ring } = await decodeKeyFile(sealedText, backupPassphrase, 'in the backup');
  try {
    return { text: encodeKeyFile(ring, targetPassphrase === null ? null : await deriveSealing(targetPassphrase)), versions: versionsOf(ring) };
  } finally {
    wipe(ring);
  }
}

function assertStrong(passphrase: Secret): void {
  if (passphrase.reveal().length < minBackupPassphraseLength) {
    throw new AppError('VALIDATION_FAILED', `the backup passphrase must have at least ${minBackupPassphraseLength} characters`);
  }
}

function versionsOf(ring: KeyRing): number[] {
  return [...ring.keys.keys()].sort((a, b) => a - b);
}

function wipe(ring: KeyRing): void {
  for (const key of ring.keys.values()) key.fill(0);
}
