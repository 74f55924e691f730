import { join, resolve } from 'node:path';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { Secret } from '../config/secret.ts';
import { openCore } from '../core.ts';
import { AppError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import type { AuditContext } from '../audit/audit-event.ts';
import { fileCheckpointPin } from '../audit/checkpoint-pin.ts';
import { pgRestore, pgTableCount } from '../db/pg-dump.ts';
import { fileKeyPath } from '../keys/open-key-provider.ts';
import { backupFiles, parseManifest, type BackupManifest } from './backup-manifest.ts';
import { claimEmptyDir, copyPrivate, exists, hashFile, readOptionalText, writePrivateText } from './backup-files.ts';
import { databaseFacts } from './backup.store.ts';
import { unsealBackupKey } from './key-escrow.ts';
import { judgePublishedCheckpoint, type PublishedStanding } from './published-checkpoint.ts';

/** What `custos restore` is asked to do. */
export interface RestoreRequest {
  /** The backup directory. */
  readonly src: string;
  /** The new data directory: absent or empty. */
  readonly dataDir: string;
  /** The environment the restored installation will run with (database.url, secret files). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Opens the master key in the backup; required when the backup holds one. */
  readonly keyPassphrase: Secret | null;
  /**
   * The newest checkpoint published before the restore (witnesses, SIEM, evidence packages),
   * as signed-note text, or null when the operator states that none is newer than the backup.
   */
  readonly publishedCheckpoint: string | null;
  readonly context: AuditContext;
}

/** What a restore did, for the CLI to print. */
export interface RestoreOutcome {
  readonly manifest: BackupManifest;
  readonly config: Config;
  /** The restored config file, or null when the backup held none. */
  readonly configFile: string | null;
  readonly ledgerSize: number;
  readonly published: PublishedStanding | null;
}

/**
 * Restores a backup onto a fresh data directory (docs/reference/backup.md):
 *
 * - every file is checked against the manifest's SHA-256 before anything is written
 *   (BACKUP_INVALID), and the target MUST be empty (CONFLICT): a restore never overwrites;
 * - database (SQLite copy, or pg_restore into an empty PostgreSQL database), config, pin and
 *   the master key (re-sealed as the restored config expects it) are put in place; a `file`
 *   provider without a key in the backup needs the key file already at its path (from escrow);
 * - the restored core is opened under the data-directory lock, `system.restore.completed` is
 *   recorded into the restored ledger;
 * - fork guard: a published checkpoint ahead of the restored ledger is pinned, so the ledger
 *   refuses to sign any checkpoint that would fork it (AUDIT_CHECKPOINT_REFUSED and the
 *   `checkpoint-refused` alarm, raised here at once); one contradicting it fails the restore.
 */
export async function restoreBackup(req: RestoreRequest): Promise<RestoreOutcome> {
  const src = resolve(req.src);
  const dataDir = resolve(req.dataDir);
  const text = await readOptionalText(join(src, backupFiles.manifest));
  if (text === undefined) throw new AppError('BACKUP_INVALID', `${src} holds no ${backupFiles.manifest}: not a Custos backup, or an incomplete one`);
  const manifest = parseManifest(text);
  for (const [name, want] of Object.entries(manifest.files)) {
    const path = join(src, name);
    if (!(await exists(path))) throw new AppError('BACKUP_INVALID', `backup: ${name} is listed in the manifest but missing`);
    const got = await hashFile(path);
    if (got.sha256 !== want.sha256 || got.bytes !== want.bytes) throw new AppError('BACKUP_INVALID', `backup: ${name} does not match its SHA-256 in the manifest (damaged or altered)`);
  }
  const expect = (name: string, present: boolean) => {
    if (present !== name in manifest.files) throw new AppError('BACKUP_INVALID', `backup: the manifest ${present ? 'lacks' : 'lists'} ${name}`);
  };
  expect(manifest.database.file, true);
  expect(backupFiles.config, manifest.config);
  expect(backupFiles.key, manifest.key !== null);
  expect(backupFiles.pin, manifest.pin !== null);

  // The configuration the restored installation runs with, checked before anything is written.
  const config = await loadConfig({ file: manifest.config ? join(src, backupFiles.config) : null, env: req.env, overrides: { dataDir } });
  if ((config.database.url === null ? 'sqlite' : 'postgres') !== manifest.engine) {
    throw new AppError('VALIDATION_FAILED', `the backup is of a ${manifest.engine} database, the restored configuration uses ${config.database.url === null ? 'SQLite' : 'PostgreSQL (database.url)'}`);
  }
  // A restore never overwrites: the target is claimed (created empty) before anything else is checked there.
  await claimEmptyDir(dataDir, 'restore target');
  const keyPath = config.keys.provider === 'file' ? fileKeyPath(config.keys, dataDir) : null;
  let keyText: string | null = null;
  if (manifest.key !== null && keyPath !== null) {
    if (req.keyPassphrase === null) throw new AppError('VALIDATION_FAILED', 'the backup holds the master key: give its passphrase (--key-passphrase-file FILE or --key-passphrase-stdin)');
    keyText = (await unsealBackupKey((await readOptionalText(join(src, backupFiles.key))) ?? '', req.keyPassphrase, config.keys.file.passphrase)).text;
    if (await exists(keyPath)) throw new AppError('CONFLICT', `a master key file already exists at ${keyPath}; a restore does not overwrite one`);
  } else if (keyPath !== null && !(await exists(keyPath)) && !keyPath.startsWith(`${dataDir}/`)) {
    throw new AppError('KEY_UNAVAILABLE', `the backup holds no master key and ${keyPath} does not exist: put the master key file there (from your key escrow) first`);
  } else if (keyPath !== null && keyPath.startsWith(`${dataDir}/`)) {
    throw new AppError('KEY_UNAVAILABLE', `the backup holds no master key and the key would live in the new data directory (${keyPath}): take a backup with --include-key, or set keys.file.path to the escrowed key file`);
  }
  if (manifest.engine === 'postgres' && (await pgTableCount(config.database.url as Secret)) > 0) {
    throw new AppError('CONFLICT', 'the target PostgreSQL database is not empty; restore into a new database (createdb) named by database.url');
  }

  if (manifest.engine === 'sqlite') await copyPrivate(join(src, backupFiles.sqlite), join(dataDir, 'custos.db'));
  else await pgRestore(config.database.url as Secret, join(src, backupFiles.postgres));
  if (manifest.pin !== null) await copyPrivate(join(src, backupFiles.pin), join(dataDir, 'audit', 'last-checkpoint'));
  const configFile = manifest.config ? join(dataDir, backupFiles.config) : null;
  if (configFile !== null) await copyPrivate(join(src, backupFiles.config), configFile);
  if (keyText !== null && keyPath !== null) await writePrivateText(keyPath, keyText);

  // The ledger's own log lines would repeat, as JSON, the refusal this restore reports in one
  // line (a restore behind a published checkpoint); failures still surface as thrown errors.
  const core = await openCore(config, { lockFor: 'custos restore', log: createLogger({ level: 'silent' }) });
  try {
    const facts = await databaseFacts(core.database.db);
    // SQLite: the facts were read from the copy itself. PostgreSQL: just before pg_dump, which holds at least those.
    const sizeOk = manifest.engine === 'sqlite' ? facts.ledgerSize === manifest.database.ledgerSize : facts.ledgerSize >= manifest.database.ledgerSize;
    if (!sizeOk) throw new AppError('BACKUP_INVALID', `the restored ledger holds ${facts.ledgerSize} events, the manifest says ${manifest.database.ledgerSize}`);
    const built = await core.openLedger();
    let published: PublishedStanding | null = null;
    if (req.publishedCheckpoint !== null) {
      published = await judgePublishedCheckpoint({
        note: req.publishedCheckpoint,
        vkey: built.ledger.vkey,
        origin: built.ledger.origin,
        ledgerSize: built.ledger.size,
        nodes: (c) => built.store.nodes(c),
      });
      // The pin only moves forward: pinning the published checkpoint makes the ledger refuse
      // every checkpoint that does not extend it, in this process and in the server.
      if (published.kind !== 'contradicts') await fileCheckpointPin(dataDir).write(published.size, published.root);
    }
    const standing = published === null ? 'none-given' : published.kind;
    await built.ledger.record({
      type: 'system.restore.completed',
      ...req.context,
      target: { kind: 'backup', id: manifest.id },
      outcome: published?.kind === 'contradicts' ? 'failure' : 'success',
      details: {
        backupCreatedAt: manifest.createdAt,
        engine: manifest.engine,
        ledgerSize: facts.ledgerSize,
        checkpointSize: facts.checkpointSize,
        segments: facts.segments,
        publishedCheckpoint: standing,
        publishedSize: published?.size ?? -1,
        missingLeaves: published?.kind === 'behind' ? published.missing : 0,
      },
    });
    if (published?.kind === 'contradicts') {
      throw new AppError('AUDIT_CHECKPOINT_REFUSED', `the restored ledger contradicts the published checkpoint at size ${published.size}: this backup is not of the published log (another installation's, or altered); the data directory ${dataDir} is left for inspection`);
    }
    if (published?.kind === 'behind') {
      // Raises the checkpoint-refused alarm in the restored ledger now, not at the server's first tick.
      await built.ledger.checkpoint().then(
        () => {
          throw new AppError('INTERNAL', 'the ledger signed a checkpoint behind a pinned published one');
        },
        (e: unknown) => {
          if (!(e instanceof AppError && e.code === 'AUDIT_CHECKPOINT_REFUSED')) throw e;
        },
      );
    }
    return { manifest, config, configFile, ledgerSize: facts.ledgerSize, published };
  } finally {
    await core.close();
  }
}
