/**
 * The names and rules of the `custos-governance/v1` bundle (docs/reference/governance.md,
 * "Bundle format"): the live-evidence bundle and the readiness pack share it.
 *
 * A bundle holds `statement.json`, content files under `contents/` and `documents/`, the one
 * audit leaf that commits to the statement (`events/<seq>.json`) with its inclusion proof
 * (`proofs/<seq>.tlog-proof`), the signed checkpoint (`checkpoint.txt`) and `manifest.json`.
 * It reuses the evidence package's trust scheme (docs/reference/evidence-package.md): the
 * ledger's signed checkpoint and an inclusion proof of a leaf; there is no second signature.
 *
 * Contracts:
 * - statement.json is the canonical JSON of a {@link BundleStatement}; the leaf
 *   `governance.bundle.exported` carries its SHA-256 (`statementSha256`), bundle id and kind.
 * - The statement lists every file under contents/ and documents/ with its SHA-256, and no
 *   other file; manifest.json lists every file but itself.
 * - Pure: no I/O, no state.
 */
import { canonicalJson, type JsonValue } from '../lib/canonical-json.ts';
import { isSha256Hex } from '../evidence/evidence-format.ts';
import { isObject, parseRfc3339, readCanonicalJson } from '../evidence/strict-json.ts';

/** The format identifier of statement.json and manifest.json. */
export const GOVERNANCE_FORMAT = 'custos-governance/v1';
export const STATEMENT_FILE = 'statement.json';
export const CHECKPOINT_FILE = 'checkpoint.txt';
export const MANIFEST_FILE = 'manifest.json';
/** The audit event type whose leaf commits to a bundle. */
export const BUNDLE_EVENT = 'governance.bundle.exported';

/** Most files a bundle may hold. */
export const MAX_BUNDLE_FILES = 10_000;
/** Largest file a verifier reads. */
export const MAX_BUNDLE_FILE_BYTES = 4 * 1024 * 1024;
/** Most bytes a verifier reads in total. */
export const MAX_BUNDLE_TOTAL_BYTES = 256 * 1024 * 1024;

/** What a bundle is for. */
export type BundleKind = 'evidence' | 'readiness';

/** statement.json: what the bundle holds, committed to by the ledger leaf. */
export interface BundleStatement {
  readonly format: typeof GOVERNANCE_FORMAT;
  readonly kind: BundleKind;
  readonly bundleId: string;
  /** RFC 3339 UTC. */
  readonly producedAt: string;
  /** `custos <version>`. */
  readonly producer: string;
  /** Every content file (contents/…, documents/…) → SHA-256 hex. */
  readonly contents: Readonly<Record<string, string>>;
}

/** The role of a path in a bundle. */
export type BundleFile = { readonly kind: 'statement' | 'checkpoint' | 'manifest' | 'content' } | { readonly kind: 'event' | 'proof'; readonly seq: number };

const SEQ = '(0|[1-9][0-9]{0,15})';
const EVENT = new RegExp(`^events/${SEQ}\\.json$`);
const PROOF = new RegExp(`^proofs/${SEQ}\\.tlog-proof$`);
const CONTENT = /^(contents|documents)\/[a-z0-9][a-z0-9._-]{0,127}$/;

/** True for a name a content file may have. */
export function isContentPath(path: string): boolean {
  return CONTENT.test(path) && !path.includes('..');
}

/** The role of `path`, or undefined when the format has no such file. */
export function classifyBundlePath(path: string): BundleFile | undefined {
  if (path === STATEMENT_FILE) return { kind: 'statement' };
  if (path === CHECKPOINT_FILE) return { kind: 'checkpoint' };
  if (path === MANIFEST_FILE) return { kind: 'manifest' };
  if (isContentPath(path)) return { kind: 'content' };
  const event = EVENT.exec(path);
  const proof = event === null ? PROOF.exec(path) : null;
  const seq = Number((event ?? proof)?.[1]);
  if ((event === null && proof === null) || !Number.isSafeInteger(seq)) return undefined;
  return { kind: event !== null ? 'event' : 'proof', seq };
}

/** The bytes of statement.json. */
export function statementBytes(statement: BundleStatement): Buffer {
  return Buffer.from(canonicalJson(statement as unknown as JsonValue), 'utf8');
}

/** The bytes of manifest.json for `files` (path → SHA-256 hex). */
export function bundleManifestBytes(files: ReadonlyMap<string, string>): Buffer {
  return Buffer.from(canonicalJson({ format: GOVERNANCE_FORMAT, files: Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) }), 'utf8');
}

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: string[] };

/** Reads manifest.json; never throws. */
export function parseBundleManifest(bytes: Buffer): Parsed<ReadonlyMap<string, string>> {
  const parsed = readCanonicalJson(bytes);
  if (!parsed.ok) return { ok: false, problems: [parsed.reason] };
  const v = parsed.value;
  if (!isObject(v)) return { ok: false, problems: ['is not a JSON object'] };
  const problems: string[] = [];
  for (const key of Object.keys(v)) if (key !== 'format' && key !== 'files') problems.push(`has an unknown field "${key}"`);
  if (v.format !== GOVERNANCE_FORMAT) problems.push(`format is not "${GOVERNANCE_FORMAT}"`);
  if (!isObject(v.files)) return { ok: false, problems: [...problems, 'files is not an object'] };
  const files = new Map<string, string>();
  for (const [path, hash] of Object.entries(v.files)) {
    const role = classifyBundlePath(path);
    if (role === undefined || role.kind === 'manifest') problems.push(`lists ${JSON.stringify(path.slice(0, 200))}, which is not a file of the format`);
    else if (!isSha256Hex(hash)) problems.push(`gives ${path} a hash that is not 64 lowercase hex digits`);
    else files.set(path, hash);
  }
  for (const required of [STATEMENT_FILE, CHECKPOINT_FILE]) if (!Object.hasOwn(v.files, required)) problems.push(`does not list ${required}`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: files };
}

/** Reads statement.json; never throws. */
export function parseStatement(bytes: Buffer): Parsed<BundleStatement> {
  const parsed = readCanonicalJson(bytes);
  if (!parsed.ok) return { ok: false, problems: [parsed.reason] };
  const v = parsed.value;
  if (!isObject(v)) return { ok: false, problems: ['is not a JSON object'] };
  const problems: string[] = [];
  for (const key of Object.keys(v)) if (!['format', 'kind', 'bundleId', 'producedAt', 'producer', 'contents'].includes(key)) problems.push(`has an unknown field "${key}"`);
  if (v.format !== GOVERNANCE_FORMAT) problems.push(`format is not "${GOVERNANCE_FORMAT}"`);
  if (v.kind !== 'evidence' && v.kind !== 'readiness') problems.push('kind is not "evidence" or "readiness"');
  if (typeof v.bundleId !== 'string' || v.bundleId === '') problems.push('bundleId must be a non-empty string');
  if (parseRfc3339(v.producedAt, true) === undefined) problems.push('producedAt must be an RFC 3339 UTC time');
  if (typeof v.producer !== 'string' || !/^custos \S+$/.test(v.producer)) problems.push('producer must be "custos <version>"');
  if (!isObject(v.contents)) problems.push('contents is not an object');
  else for (const [path, hash] of Object.entries(v.contents)) if (!isContentPath(path) || !isSha256Hex(hash)) problems.push(`contents lists ${JSON.stringify(path.slice(0, 200))} with a bad name or hash`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: v as unknown as BundleStatement };
}
