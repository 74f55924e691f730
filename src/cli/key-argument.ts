import { readFile } from 'node:fs/promises';
import { AppError } from '../lib/errors.ts';

/**
 * A key given on the command line inline (`name+hex id+base64`, a signed-note verifier or
 * cosigner key), or else the first line of the file it names, parsed by `parse`. `option` and
 * `what` name the flag and the key in the one-line error (never the file's content).
 */
export async function readKeyArg<T>(arg: string, option: string, what: string, parse: (text: string) => T): Promise<T> {
  let text = arg;
  if (!/^[^+\s]+\+[0-9a-f]{8}\+/.test(arg)) {
    try {
      text = (await readFile(arg, 'utf8')).trim();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw new AppError('VALIDATION_FAILED', `${option} is neither ${what} nor a readable file (${typeof code === 'string' ? code : 'unreadable'})`);
    }
  }
  try {
    return parse(text);
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `${option}: ${(e as Error).message}`);
  }
}

