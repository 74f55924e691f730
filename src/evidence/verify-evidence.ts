/**
 * Offline verification of a `custos-evidence/v1` package (docs/reference/evidence-package.md,
 * "Verification"): no server, no database, only the package and the log's verifier key.
 *
 * Contracts:
 * - `verifyEvidence` MUST NOT throw on anything the package holds (bad zip, bad JSON, huge or
 *   unsafe entries): every problem becomes a failed check naming the file, and a report is
 *   always returned; even a fault of the verifier itself becomes a failed report.
 * - The checks run in a fixed order and all of them run, so one tampered byte shows up in every
 *   check it affects; a check that cannot run fails with `not checked: …`.
 * - The package passes only when every check passes.
 */
import { createHash } from 'node:crypto';
import type { Verifier } from '../tlog/signed-note.ts';
import type { Cosigner } from '../tlog/cosignature.ts';
import { witnessCheck } from './cosigned-evidence.ts';
import { MANIFEST_FILE, MAX_MANIFEST_BYTES, MAX_SMALL_FILE_BYTES, MAX_SMALL_TOTAL_BYTES, MP4_FILE, classifyPath } from './evidence-format.ts';
import { checkOf, ledgerChecks, notChecked, type EvidenceCheck, type LoadedPackage } from './ledger-checks.ts';
import { parseManifest } from './manifest.ts';
import { openPackage, type PackageSource } from './package-source.ts';

export type { EvidenceCheck } from './ledger-checks.ts';

/** The outcome of verifying one package. */
export interface EvidenceReport {
  /** True only when every check passed. */
  readonly ok: boolean;
  /** One sentence for the operator or the court. */
  readonly verdict: string;
  /** How the package was stored, when it could be opened. */
  readonly container?: 'directory' | 'zip';
  readonly checks: readonly EvidenceCheck[];
}

/** Progress of the long part, hashing export.mp4: bytes done out of its size. */
export type EvidenceProgress = (done: number, total: number) => void;

/** Every check name, in report order; `witnesses` follows when witness keys are given. */
export const CHECK_NAMES = ['package', 'manifest', 'files', 'checkpoint', 'events', 'proofs', 'completion', 'request', 'segments', 'custody'] as const;

function reportOf(checks: EvidenceCheck[], container?: 'directory' | 'zip'): EvidenceReport {
  const failed = checks.filter((c) => !c.ok);
  const verdict =
    failed.length === 0
      ? 'VERIFIED: export.mp4 and custody.json are what the signed audit ledger recorded for this export'
      : `NOT VERIFIED: ${failed.length} of ${checks.length} checks failed (${failed.map((c) => c.name).join(', ')})`;
  return container === undefined ? { ok: failed.length === 0, verdict, checks } : { ok: failed.length === 0, verdict, container, checks };
}

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Verifies the package at `path` (a directory or a zip) against the log's verifier key (a C2SP
 * vkey string or a parsed Verifier). Never throws on bad input; see the module contract.
 */
export async function verifyEvidence(path: string, verifierKey: string | Verifier, onProgress?: EvidenceProgress, opts: { readonly witnesses?: readonly Cosigner[] } = {}): Promise<EvidenceReport> {
  let source: PackageSource;
  try {
    source = await openPackage(path);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : reasonOf(e);
    const checks = [checkOf('package', [`the package cannot be opened: ${why}`], '')];
    for (const name of CHECK_NAMES.slice(1)) checks.push(notChecked(name, 'the package could not be opened'));
    return reportOf(checks);
  }
  try {
    return await verifyOpened(source, verifierKey, onProgress, opts.witnesses ?? []);
  } catch (e) {
    // Fail closed: a fault of the verifier itself MUST NOT read as a verified package.
    const checks = [checkOf('package', [`verification stopped: ${reasonOf(e)}`], '')];
    for (const name of CHECK_NAMES.slice(1)) checks.push(notChecked(name, 'verification stopped'));
    return reportOf(checks, source.kind);
  } finally {
    await source.close().catch(() => undefined);
  }
}

