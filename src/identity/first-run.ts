import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../lib/logger.ts';
import type { SetupTokens } from './setup-token.ts';
import type { UsersService } from './users.service.ts';

/** Name of the file, in the data directory, that holds the current setup token (mode 0600). */
export const setupTokenFile = 'setup-token';

/**
 * At a start with no user: issues a one-time setup token, writes it to `<dataDir>/setup-token`
 * (mode 0600) and, when `print` (stderr is a terminal, or the demo), prints it there with how
 * to use it. The structured log
 * names only the file: the token is a credential and MUST NOT enter a log stream.
 */
export async function announceSetup(deps: { users: UsersService; setup: SetupTokens; log: Logger; publicUrl: string; dataDir: string; print: boolean }): Promise<void> {
  if ((await deps.users.count()) > 0) return;
  const token = await deps.setup.issue();
  const file = join(deps.dataDir, setupTokenFile);
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  deps.log.warn({ setupTokenFile: file }, 'no user exists yet: create the first administrator with `custos user add --role admin` or the setup token');
  // Only a person at a terminal (or running the demo) sees the token; a service manager's
  // captured output does not.
  if (!deps.print) return;
  process.stderr.write(
    [
      '',
      'Custos has no user yet, and no default password. Create the first administrator:',
      `  in a browser: ${deps.publicUrl}/ → "First-run setup", with the one-time setup token`,
      `      ${token}`,
      `  (also in ${file}; it works once, and only until a user exists)`,
      '  or on this host: custos user add USERNAME --role admin   (the password is read from stdin)',
      '',
    ].join('\n') + '\n',
  );
}
