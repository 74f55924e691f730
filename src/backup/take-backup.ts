import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Secret } from '../config/secret.ts';
import type { Core } from '../core.ts';
import { AppError } from '../lib/errors.ts';
import { fileCheckpointPin } from '../audit/checkpoint-pin.ts';
import type { AuditContext } from '../audit/audit-event.ts';
import { snapshotSqlite, type SnapshotFacts } from '../db/sqlite-snapshot.ts';
import { pgDump, pgDumpVersion } from '../db/pg-dump.ts';
import { fileKeyPath } from '../keys/open-key-provider.ts';
import { cameraIds, databaseFacts } from './backup.store.ts';
import { backupFiles, backupFormat, formatManifest, segmentsStatement, type BackupManifest } from './backup-manifest.ts';
import { claimEmptyDir, copyPrivate, hashFile, readOptionalText, syncFile, writePrivateText } from './backup-files.ts';
import { sealKeyForBackup } from './key-escrow.ts';

/** What `custos backup` is asked to do. */
export interface BackupRequest {
  readonly config: Config;
  /** The config file the installation runs with (`--config`), copied as is; null when none. */
  readonly configFile: string | null;
  /** A new or empty directory. */
  readonly dest: string;
  /** Include the master key of a `file` provider, sealed under this passphrase; null: no key. */
  readonly keyPassphrase: Secret | null;
  /**
   * Hours ahead for which every camera's data keys are created before the snapshot (0: none).
   * Footage recorded after the backup under a key the restored database lacks cannot be
   * decrypted after a restore (it is quarantined); keys made ahead keep it readable.
   */
  readonly keysAheadHours: number;
  /** Who asked (the CLI's actor), for the audit event. */
  readonly context: AuditContext;
}

const hourMs = 3_600_000;

/**
 * Refuses `--include-key` for an HSM (VALIDATION_FAILED): its key never leaves the token. Called
 * before anything is opened, so the refusal needs no reachable HSM.
 */
export function assertKeyExportable(config: Config, includeKey: boolean): void {
  if (includeKey && config.keys.provider !== 'file') {
    throw new AppError('VALIDATION_FAILED', `the master key is in an HSM (keys.provider ${config.keys.provider}) and never leaves it: back up the token with its vendor's tools, and run custos backup without --include-key`);
  }
}

/**
 * Takes an online, consistent backup into `dest` while a server may be running on the same
 * data directory (the data-directory lock is not taken; see docs/reference/backup.md):
 *
 * 1. the pin file is copied first: it only moves forward, after the checkpoint it names is
 *    committed, so the pin copied is never ahead of the database copied after it;
 * 2. the data keys of every camera for `keysAheadHours` are created (so footage recorded after
 *    the backup stays decryptable after a restore), then the database: SQLite through the online backup API, PostgreSQL through pg_dump (custom format);
 * 3. the config file (when one is named) and, only on request, the master key re-sealed under
 *    the backup passphrase — refused for an HSM, whose key never leaves it. Every KEK version
 *    that wraps a data key in the snapshot MUST be in the copied key (a rotation during the
 *    backup fails it);
 * 4. manifest.json last, with the SHA-256 of every file: a directory without it is incomplete.
 *
 * Segments are not copied (they are in the storage zones). The backup is recorded in the live
 * ledger as `system.backup.created` with the manifest's SHA-256 (a failure as outcome failure),
 * so a swapped manifest is caught against the ledger.
 */
