import { readFile } from 'node:fs/promises';
import { Secret } from '../config/secret.ts';
import { AppError } from '../lib/errors.ts';
import { readStdin, type CliIo } from './args.ts';

/** The options that carry a backup passphrase: a file or stdin, never argv (it would show in `ps`). */
export const passphraseOptions = {
  'key-passphrase-file': { type: 'string' },
  'key-passphrase-stdin': { type: 'boolean' },
} as const;

/** The backup passphrase from `--key-passphrase-file` or `--key-passphrase-stdin`; null when neither is given. */
export async function readBackupPassphrase(values: { 'key-passphrase-file'?: string | undefined; 'key-passphrase-stdin'?: boolean | undefined }, io: CliIo): Promise<Secret | null> {
  const file = values['key-passphrase-file'];
  if (file !== undefined && values['key-passphrase-stdin'] === true) throw new AppError('VALIDATION_FAILED', 'give the passphrase once: --key-passphrase-file or --key-passphrase-stdin');
  let text: string;
  if (file !== undefined) {
    text = await readFile(file, 'utf8').catch((e: unknown) => {
      throw new AppError('VALIDATION_FAILED', `--key-passphrase-file: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    });
    text = text.replace(/\r?\n$/, '');
  } else if (values['key-passphrase-stdin'] === true) text = await readStdin(io.stdin);
  else return null;
  if (text === '') throw new AppError('VALIDATION_FAILED', 'the backup passphrase is empty');
  return new Secret(text);
}
