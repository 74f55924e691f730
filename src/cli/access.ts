import { accessRegister, registerCsv } from '../access/access-register.ts';
import { AppError } from '../lib/errors.ts';
import { configOptions, parse, subcommand, type Command } from './args.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { openIdentity } from './open-identity.ts';

const usage = `Usage: custos access register [--format csv|json]

Prints the access-rights register (IAM-4): who holds which role on which scope, granted by
whom, when, and until when, for every grant not revoked. CSV by default.
Common options: --config FILE, --data-dir DIR, --help.`;

/** `custos access register`: the access-rights register for auditors. */
export const accessCommand: Command = {
  name: 'access',
  summary: 'Print the access-rights register (CSV or JSON)',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    if (sub !== 'register') throw new AppError('VALIDATION_FAILED', `unknown access command "${sub}"; try custos access --help`);
    const { values } = parse(rest, { ...configOptions, format: { type: 'string' } } as const);
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'json') throw new AppError('VALIDATION_FAILED', '--format must be csv or json');
    const config = await loadCliConfig(values, io);
    const { identity, close } = await openIdentity(config);
    try {
      const rows = accessRegister(await identity.users.list(), await identity.grants.all(), identity.roles);
      io.stdout.write(format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : registerCsv(rows));
      return 0;
    } finally {
      await close();
    }
  },
};