async function verifyOpened(source: PackageSource, verifierKey: string | Verifier, onProgress: EvidenceProgress | undefined, witnesses: readonly Cosigner[]): Promise<EvidenceReport> {
  const checks: EvidenceCheck[] = [checkOf('package', source.problems, `a ${source.kind} of ${source.files.size} files`)];

  let listed: ReadonlyMap<string, string> | undefined;
  if (!source.files.has(MANIFEST_FILE)) checks.push(checkOf('manifest', [`${MANIFEST_FILE}: missing`], ''));
  else {
    try {
      const manifest = parseManifest(await source.read(MANIFEST_FILE, MAX_MANIFEST_BYTES));
      if (manifest.ok) listed = manifest.files;
      checks.push(checkOf('manifest', manifest.ok ? [] : manifest.problems.map((p) => `${MANIFEST_FILE}: ${p}`), `${MANIFEST_FILE} is canonical and lists ${manifest.ok ? manifest.files.size : 0} files`));
    } catch (e) {
      checks.push(checkOf('manifest', [`${MANIFEST_FILE}: ${reasonOf(e)}`], ''));
    }
  }

  const { loaded, hashes, problems } = await readFiles(source, onProgress);
  if (listed === undefined) checks.push(notChecked('files', `there is no usable ${MANIFEST_FILE}${problems.length > 0 ? `; also ${problems.join('; ')}` : ''}`));
  else {
    for (const [file, expected] of listed) {
      const actual = hashes.get(file);
      if (!source.files.has(file)) problems.push(`${file}: listed in ${MANIFEST_FILE} but missing`);
      else if (actual !== undefined && actual !== expected) problems.push(`${file}: its SHA-256 differs from ${MANIFEST_FILE}`);
    }
    for (const file of source.files.keys()) if (file !== MANIFEST_FILE && !listed.has(file)) problems.push(`${file}: present but not listed in ${MANIFEST_FILE}`);
    checks.push(checkOf('files', problems, `all ${listed.size} files listed in ${MANIFEST_FILE} are present with the listed SHA-256, and no other`));
  }
  checks.push(...ledgerChecks(loaded, verifierKey));
  // Only when witnesses are given: a package is complete without them (they are an extra assurance).
  if (witnesses.length > 0) checks.push(witnessCheck(loaded.checkpoint, witnesses));
  return reportOf(checks, source.kind);
}

/** Reads every file the format defines (small ones whole, the MP4 hashed as it streams). */
async function readFiles(source: PackageSource, onProgress?: EvidenceProgress): Promise<{ loaded: LoadedPackage; hashes: Map<string, string>; problems: string[] }> {
  const hashes = new Map<string, string>();
  const problems: string[] = [];
  const events = new Map<number, Buffer>();
  const proofs = new Map<number, Buffer>();
  let custody: Buffer | undefined;
  let checkpoint: Buffer | undefined;
  let smallTotal = 0;
  for (const file of [...source.files.keys()].sort()) {
    const role = classifyPath(file);
    if (role === undefined || role.kind === 'mp4' || role.kind === 'manifest') continue;
    let bytes: Buffer;
    try {
      const size = source.files.get(file) as number;
      if (smallTotal + size > MAX_SMALL_TOTAL_BYTES) {
        problems.push(`${file}: not read, the package's small files exceed ${MAX_SMALL_TOTAL_BYTES} bytes in total`);
        continue;
      }
      bytes = await source.read(file, MAX_SMALL_FILE_BYTES);
      smallTotal += bytes.length;
    } catch (e) {
      problems.push(`${file}: ${reasonOf(e)}`);
      continue;
    }
    hashes.set(file, createHash('sha256').update(bytes).digest('hex'));
    if (role.kind === 'event' || role.kind === 'proof') (role.kind === 'event' ? events : proofs).set(role.seq, bytes);
    else if (role.kind === 'custody') custody = bytes;
    else checkpoint = bytes;
  }
  let mp4Sha256: string | undefined;
  if (source.files.has(MP4_FILE)) {
    const total = source.files.get(MP4_FILE) as number;
    const hash = createHash('sha256');
    let done = 0;
    try {
      onProgress?.(0, total);
      for await (const chunk of source.stream(MP4_FILE)) {
        hash.update(chunk);
        done += chunk.length;
        onProgress?.(Math.min(done, total), total);
      }
      mp4Sha256 = hash.digest('hex');
      hashes.set(MP4_FILE, mp4Sha256);
    } catch (e) {
      problems.push(`${MP4_FILE}: ${reasonOf(e)}`);
    }
  }
  const loaded: LoadedPackage = { events, proofs, custody, checkpoint, mp4Sha256 };
  return { loaded, hashes, problems };
}
