/**
 * `manifest.json` of an evidence package: the SHA-256 of every other file
 * (docs/reference/evidence-package.md, "manifest.json").
 *
 * Contracts:
 * - The file is the canonical JSON of `{ format, files }`, byte for byte; a reader MUST refuse any
 *   other spelling, so every changed byte of the manifest is detected.
 * - `files` lists every file of the package but the manifest itself, each a name the format
 *   defines, with its SHA-256 in lowercase hex; export.mp4, custody.json and checkpoint.txt MUST
 *   be listed, and each events/<seq>.json MUST come with proofs/<seq>.tlog-proof and vice versa.
 * - The manifest is an integrity index, not a trust anchor: it is not signed. Authenticity comes
 *   from the signed checkpoint, the inclusion proofs and the completion leaf.
 * - Pure: no I/O, no state.
 */
import { canonicalJson } from '../lib/canonical-json.ts';
import {
  CHECKPOINT_FILE,
  CUSTODY_FILE,
  EVIDENCE_FORMAT,
  MAX_FILES,
  MP4_FILE,
  classifyPath,
  eventPath,
  isSha256Hex,
  proofPath,
} from './evidence-format.ts';
import { isObject, readCanonicalJson } from './strict-json.ts';

/** The bytes of manifest.json for `files` (package path → SHA-256 hex). */
export function manifestBytes(files: ReadonlyMap<string, string>): Buffer {
  return Buffer.from(canonicalJson({ format: EVIDENCE_FORMAT, files: Object.fromEntries(files) }), 'utf8');
}

/** Reads manifest.json; never throws. Problems are phrased to follow the file name. */
export function parseManifest(bytes: Buffer): { readonly ok: true; readonly files: ReadonlyMap<string, string> } | { readonly ok: false; readonly problems: string[] } {
  const parsed = readCanonicalJson(bytes);
  if (!parsed.ok) return { ok: false, problems: [parsed.reason] };
  const value = parsed.value;
  if (!isObject(value)) return { ok: false, problems: ['is not a JSON object'] };
  const problems: string[] = [];
  for (const key of Object.keys(value)) if (key !== 'format' && key !== 'files') problems.push(`has an unknown field "${key}"`);
  if (value.format !== EVIDENCE_FORMAT) problems.push(`format is not "${EVIDENCE_FORMAT}"`);
  if (!isObject(value.files)) return { ok: false, problems: [...problems, 'files is not an object'] };
  const entries = Object.entries(value.files);
  if (entries.length >= MAX_FILES) return { ok: false, problems: [...problems, `lists more than ${MAX_FILES - 1} files`] };
  const files = new Map<string, string>();
  const events = new Set<number>();
  const proofs = new Set<number>();
  for (const [path, hash] of entries) {
    const role = classifyPath(path);
    if (role === undefined || role.kind === 'manifest') {
      problems.push(`lists ${JSON.stringify(path.slice(0, 200))}, which is not a file of the format`);
      continue;
    }
    if (!isSha256Hex(hash)) problems.push(`gives ${path} a hash that is not 64 lowercase hex digits`);
    else files.set(path, hash);
    if (role.kind === 'event') events.add(role.seq);
    if (role.kind === 'proof') proofs.add(role.seq);
  }
  for (const required of [MP4_FILE, CUSTODY_FILE, CHECKPOINT_FILE]) if (!Object.hasOwn(value.files, required)) problems.push(`does not list ${required}`);
  if (events.size === 0) problems.push('lists no events');
  for (const seq of events) if (!proofs.has(seq)) problems.push(`lists ${eventPath(seq)} without ${proofPath(seq)}`);
  for (const seq of proofs) if (!events.has(seq)) problems.push(`lists ${proofPath(seq)} without ${eventPath(seq)}`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, files };
}
