import { z } from 'zod';
import { AppError } from '../lib/errors.ts';

/** The manifest's format line; a restore refuses any other. */
export const backupFormat = 'custos-backup/1';

/** The file names inside a backup directory (docs/reference/backup.md). */
export const backupFiles = {
  manifest: 'manifest.json',
  sqlite: 'custos.db',
  postgres: 'postgres.dump',
  config: 'custos.yaml',
  pin: 'last-checkpoint',
  key: 'master-key.sealed',
} as const;

/** What the manifest says about footage: it is not in the backup. */
export const segmentsStatement =
  'Segments (footage) are NOT in this backup: they live in the storage zones (the segments directory). The backup makes the index, the audit ledger and the keys recoverable; footage comes from the zones.';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** The manifest (manifest.json), written last: a backup directory without one is incomplete. */
export const manifestSchema = z.strictObject({
  format: z.literal(backupFormat),
  id: z.string().uuid(),
  createdAt: z.string(),
  engine: z.enum(['sqlite', 'postgres']),
  keyProvider: z.enum(['file', 'pkcs11']),
  /** Facts read from the database snapshot (PostgreSQL: read just before the dump; the dump holds at least these). */
  database: z.strictObject({
    file: z.string(),
    ledgerSize: z.number().int().min(0),
    checkpointSize: z.number().int().min(0),
    segments: z.number().int().min(0),
    kekVersions: z.array(z.number().int().min(1)),
  }),
  /** The pin (last checkpoint signed) as copied before the snapshot, or null when none was signed yet. */
  pin: z.strictObject({ size: z.number().int().min(0), root: z.string().regex(/^[0-9a-f]{64}$/) }).nullable(),
  /** Whether the config file is included (it is only when `--config` named one). */
  config: z.boolean(),
  /** The master key, sealed under the backup passphrase; null when not asked for (or an HSM). */
  key: z.strictObject({ versions: z.array(z.number().int().min(1)) }).nullable(),
  segments: z.string(),
  /**
   * Data keys of every camera were created up to this time before the snapshot, so footage
   * recorded after the backup (and found in the zone) until then stays readable after a restore.
   */
  keysAheadUntil: z.string().nullable(),
  /** Every file of the backup except the manifest: SHA-256 and length. */
  files: z.record(z.string(), z.strictObject({ sha256, bytes: z.number().int().min(0) })),
});

/** A parsed backup manifest. */
export type BackupManifest = z.infer<typeof manifestSchema>;

/** Parses manifest.json text; BACKUP_INVALID with one line when it is not a Custos backup manifest. */
export function parseManifest(text: string): BackupManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AppError('BACKUP_INVALID', 'backup: manifest.json is not valid JSON');
  }
  const result = manifestSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AppError('BACKUP_INVALID', `backup: manifest.json is not a ${backupFormat} manifest (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`);
  }
  for (const name of Object.keys(result.data.files)) {
    if (!(Object.values(backupFiles) as string[]).includes(name) || name === backupFiles.manifest) throw new AppError('BACKUP_INVALID', `backup: manifest.json lists an unexpected file "${name}"`);
  }
  return result.data;
}

/** The manifest as written: stable JSON, two-space indented. */
export function formatManifest(manifest: BackupManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
