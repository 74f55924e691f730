/**
 * Seals a `custos-governance/v1` bundle (bundle-format.ts): hashes the content files into
 * statement.json, records the `governance.bundle.exported` leaf committing to the statement,
 * takes the leaf's inclusion proof against a signed checkpoint, and lays out the files.
 *
 * Contracts:
 * - The leaf is committed before any byte of the bundle is handed out: a bundle exists only if
 *   the ledger recorded it (AUDIT_UNAVAILABLE otherwise, and nothing is produced).
 * - Content names MUST pass {@link isContentPath}; anything else is VALIDATION_FAILED.
 * - manifest.json is computed from the final bytes and is the last file.
 * - No I/O of its own: the zip is produced as it is pulled (evidence/zip-writer.ts).
 */
import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import { sha256Hex } from '../evidence/evidence-format.ts';
import { zipStream } from '../evidence/zip-writer.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { BUNDLE_EVENT, CHECKPOINT_FILE, GOVERNANCE_FORMAT, MANIFEST_FILE, MAX_BUNDLE_FILE_BYTES, STATEMENT_FILE, bundleManifestBytes, isContentPath, statementBytes, type BundleKind, type BundleStatement } from './bundle-format.ts';

/** The part of the ledger a bundle needs. */
export type BundleLedger = Pick<AuditLedger, 'record' | 'proofsFor'>;

/** The version bundles name as their producer. */
export const bundleProducer = 'custos 0.1.0';

/** A sealed bundle: its files in order (manifest last) and the leaf that commits to it. */
export interface SealedBundle {
  readonly bundleId: string;
  readonly kind: BundleKind;
  readonly producedAt: string;
  readonly leafSeq: number;
  readonly files: ReadonlyArray<readonly [string, Buffer]>;
}

/** Seals `contents` (content path → bytes) as a bundle of `kind`, recorded as done by `by`. */
export async function sealBundle(opts: { kind: BundleKind; contents: ReadonlyMap<string, Buffer>; ledger: BundleLedger; clock: Clock; by: AuditContext }): Promise<SealedBundle> {
  const hashes: Record<string, string> = {};
  for (const [path, bytes] of [...opts.contents].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!isContentPath(path)) throw new AppError('VALIDATION_FAILED', `governance bundle: ${JSON.stringify(path)} is not a content file name`);
    if (bytes.length > MAX_BUNDLE_FILE_BYTES) throw new AppError('VALIDATION_FAILED', `governance bundle: ${path} is larger than ${MAX_BUNDLE_FILE_BYTES} bytes`);
    hashes[path] = sha256Hex(bytes);
  }
  const bundleId = randomUUID();
  const producedAt = new Date(opts.clock.now()).toISOString();
  const statement: BundleStatement = { format: GOVERNANCE_FORMAT, kind: opts.kind, bundleId, producedAt, producer: bundleProducer, contents: hashes };
  const statementFile = statementBytes(statement);
  const leaf = await opts.ledger.record({
    type: BUNDLE_EVENT,
    ...opts.by,
    target: { kind: 'governance-bundle', id: bundleId },
    outcome: 'success',
    details: { bundleId, kind: opts.kind, statementSha256: sha256Hex(statementFile), files: Object.keys(hashes).length },
  });
  const { checkpoint, bundles } = await opts.ledger.proofsFor([leaf.seq]);
  const files: Array<readonly [string, Buffer]> = [
    [STATEMENT_FILE, statementFile],
    ...[...opts.contents].sort(([a], [b]) => (a < b ? -1 : 1)),
    [`events/${leaf.seq}.json`, Buffer.from(leaf.text, 'utf8')],
    [`proofs/${leaf.seq}.tlog-proof`, Buffer.from(bundles.get(leaf.seq) as string, 'utf8')],
    [CHECKPOINT_FILE, Buffer.from(checkpoint.note, 'utf8')],
  ];
  const manifest = bundleManifestBytes(new Map(files.map(([path, bytes]) => [path, sha256Hex(bytes)])));
  return { bundleId, kind: opts.kind, producedAt, leafSeq: leaf.seq, files: [...files, [MANIFEST_FILE, manifest]] };
}

/** The bundle as a zip of its files, produced as it is pulled. */
export function bundleZip(bundle: SealedBundle): AsyncGenerator<Buffer> {
  async function* entries(): AsyncGenerator<{ name: string; data: Buffer }> {
    for (const [name, data] of bundle.files) yield { name, data };
  }
  return zipStream(entries(), { modified: new Date(bundle.producedAt) });
}
