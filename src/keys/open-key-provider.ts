import { join, resolve } from 'node:path';
import { AppError } from '../lib/errors.ts';
import type { Config } from '../config/schema.ts';
import type { KeyProvider } from './key-provider.ts';
import { openFileKeyProvider } from './file-key-provider.ts';
import { openPkcs11KeyProvider } from './pkcs11-key-provider.ts';

/**
 * Opens the key provider the configuration names: `file` (default path
 * `<dataDir>/keys/master.key`) or `pkcs11`, which MUST have a PIN. Failures are AppError
 * KEY_UNAVAILABLE with one line, and Custos does not start without its keys. `exclusive` says
 * the caller holds the data-directory lock (serve, keys rotate): only then are the leftovers of
 * an interrupted key-file write removed, since no other process can be writing one.
 */
export async function openKeyProvider(config: Config['keys'], dataDir: string, opts: { exclusive?: boolean } = {}): Promise<KeyProvider> {
  switch (config.provider) {
    case 'file':
      return openFileKeyProvider({
        path: fileKeyPath(config, dataDir),
        passphrase: config.file.passphrase,
        removeLeftovers: opts.exclusive === true,
      });
    case 'pkcs11': {
      const { module, tokenLabel, pin, keyLabel } = config.pkcs11;
      if (pin === null) throw new AppError('KEY_UNAVAILABLE', 'keys.pkcs11.pin is required');
      return openPkcs11KeyProvider({ module, tokenLabel, pin, keyLabel });
    }
  }
}

/** Where the `file` provider keeps the master key: keys.file.path, or `<dataDir>/keys/master.key`. */
export function fileKeyPath(config: Config['keys'], dataDir: string): string {
  return config.file.path === null ? join(resolve(dataDir), 'keys', 'master.key') : resolve(config.file.path);
}
