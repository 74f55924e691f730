import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AppError } from '../lib/errors.ts';
import { restoreBackup } from '../backup/restore-backup.ts';
import { parse, type Command } from './args.ts';
import { cliAuditContext } from './cli-actor.ts';
import { passphraseOptions, readBackupPassphrase } from './backup-passphrase.ts';

const usage = `Usage: custos restore SRC --data-dir NEW (--published-checkpoint FILE | --no-published-checkpoint)
                      [--key-passphrase-file FILE | --key-passphrase-stdin]

Restores the backup in SRC onto NEW, a new or empty data directory: checks every file against
the manifest's SHA-256, then restores the database (SQLite; or pg_restore into the empty
PostgreSQL database named by the backed-up config or CUSTOS_DATABASE_URL), the config (as
NEW/custos.yaml), the checkpoint pin and, with its passphrase, the master key. Copy the
segments directory from the storage zone into NEW before starting the server.

  --published-checkpoint FILE  the newest checkpoint published before the crash (a witness,
                               the SIEM, an evidence package: the signed note). When it is
                               newer than the backup, the restored ledger is behind it: the
                               server records but refuses to sign any checkpoint (it would fork
                               the published log) and raises the checkpoint-refused alarm.
  --no-published-checkpoint    states that no checkpoint newer than the backup was published.

One of the two is required: only the operator can know what was published. The restore is
recorded in the restored ledger (system.restore.completed). See docs/reference/backup.md.`;

/** `custos restore SRC --data-dir NEW`: a backup onto a fresh data directory, with the fork guard. */
export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Restore a backup onto a new data directory (checks hashes; guards against ledger forks)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...passphraseOptions, 'published-checkpoint': { type: 'string' }, 'no-published-checkpoint': { type: 'boolean' } },
      true,
    );
    if (values.help) {
      io.stdout.write(`${usage}\n`);
      return 0;
    }
    const [src] = positionals;
    if (src === undefined || positionals.length > 1) throw new AppError('VALIDATION_FAILED', 'restore needs exactly one SRC backup directory; try custos restore --help');
    const dataDir = values['data-dir'];
    if (dataDir === undefined) throw new AppError('VALIDATION_FAILED', 'restore needs --data-dir NEW (a new or empty directory)');
    const publishedFile = values['published-checkpoint'];
    if ((publishedFile === undefined) === (values['no-published-checkpoint'] !== true)) {
      throw new AppError('VALIDATION_FAILED', 'say what was published after the backup: --published-checkpoint FILE (the newest signed checkpoint a witness, the SIEM or an evidence package holds) or --no-published-checkpoint');
    }
    const published =
      publishedFile === undefined
        ? null
        : await readFile(publishedFile, 'utf8').catch((e: unknown) => {
            throw new AppError('VALIDATION_FAILED', `--published-checkpoint: cannot read ${publishedFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
          });
    const outcome = await restoreBackup({
      src,
      dataDir,
      env: io.env,
      keyPassphrase: await readBackupPassphrase(values, io),
      publishedCheckpoint: published,
      context: cliAuditContext(),
    });
    const { manifest, published: p } = outcome;
    const target = resolve(dataDir);
    io.stdout.write(
      `restored backup ${manifest.id} (taken ${manifest.createdAt}) onto ${target}\n` +
        `  ledger: ${outcome.ledgerSize} events; ${manifest.database.segments} segments indexed\n` +
        `  copy the segments directory from the storage zone to ${target}/segments before starting the server\n` +
        (outcome.configFile === null ? '' : `  config: ${outcome.configFile} (run: custos serve --config ${outcome.configFile} --data-dir ${target})\n`),
    );
    if (p === null) io.stdout.write('  fork guard: no published checkpoint given; the restored pin is the backup\'s\n');
    else if (p.kind === 'consistent') io.stdout.write(`  fork guard: the published checkpoint (size ${p.size}) is in the restored ledger; nothing published was lost\n`);
    else if (p.kind === 'behind') {
      io.stdout.write(
        `  FORK GUARD: the published checkpoint has ${p.size} events, the restored ledger ${outcome.ledgerSize}: ${p.missing} audit events are lost with the newer database.\n` +
          '  The published checkpoint is pinned: the server will record events but refuse to sign checkpoints (alarm checkpoint-refused)\n' +
          '  until a database reaching it is restored. See docs/reference/backup.md "After restoring an older backup".\n',
      );
      return 3;
    }
    return 0;
  },
};
