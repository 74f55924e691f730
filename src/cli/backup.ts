import { resolve } from 'node:path';
import { AppError } from '../lib/errors.ts';
import { openCore } from '../core.ts';
import { assertKeyExportable, takeBackup } from '../backup/take-backup.ts';
import { configOptions, intOption, parse, type Command } from './args.ts';
import { cliAuditContext } from './cli-actor.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { passphraseOptions, readBackupPassphrase } from './backup-passphrase.ts';

const usage = `Usage: custos backup DEST [--config FILE] [--data-dir DIR] [--keys-ahead HOURS]
                     [--include-key (--key-passphrase-file FILE | --key-passphrase-stdin)]

Takes an online, consistent backup into DEST (a new or empty directory) while the server runs:
the database (SQLite online backup API; PostgreSQL through pg_dump, custom format), the config
file named by --config, the checkpoint pin, and manifest.json with the SHA-256 of each file.
Segments (footage) are not copied: they live in the storage zones.

  --keys-ahead H   creates every camera's data keys for the next H hours (default 24) before
                  the snapshot: footage recorded after the backup, found in the storage zone,
                  stays decryptable after a restore. 0 disables.
  --include-key   also the master key of a file provider, sealed under a passphrase read from
                  --key-passphrase-file or stdin (at least 12 characters; never on the command
                  line). Refused for an HSM (pkcs11): its key never leaves it.

The backup is recorded in the audit ledger (system.backup.created). See docs/reference/backup.md.`;

/** `custos backup DEST`: an online backup of the index, ledger, config, pin and (sealed) key. */
export const backupCommand: Command = {
  name: 'backup',
  summary: 'Take an online backup of the database, config, checkpoint pin and (sealed) master key',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { ...configOptions, ...passphraseOptions, 'include-key': { type: 'boolean' }, 'keys-ahead': { type: 'string' } }, true);
    if (values.help) {
      io.stdout.write(`${usage}\n`);
      return 0;
    }
    const [dest] = positionals;
    if (dest === undefined || positionals.length > 1) throw new AppError('VALIDATION_FAILED', 'backup needs exactly one DEST directory; try custos backup --help');
    const passphrase = await readBackupPassphrase(values, io);
    if (values['include-key'] === true && passphrase === null) throw new AppError('VALIDATION_FAILED', '--include-key needs the passphrase that seals the key: --key-passphrase-file FILE or --key-passphrase-stdin');
    if (values['include-key'] !== true && passphrase !== null) throw new AppError('VALIDATION_FAILED', 'a key passphrase was given without --include-key');
    const config = await loadCliConfig(values, io);
    assertKeyExportable(config, values['include-key'] === true);
    // No lock: the server keeps running (the backup reads a consistent snapshot beside it).
    const core = await openCore(config);
    try {
      const { manifest, manifestSha256 } = await takeBackup(core, {
        config,
        configFile: values.config === undefined ? null : resolve(values.config),
        dest: resolve(dest),
        keyPassphrase: passphrase,
        keysAheadHours: intOption(values['keys-ahead'], 'keys-ahead', 24, 0, 24 * 366),
        context: cliAuditContext(),
      });
      const d = manifest.database;
      io.stdout.write(
        `backup ${manifest.id} written to ${resolve(dest)}\n` +
          `  database: ${manifest.engine} (${d.file}); ledger ${d.ledgerSize} events, checkpoint ${d.checkpointSize}; ${d.segments} segments indexed\n` +
          `  config: ${manifest.config ? 'included' : 'not included (no --config)'}; master key: ${manifest.key === null ? (config.keys.provider === 'file' ? 'not included (no --include-key): keep it in escrow' : 'in the HSM') : `included, sealed (versions ${manifest.key.versions.join(', ')})`}\n` +
          `  segments are not in the backup: they are in the storage zones${manifest.keysAheadUntil === null ? '' : `; footage recorded until ${manifest.keysAheadUntil} stays decryptable after a restore`}\n` +
          `  manifest SHA-256 ${manifestSha256} (recorded in the audit ledger)\n`,
      );
      return 0;
    } finally {
      await core.close();
    }
  },
};
