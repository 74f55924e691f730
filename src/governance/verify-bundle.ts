/**
 * Offline verification of a `custos-governance/v1` bundle (the live-evidence bundle or the
 * readiness pack): no server, no database, only the bundle and the audit log's verifier key.
 *
 * Contracts:
 * - MUST NOT throw on anything the bundle holds: every problem becomes a failed check naming the
 *   file; a fault of the verifier itself becomes a failed report (fail closed).
 * - Every check runs, in a fixed order; one that cannot run fails with `not checked: …`.
 * - The bundle passes only when every check passes: then statement.json is what the signed
 *   ledger recorded (leaf → inclusion proof → signed checkpoint) and every content file is
 *   what statement.json lists.
 */
import { createHash } from 'node:crypto';
import { checkOf, notChecked, type EvidenceCheck } from '../evidence/ledger-checks.ts';
import { openPackage, type PackageSource } from '../evidence/package-source.ts';
import { isObject, parseRfc3339, readCanonicalJson } from '../evidence/strict-json.ts';
import { parseCheckpoint, type Checkpoint } from '../tlog/checkpoint.ts';
import { leafHash } from '../tlog/merkle.ts';
import { openNote, parseVerifierKey, type Verifier } from '../tlog/signed-note.ts';
import { parseProofBundle, verifyProofBundle } from '../tlog/tlog-proof.ts';
import { BUNDLE_EVENT, CHECKPOINT_FILE, MANIFEST_FILE, MAX_BUNDLE_FILES, MAX_BUNDLE_FILE_BYTES, MAX_BUNDLE_TOTAL_BYTES, STATEMENT_FILE, classifyBundlePath, parseBundleManifest, parseStatement, type BundleStatement } from './bundle-format.ts';

export type { EvidenceCheck } from '../evidence/ledger-checks.ts';

/** The outcome of verifying one bundle. */
export interface BundleReport {
  readonly ok: boolean;
  readonly verdict: string;
  readonly kind?: string;
  readonly container?: 'directory' | 'zip';
  readonly checks: readonly EvidenceCheck[];
}

