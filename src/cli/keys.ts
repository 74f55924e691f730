import { AppError } from '../lib/errors.ts';
import { configOptions, parse, type Command, subcommand } from './args.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { openCore } from '../core.ts';
import { cliAuditContext } from './cli-actor.ts';
import { progressBar } from './progress.ts';
import { rotationStartedReason } from '../audit/rotation-intent.ts';

const usage = `Usage: custos keys <rotate|status> [--config FILE] [--data-dir DIR]

  custos keys status   which provider holds the master key (KEK), its versions, and how many
                       data keys are live and destroyed
  custos keys rotate   creates a new KEK version, re-wraps every live data key under it (with
                       progress), then retires the old versions. Recordings keep playing.
                       Stop the server first: rotate refuses to run while a server holds the
                       data directory (and a server cannot start during a rotation).`;

/** `custos keys …`: master-key custody operations. */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'Show or rotate the master key (KEK) and data keys',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    const { values } = parse(rest, configOptions);
    const config = await loadCliConfig(values, io);
    // A running server wraps new data keys under the version it loaded: rotating under it would
    // leave them wrapped by a retired version, so rotation holds the data directory exclusively.
    const keys = await openCore(config, sub === 'rotate' ? { lockFor: 'custos keys rotate' } : {});
    try {
      switch (sub) {
        case 'status': {
          const counts = await keys.dataKeys.counts();
          io.stdout.write(
            `provider: ${keys.provider.kind}\ncurrent KEK version: ${keys.provider.currentVersion()}\nKEK versions: ${keys.provider.versions().join(', ')}\n` +
              `data keys: ${counts.live} live, ${counts.destroyed} destroyed\n`,
          );
          return 0;
        }
        case 'rotate': {
          const before = keys.provider.currentVersion();
          // Committed before the rotation starts; its outcome is recorded after (key custody, LOG-1).
          // Opening the ledger under the lock closed the intent of a rotation killed before its outcome.
          const ledger = await keys.ledger();
          const event = { type: 'key.rotated', ...cliAuditContext(), target: { kind: 'master-key', id: keys.provider.kind } } as const;
          await ledger.record({ ...event, outcome: 'success', reason: rotationStartedReason, details: { fromVersion: before } });
          let count: number;
          try {
            count = await keys.dataKeys.rewrapAll(progressBar(io.stderr, 're-wrapping data keys'));
          } catch (e) {
            await ledger.record({ ...event, outcome: 'failure', reason: e instanceof Error ? e.message.split('\n')[0] : String(e) }).catch(() => undefined);
            throw e;
          }
          await ledger.record({ ...event, outcome: 'success', reason: 'rotation finished', details: { fromVersion: before, toVersion: keys.provider.currentVersion(), rewrapped: count } });
          io.stdout.write(`KEK rotated from version ${before} to ${keys.provider.currentVersion()}; ${count} data keys re-wrapped; old versions retired.\n`);
          return 0;
        }
        default:
          throw new AppError('VALIDATION_FAILED', `unknown keys command "${sub}"; try custos keys --help`);
      }
    } finally {
      await keys.close();
    }
  },
};
