import { join, resolve } from 'node:path';
import { AppError } from '../lib/errors.ts';
import { fsckVault } from '../vault/vault-fsck.ts';
import { configOptions, parse, type Command, subcommand } from './args.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { openKeys } from './open-keys.ts';
import { progressBar } from './progress.ts';

const usage = `Usage: custos vault fsck [--config FILE] [--data-dir DIR] [--json]

Walks every stored object, authenticates every chunk with its data key, and reports torn
objects (left by a crash; recovered at the next start) and the exact object and chunk of any
corruption, and objects it could not check because their data key is destroyed or the key
provider is unreachable. Exit code 0 when everything verifies, 1 otherwise.`;

/** `custos vault fsck`: offline verification of every stored object. */
export const vaultCommand: Command = {
  name: 'vault',
  summary: 'Verify every encrypted object (fsck)',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    if (sub !== 'fsck') throw new AppError('VALIDATION_FAILED', `unknown vault command "${sub}"; try custos vault --help`);
    const { values } = parse(rest, { ...configOptions, json: { type: 'boolean' } });
    const config = await loadCliConfig(values, io);
    const keys = await openKeys(config);
    try {
      const report = await fsckVault(join(resolve(config.dataDir), 'segments'), keys.dataKeys, progressBar(io.stderr, 'fsck'));
      if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        io.stdout.write(
          `${report.objects} objects, ${report.chunks} chunks verified; ${report.torn.length} torn, ${report.corrupt.length} corrupt, ${report.unavailable.length} not verifiable\n`,
        );
        for (const t of report.torn) io.stdout.write(`torn: ${t.key} (${t.wholeChunks} whole chunks)\n`);
        for (const c of report.corrupt) io.stdout.write(`CORRUPT: ${c.key} ${c.chunk === null ? 'header' : `chunk ${c.chunk}`}: ${c.reason}\n`);
        for (const u of report.unavailable) io.stdout.write(`NOT VERIFIABLE: ${u.key} (data key ${u.keyId}): ${u.reason}\n`);
      }
      // An object whose key is unavailable could not be checked: that is not a pass.
      return report.corrupt.length === 0 && report.unavailable.length === 0 ? 0 : 1;
    } finally {
      await keys.close();
    }
  },
};