export async function takeBackup(core: Core, req: BackupRequest): Promise<{ manifest: BackupManifest; manifestSha256: string }> {
  const { config, dest } = req;
  assertKeyExportable(config, req.keyPassphrase !== null);
  const engine = core.database.engine;
  if (engine === 'postgres' && (await pgDumpVersion()) === null) {
    throw new AppError('VALIDATION_FAILED', 'the database is PostgreSQL and pg_dump is not installed (apt install postgresql-client): install it, or back up with your PostgreSQL tooling (pg_dump -Fc, or base backups with WAL archiving) and run custos backup on a machine that has it for the pin, config and key');
  }
  const id = randomUUID();
  const ledger = await core.ledger();
  const event = { type: 'system.backup.created', ...req.context, target: { kind: 'backup', id } } as const;
  try {
    await claimEmptyDir(dest, 'backup destination');
    const dataDir = resolve(config.dataDir);
    const files: BackupManifest['files'] = {};
    const add = async (name: string) => (files[name] = await hashFile(join(dest, name)));

    const pin = await fileCheckpointPin(dataDir).read();
    if (pin !== undefined) {
      await writePrivateText(join(dest, backupFiles.pin), `${pin.size} ${pin.root.toString('hex')}\n`);
      await add(backupFiles.pin);
    }
    let keysAheadUntil: string | null = null;
    if (req.keysAheadHours > 0) {
      const now = Date.now();
      const until = now + req.keysAheadHours * hourMs;
      const step = config.keys.dataKeyHours * hourMs;
      for (const cameraId of await cameraIds(core.database.db)) {
        for (let at = now; at < until + step; at += step) await core.dataKeys.keyFor(cameraId, Math.min(at, until));
      }
      keysAheadUntil = new Date(until).toISOString();
    }
    let facts: SnapshotFacts;
    let dbFile: string;
    if (engine === 'sqlite') {
      dbFile = backupFiles.sqlite;
      facts = await snapshotSqlite(dataDir, join(dest, dbFile));
    } else {
      dbFile = backupFiles.postgres;
      facts = await databaseFacts(core.database.db);
      await pgDump(config.database.url as Secret, join(dest, dbFile));
    }
    await syncFile(join(dest, dbFile));
    await add(dbFile);

    if (req.configFile !== null) {
      await copyPrivate(req.configFile, join(dest, backupFiles.config));
      await add(backupFiles.config);
    }
    let key: BackupManifest['key'] = null;
    if (req.keyPassphrase !== null) {
      const path = fileKeyPath(config.keys, dataDir);
      const text = await readOptionalText(path);
      if (text === undefined) throw new AppError('KEY_UNAVAILABLE', `master key file ${path} does not exist`);
      const sealed = await sealKeyForBackup(text, config.keys.file.passphrase, req.keyPassphrase, path);
      const missing = facts.kekVersions.filter((v) => !sealed.versions.includes(v));
      if (missing.length > 0) throw new AppError('CONFLICT', `the database copy has data keys under master key version ${missing.join(', ')}, which the key file no longer holds (a key rotation ran during the backup); run the backup again`);
      await writePrivateText(join(dest, backupFiles.key), sealed.text);
      await add(backupFiles.key);
      key = { versions: sealed.versions };
    }
    const manifest: BackupManifest = {
      format: backupFormat,
      id,
      createdAt: new Date().toISOString(),
      engine,
      keyProvider: config.keys.provider,
      database: { file: dbFile, ...facts, kekVersions: [...facts.kekVersions] },
      pin: pin === undefined ? null : { size: pin.size, root: pin.root.toString('hex') },
      config: req.configFile !== null,
      key,
      segments: segmentsStatement,
      keysAheadUntil,
      files,
    };
    await writePrivateText(join(dest, backupFiles.manifest), formatManifest(manifest));
    const { sha256 } = await hashFile(join(dest, backupFiles.manifest));
    await ledger.record({
      ...event,
      outcome: 'success',
      details: { engine, manifestSha256: sha256, ledgerSize: facts.ledgerSize, checkpointSize: facts.checkpointSize, segments: facts.segments, keyIncluded: key !== null, configIncluded: manifest.config },
    });
    return { manifest, manifestSha256: sha256 };
  } catch (e) {
    await ledger.record({ ...event, outcome: 'failure', reason: (e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 300) ?? '' }).catch(() => undefined);
    throw e;
  }
}