/** Every check, in report order. */
export const BUNDLE_CHECKS = ['package', 'manifest', 'files', 'checkpoint', 'event', 'proof', 'statement', 'contents'] as const;

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(bytes: Buffer | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function reportOf(checks: EvidenceCheck[], kind?: string, container?: 'directory' | 'zip'): BundleReport {
  const failed = checks.filter((c) => !c.ok);
  const verdict =
    failed.length === 0
      ? `VERIFIED: this ${kind ?? 'governance'} bundle is what the signed audit ledger recorded`
      : `NOT VERIFIED: ${failed.length} of ${checks.length} checks failed (${failed.map((c) => c.name).join(', ')})`;
  return { ok: failed.length === 0, verdict, ...(kind === undefined ? {} : { kind }), ...(container === undefined ? {} : { container }), checks };
}

/** Verifies the bundle at `path` (directory or zip) against the log's verifier key. Never throws. */
export async function verifyBundle(path: string, verifierKey: string | Verifier): Promise<BundleReport> {
  let source: PackageSource;
  try {
    source = await openPackage(path);
  } catch (e) {
    const why = (e as { code?: unknown }).code === 'ENOENT' ? 'no such file or directory' : reasonOf(e);
    return reportOf([checkOf('package', [`the bundle cannot be opened: ${why}`], ''), ...BUNDLE_CHECKS.slice(1).map((n) => notChecked(n, 'the bundle could not be opened'))]);
  }
  try {
    return await verifyOpened(source, verifierKey);
  } catch (e) {
    return reportOf([checkOf('package', [`verification stopped: ${reasonOf(e)}`], ''), ...BUNDLE_CHECKS.slice(1).map((n) => notChecked(n, 'verification stopped'))], undefined, source.kind);
  } finally {
    await source.close().catch(() => undefined);
  }
}

async function verifyOpened(source: PackageSource, key: string | Verifier): Promise<BundleReport> {
  const problems = [...source.problems];
  if (source.files.size > MAX_BUNDLE_FILES) problems.push(`holds more than ${MAX_BUNDLE_FILES} files`);
  const bytes = new Map<string, Buffer>();
  let total = 0;
  for (const [file, size] of [...source.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (classifyBundlePath(file) === undefined) {
      problems.push(`${file}: is not a file of the format`);
      continue;
    }
    if (total + size > MAX_BUNDLE_TOTAL_BYTES) {
      problems.push(`${file}: not read, the bundle exceeds ${MAX_BUNDLE_TOTAL_BYTES} bytes`);
      continue;
    }
    try {
      const data = await source.read(file, MAX_BUNDLE_FILE_BYTES);
      total += data.length;
      bytes.set(file, data);
    } catch (e) {
      problems.push(`${file}: ${reasonOf(e)}`);
    }
  }
  const checks: EvidenceCheck[] = [checkOf('package', problems, `a ${source.kind} of ${source.files.size} files`)];

  // manifest and files
  const manifestBytes = bytes.get(MANIFEST_FILE);
  const manifest = manifestBytes === undefined ? undefined : parseBundleManifest(manifestBytes);
  if (manifest === undefined) checks.push(checkOf('manifest', [`${MANIFEST_FILE}: missing`], ''));
  else checks.push(checkOf('manifest', manifest.ok ? [] : manifest.problems.map((p) => `${MANIFEST_FILE}: ${p}`), `${MANIFEST_FILE} is canonical and lists ${manifest.ok ? manifest.value.size : 0} files`));
  if (manifest === undefined || !manifest.ok) checks.push(notChecked('files', `there is no usable ${MANIFEST_FILE}`));
  else {
    const fileProblems: string[] = [];
    for (const [file, expected] of manifest.value) {
      const data = bytes.get(file);
      if (!source.files.has(file)) fileProblems.push(`${file}: listed in ${MANIFEST_FILE} but missing`);
      else if (data !== undefined && sha256(data) !== expected) fileProblems.push(`${file}: its SHA-256 differs from ${MANIFEST_FILE}`);
    }
    for (const file of source.files.keys()) if (file !== MANIFEST_FILE && !manifest.value.has(file)) fileProblems.push(`${file}: present but not listed in ${MANIFEST_FILE}`);
    checks.push(checkOf('files', fileProblems, `all ${manifest.value.size} files listed in ${MANIFEST_FILE} are present with the listed SHA-256, and no other`));
  }

  // checkpoint
  let verifier: Verifier | undefined;
  let keyProblem = '';
  try {
    verifier = typeof key === 'string' ? parseVerifierKey(key.trim()) : key;
  } catch (e) {
    keyProblem = `the verifier key is invalid: ${reasonOf(e)}`;
  }
  const note = text(bytes.get(CHECKPOINT_FILE));
  let checkpoint: Checkpoint | undefined;
  if (!bytes.has(CHECKPOINT_FILE)) checks.push(checkOf('checkpoint', [`${CHECKPOINT_FILE}: missing`], ''));
  else if (verifier === undefined) checks.push(notChecked('checkpoint', keyProblem));
  else if (note === undefined) checks.push(checkOf('checkpoint', [`${CHECKPOINT_FILE}: is not valid UTF-8`], ''));
  else {
    try {
      const opened = openNote(note, [verifier]);
      checkpoint = parseCheckpoint(opened.body);
      checks.push(checkOf('checkpoint', [], `${CHECKPOINT_FILE} is signed by ${opened.verifiedBy.join(', ')}: log ${checkpoint.origin}, tree size ${checkpoint.size}`));
    } catch (e) {
      checks.push(checkOf('checkpoint', [`${CHECKPOINT_FILE}: ${reasonOf(e)} (key ${verifier.name})`], ''));
    }
  }

  // the one event and its proof
  const events = [...bytes.keys()].flatMap((f) => {
    const role = classifyBundlePath(f);
    return role?.kind === 'event' ? [{ file: f, seq: role.seq }] : [];
  });
  const proofs = [...bytes.keys()].filter((f) => classifyBundlePath(f)?.kind === 'proof');
  let leaf: { seq: number; details: Record<string, unknown>; file: string; bytes: Buffer } | undefined;
  if (events.length !== 1) checks.push(checkOf('event', [`events/: the bundle holds ${events.length} audit leaves, not exactly one`], ''));
  else {
    const { file, seq } = events[0] as { file: string; seq: number };
    const data = bytes.get(file) as Buffer;
    const parsed = readCanonicalJson(data);
    const v = parsed.ok ? parsed.value : undefined;
    const eventProblems: string[] = [];
    if (!parsed.ok) eventProblems.push(`${file}: ${parsed.reason}`);
    else if (!isObject(v) || v.v !== 1 || v.seq !== seq) eventProblems.push(`${file}: is not the version 1 audit leaf of seq ${seq}`);
    else if (v.type !== BUNDLE_EVENT) eventProblems.push(`${file}: is a ${String(v.type)} event, not ${BUNDLE_EVENT}`);
    else if (v.outcome !== 'success' || parseRfc3339(v.time) === undefined || !isObject(v.details)) eventProblems.push(`${file}: has no time, success outcome or details`);
    else leaf = { seq, details: v.details, file, bytes: data };
    checks.push(checkOf('event', eventProblems, leaf === undefined ? '' : `${file} records the export of bundle ${String(leaf.details.bundleId)} (seq ${seq})`));
  }
  if (verifier === undefined) checks.push(notChecked('proof', keyProblem));
  else if (leaf === undefined) checks.push(notChecked('proof', 'there is no usable audit leaf'));
  else {
    const file = `proofs/${leaf.seq}.tlog-proof`;
    const proofText = text(bytes.get(file));
    const proofProblems: string[] = [];
    for (const p of proofs) if (p !== file) proofProblems.push(`${p}: has no matching audit leaf`);
    if (proofText === undefined) proofProblems.push(`${file}: missing or not UTF-8, so ${leaf.file} is not proved`);
    else {
      try {
        const parsed = parseProofBundle(proofText);
        if (parsed.index !== leaf.seq) proofProblems.push(`${file}: proves index ${parsed.index}, not ${leaf.seq}`);
        else if (note === undefined || parsed.checkpoint !== note) proofProblems.push(`${file}: is not against ${CHECKPOINT_FILE}`);
        else verifyProofBundle(proofText, leafHash(leaf.bytes), [verifier]);
      } catch (e) {
        const message = reasonOf(e);
        proofProblems.push(`${file}: ${/inclusion proof/.test(message) ? `inclusion proof does not verify for ${leaf.file}` : message}`);
      }
    }
    checks.push(checkOf('proof', proofProblems, `${leaf.file} is included in the log at tree size ${checkpoint?.size ?? '?'}`));
  }

  // statement and contents
  const statementData = bytes.get(STATEMENT_FILE);
  const parsedStatement = statementData === undefined ? undefined : parseStatement(statementData);
  let statement: BundleStatement | undefined;
  if (statementData === undefined || parsedStatement === undefined) checks.push(checkOf('statement', [`${STATEMENT_FILE}: missing`], ''));
  else if (!parsedStatement.ok) checks.push(checkOf('statement', parsedStatement.problems.map((p) => `${STATEMENT_FILE}: ${p}`), ''));
  else if (leaf === undefined) checks.push(notChecked('statement', 'there is no usable audit leaf to compare it with'));
  else {
    statement = parsedStatement.value;
    const stProblems: string[] = [];
    if (leaf.details.statementSha256 !== sha256(statementData)) stProblems.push(`${STATEMENT_FILE}: its SHA-256 is not the statementSha256 of ${leaf.file}`);
    if (leaf.details.bundleId !== statement.bundleId) stProblems.push(`${STATEMENT_FILE}: bundleId is not that of ${leaf.file}`);
    if (leaf.details.kind !== statement.kind) stProblems.push(`${STATEMENT_FILE}: kind is not that of ${leaf.file}`);
    checks.push(checkOf('statement', stProblems, `${STATEMENT_FILE} (${statement.kind} bundle ${statement.bundleId}, produced ${statement.producedAt} by ${statement.producer}) is the statement ${leaf.file} commits to`));
  }
  if (statement === undefined) checks.push(notChecked('contents', `${STATEMENT_FILE} is not usable`));
  else {
    const contentProblems: string[] = [];
    const listed = Object.entries(statement.contents);
    for (const [file, expected] of listed) {
      const data = bytes.get(file);
      if (data === undefined) contentProblems.push(`${file}: listed in ${STATEMENT_FILE} but missing`);
      else if (sha256(data) !== expected) contentProblems.push(`${file}: its SHA-256 differs from ${STATEMENT_FILE}`);
    }
    for (const file of source.files.keys()) if (classifyBundlePath(file)?.kind === 'content' && !Object.hasOwn(statement.contents, file)) contentProblems.push(`${file}: present but not listed in ${STATEMENT_FILE}`);
    checks.push(checkOf('contents', contentProblems, `all ${listed.length} content files are those ${STATEMENT_FILE} lists`));
  }
  return reportOf(checks, statement?.kind, source.kind);
}
