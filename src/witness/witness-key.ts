import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../lib/durable-files.ts';
import { AppError } from '../lib/errors.ts';

async function readKey(path: string): Promise<KeyObject | undefined> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new AppError('CONFIG_INVALID', `${path} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AppError('CONFIG_INVALID', `${path} is not an Ed25519 key`);
  return key;
}

/**
 * The witness's Ed25519 cosigning key: `path` (PKCS#8 PEM, mode 0600), made at first start and
 * reused afterwards. A second start racing the first cannot replace it (exclusive create).
 */
export async function loadOrMakeWitnessKey(path: string): Promise<{ key: KeyObject; created: boolean }> {
  const existing = await readKey(path);
  if (existing !== undefined) return { key: existing, created: false };
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    await writeFileAtomic(path, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), { exclusive: true });
  } catch (e) {
    const raced = (e as NodeJS.ErrnoException).code === 'EEXIST' ? await readKey(path) : undefined;
    if (raced !== undefined) return { key: raced, created: false };
    throw e;
  }
  return { key: privateKey, created: true };
}
