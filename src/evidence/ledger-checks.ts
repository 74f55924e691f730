/**
 * The checks of an evidence package that need no filesystem: the signed checkpoint, the audit
 * leaves and their inclusion proofs, what the export completion leaf commits to, and the custody
 * record (docs/reference/evidence-package.md, "Verification").
 *
 * Contracts:
 * - Input is untrusted bytes; nothing here throws. Every problem is one line that starts with the
 *   package file it is about.
 * - A check whose inputs are missing or unusable fails with a detail starting `not checked:`:
 *   an unverified fact is never reported as a pass.
 * - Pure: no I/O, no state.
 */
import { parseCheckpoint, type Checkpoint } from '../tlog/checkpoint.ts';
import { leafHash } from '../tlog/merkle.ts';
import { openNote, parseVerifierKey, type Verifier } from '../tlog/signed-note.ts';
import { parseProofBundle, verifyProofBundle } from '../tlog/tlog-proof.ts';
import { parseCustody, type CustodyRecord } from './custody-record.ts';
import { CHECKPOINT_FILE, COVERAGE_TOLERANCE_MS, CUSTODY_FILE, MP4_FILE, REQUEST_TIME_TOLERANCE_MS, eventPath, isSeq, isSha256Hex, proofPath, sha256Hex } from './evidence-format.ts';
import { isObject, parseRfc3339, readCanonicalJson } from './strict-json.ts';

/** One named check of a verification report. */
export interface EvidenceCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What was read from a package for these checks. */
export interface LoadedPackage {
  readonly custody?: Buffer;
  readonly checkpoint?: Buffer;
  /** events/<seq>.json by seq. */
  readonly events: ReadonlyMap<number, Buffer>;
  /** proofs/<seq>.tlog-proof by seq. */
  readonly proofs: ReadonlyMap<number, Buffer>;
  /** SHA-256 of export.mp4 as read, when it could be read whole. */
  readonly mp4Sha256?: string;
}

type Leaf = Record<string, unknown> & { readonly seq: number; readonly type: string };

interface Completion {
  readonly seq: number;
  readonly exportId: string;
  readonly mp4Sha256: string;
  readonly custodySha256: string;
  readonly requestSeq: number;
  readonly segments: readonly number[];
}

const MAX_LISTED = 20;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A check from its problems: ok with `okDetail` when there are none. */
export function checkOf(name: string, problems: readonly string[], okDetail: string): EvidenceCheck {
  if (problems.length === 0) return { name, ok: true, detail: okDetail };
  const more = problems.length > MAX_LISTED ? ` (and ${problems.length - MAX_LISTED} more)` : '';
  return { name, ok: false, detail: problems.slice(0, MAX_LISTED).join('; ') + more };
}

/** A check that could not run. */
export function notChecked(name: string, why: string): EvidenceCheck {
  return { name, ok: false, detail: `not checked: ${why}` };
}

function text(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const when = (ms: number): string => new Date(ms).toISOString();

/** Runs the checks after `files`, in report order. */
export function ledgerChecks(pkg: LoadedPackage, key: Verifier | string): EvidenceCheck[] {
  let verifier: Verifier | undefined;
  let keyProblem = '';
  try {
    verifier = typeof key === 'string' ? parseVerifierKey(key.trim()) : key;
  } catch (e) {
    keyProblem = `the verifier key is invalid: ${(e as Error).message}`;
  }
  const checkpointText = pkg.checkpoint === undefined ? undefined : text(pkg.checkpoint);
  const checks: EvidenceCheck[] = [];
  const cp = checkCheckpoint(pkg, checkpointText, verifier, keyProblem);
  checks.push(cp.check);
  const ev = checkEvents(pkg);
  checks.push(ev.check);
  checks.push(checkProofs(pkg, checkpointText, cp.checkpoint, verifier, keyProblem));
  const custody = pkg.custody === undefined ? undefined : parseCustody(pkg.custody);
  const record = custody?.ok === true ? custody.record : undefined;
  const co = checkCompletion(pkg, ev.leaves, record);
  checks.push(co.check);
  checks.push(checkRequest(ev.leaves, co.completion, record));
  checks.push(checkSegments(ev.leaves, co.completion, record));
  if (custody === undefined) checks.push(checkOf('custody', [`${CUSTODY_FILE}: missing`], ''));
  else if (!custody.ok) checks.push(checkOf('custody', custody.problems.map((p) => `${CUSTODY_FILE}: ${p}`), ''));
  else {
    const r = custody.record;
    const by = r.requestedBy.name === undefined ? `${r.requestedBy.id} (${r.requestedBy.kind})` : `${r.requestedBy.name} (${r.requestedBy.kind} ${r.requestedBy.id})`;
    checks.push(
      checkOf('custody', [], `export ${r.exportId} of camera "${r.cameraName}" (${r.cameraId}) from ${r.from} to ${r.to}, requested by ${by} at ${r.requestedAt} for "${r.requestedFor}", reason "${r.reason}"; produced ${r.producedAt} by ${r.producer}${r.gaps === undefined ? '' : `; the MP4 leaves out ${r.gaps.length} stated gap${r.gaps.length === 1 ? '' : 's'}`}`),
    );
  }
  return checks;
}

function checkCheckpoint(pkg: LoadedPackage, note: string | undefined, verifier: Verifier | undefined, keyProblem: string): { check: EvidenceCheck; checkpoint?: Checkpoint } {
  const name = 'checkpoint';
  if (pkg.checkpoint === undefined) return { check: checkOf(name, [`${CHECKPOINT_FILE}: missing`], '') };
  if (verifier === undefined) return { check: notChecked(name, keyProblem) };
  if (note === undefined) return { check: checkOf(name, [`${CHECKPOINT_FILE}: is not valid UTF-8`], '') };
  try {
    const opened = openNote(note, [verifier]);
    const checkpoint = parseCheckpoint(opened.body);
    const detail = `${CHECKPOINT_FILE} is signed by ${opened.verifiedBy.join(', ')}: log ${checkpoint.origin}, tree size ${checkpoint.size}, root ${checkpoint.root.toString('base64')}`;
    return { check: checkOf(name, [], detail), checkpoint };
  } catch (e) {
    return { check: checkOf(name, [`${CHECKPOINT_FILE}: ${(e as Error).message} (key ${verifier.name})`], '') };
  }
}

function checkEvents(pkg: LoadedPackage): { check: EvidenceCheck; leaves: ReadonlyMap<number, Leaf> } {
  const leaves = new Map<number, Leaf>();
  const problems: string[] = [];
  for (const [seq, bytes] of [...pkg.events].sort(([a], [b]) => a - b)) {
    const path = eventPath(seq);
    const parsed = readCanonicalJson(bytes);
    if (!parsed.ok) {
      problems.push(`${path}: ${parsed.reason}`);
      continue;
    }
    const v = parsed.value;
    if (!isObject(v) || v.v !== 1) problems.push(`${path}: is not a version 1 audit leaf record`);
    else if (v.seq !== seq) problems.push(`${path}: holds the record of seq ${String(v.seq)}, not ${seq}`);
    else if (typeof v.type !== 'string' || parseRfc3339(v.time) === undefined) problems.push(`${path}: has no event type or time`);
    else leaves.set(seq, v as Leaf);
  }
  if (pkg.events.size === 0) problems.push('events/: the package holds no audit leaves');
  const count = (type: string): number => [...leaves.values()].filter((l) => l.type === type).length;
  const detail = `${leaves.size} audit leaves: ${count('footage.export.requested')} export request, ${count('footage.export.completed')} export completion, ${count('footage.segment.sealed')} segments`;
  return { check: checkOf('events', problems, detail), leaves };
}

function checkProofs(pkg: LoadedPackage, note: string | undefined, checkpoint: Checkpoint | undefined, verifier: Verifier | undefined, keyProblem: string): EvidenceCheck {
  const name = 'proofs';
  if (verifier === undefined) return notChecked(name, keyProblem);
  const problems: string[] = [];
  for (const seq of pkg.proofs.keys()) if (!pkg.events.has(seq)) problems.push(`${proofPath(seq)}: has no ${eventPath(seq)}`);
  for (const [seq, leaf] of [...pkg.events].sort(([a], [b]) => a - b)) {
    const path = proofPath(seq);
    const bytes = pkg.proofs.get(seq);
    if (bytes === undefined) {
      problems.push(`${path}: missing, so ${eventPath(seq)} is not proved`);
      continue;
    }
    const bundle = text(bytes);
    if (bundle === undefined) {
      problems.push(`${path}: is not valid UTF-8`);
      continue;
    }
    try {
      const parsed = parseProofBundle(bundle);
      if (parsed.index !== seq) {
        problems.push(`${path}: proves index ${parsed.index}, not seq ${seq}`);
        continue;
      }
      if (note === undefined || parsed.checkpoint !== note) {
        problems.push(`${path}: is not against ${CHECKPOINT_FILE}`);
        continue;
      }
      verifyProofBundle(bundle, leafHash(leaf), [verifier]);
    } catch (e) {
      const message = (e as Error).message;
      problems.push(`${path}: ${/inclusion proof/.test(message) ? `inclusion proof does not verify for ${eventPath(seq)}` : message}`);
    }
  }
  const size = checkpoint === undefined ? '' : ` (tree size ${checkpoint.size})`;
  return checkOf(name, problems, `${pkg.events.size} inclusion proofs verify against ${CHECKPOINT_FILE}${size}`);
}

function parseCompletion(leaf: Leaf, problems: string[]): Completion | undefined {
  const path = eventPath(leaf.seq);
  const d = leaf.details;
  if (!isObject(d)) {
    problems.push(`${path}: the completion event has no details`);
    return undefined;
  }
  const segments = d.segments;
  const bad: string[] = [];
  if (typeof d.exportId !== 'string') bad.push('exportId');
  if (!isSha256Hex(d.mp4Sha256)) bad.push('mp4Sha256');
  if (!isSha256Hex(d.custodySha256)) bad.push('custodySha256');
  if (!isSeq(d.requestSeq)) bad.push('requestSeq');
  if (!Array.isArray(segments) || segments.length === 0 || !segments.every(isSeq) || new Set(segments).size !== segments.length) bad.push('segments');
  if (leaf.outcome !== 'success') bad.push('outcome');
  if (bad.length > 0) {
    problems.push(`${path}: the completion event has a malformed ${bad.join(', ')}`);
    return undefined;
  }
  return { seq: leaf.seq, exportId: d.exportId as string, mp4Sha256: d.mp4Sha256 as string, custodySha256: d.custodySha256 as string, requestSeq: d.requestSeq as number, segments: segments as number[] };
}

function checkCompletion(pkg: LoadedPackage, leaves: ReadonlyMap<number, Leaf>, custody: CustodyRecord | undefined): { check: EvidenceCheck; completion?: Completion } {
  const name = 'completion';
  const found = [...leaves.values()].filter((l) => l.type === 'footage.export.completed');
  if (found.length !== 1) return { check: checkOf(name, [`events/: the package holds ${found.length} export completion events, not exactly one`], '') };
  const problems: string[] = [];
  const completion = parseCompletion(found[0] as Leaf, problems);
  if (completion === undefined) return { check: checkOf(name, problems, '') };
  const path = eventPath(completion.seq);
  if (pkg.mp4Sha256 === undefined) problems.push(`${MP4_FILE}: could not be read whole, so its hash is unknown`);
  else if (pkg.mp4Sha256 !== completion.mp4Sha256) problems.push(`${MP4_FILE}: its SHA-256 ${pkg.mp4Sha256} is not the mp4Sha256 ${completion.mp4Sha256} of ${path}`);
  if (pkg.custody === undefined) problems.push(`${CUSTODY_FILE}: missing`);
  else if (sha256Hex(pkg.custody) !== completion.custodySha256) problems.push(`${CUSTODY_FILE}: its SHA-256 is not the custodySha256 of ${path}`);
  if (custody !== undefined && custody.exportId !== completion.exportId) problems.push(`${CUSTODY_FILE}: exportId ${custody.exportId} is not the exportId ${completion.exportId} of ${path}`);
  const referenced = new Set([completion.seq, completion.requestSeq, ...completion.segments]);
  for (const seq of pkg.events.keys()) if (!referenced.has(seq)) problems.push(`${eventPath(seq)}: is not referenced by the completion event ${path}`);
  const detail = `${path} (seq ${completion.seq}) commits to ${MP4_FILE} (SHA-256 ${completion.mp4Sha256}) and ${CUSTODY_FILE}`;
  return { check: checkOf(name, problems, detail), completion };
}

function checkRequest(leaves: ReadonlyMap<number, Leaf>, completion: Completion | undefined, custody: CustodyRecord | undefined): EvidenceCheck {
  const name = 'request';
  if (completion === undefined) return notChecked(name, 'there is no usable completion event');
  if (custody === undefined) return notChecked(name, `${CUSTODY_FILE} is not well-formed`);
  const path = eventPath(completion.requestSeq);
  const leaf = leaves.get(completion.requestSeq);
  if (leaf === undefined) return checkOf(name, [`${path}: the export request event the completion event names is missing or malformed`], '');
  const problems: string[] = [];
  const actor = leaf.actor;
  const details = leaf.details;
  if (leaf.type !== 'footage.export.requested') problems.push(`${path}: is a ${leaf.type} event, not footage.export.requested`);
  if (leaf.seq >= completion.seq) problems.push(`${path}: comes after the completion event`);
  if (!isObject(details) || details.exportId !== custody.exportId) problems.push(`${path}: is not the request of export ${custody.exportId}`);
  if (leaf.camera_id !== custody.cameraId) problems.push(`${path}: is not for camera ${custody.cameraId} of ${CUSTODY_FILE}`);
  if (!isObject(actor) || actor.kind !== custody.requestedBy.kind || actor.id !== custody.requestedBy.id) problems.push(`${path}: its actor is not requestedBy of ${CUSTODY_FILE}`);
  const leafMs = parseRfc3339(leaf.time) as number;
  if (Math.abs(leafMs - (parseRfc3339(custody.requestedAt) as number)) > REQUEST_TIME_TOLERANCE_MS) problems.push(`${path}: its time ${String(leaf.time)} is not requestedAt of ${CUSTODY_FILE}`);
  const detail = `${path} records that ${custody.requestedBy.kind} ${custody.requestedBy.id} requested export ${custody.exportId} at ${String(leaf.time)}`;
  return checkOf(name, problems, detail);
}

function checkSegments(leaves: ReadonlyMap<number, Leaf>, completion: Completion | undefined, custody: CustodyRecord | undefined): EvidenceCheck {
  const name = 'segments';
  if (completion === undefined) return notChecked(name, 'there is no usable completion event');
  if (custody === undefined) return notChecked(name, `${CUSTODY_FILE} is not well-formed`);
  const problems: string[] = [];
  const spans: Array<{ start: number; end: number }> = [];
  for (const seq of completion.segments) {
    const path = eventPath(seq);
    const leaf = leaves.get(seq);
    if (leaf === undefined) {
      problems.push(`${path}: a segment the completion event names is missing or malformed`);
      continue;
    }
    const d = leaf.details;
    const start = isObject(d) ? parseRfc3339(d.start) : undefined;
    const end = isObject(d) ? parseRfc3339(d.end) : undefined;
    if (leaf.type !== 'footage.segment.sealed') problems.push(`${path}: is a ${leaf.type} event, not footage.segment.sealed`);
    else if (leaf.camera_id !== custody.cameraId) problems.push(`${path}: is a segment of another camera than ${custody.cameraId}`);
    else if (seq >= completion.seq) problems.push(`${path}: was sealed after the completion event`);
    else if (!isObject(d) || typeof d.segmentId !== 'string' || !isSha256Hex(d.plaintextSha256) || !isSha256Hex(d.objectSha256)) problems.push(`${path}: has malformed segment details`);
    else if (start === undefined || end === undefined || end <= start) problems.push(`${path}: has no valid start and end`);
    else spans.push({ start, end });
  }
  const from = parseRfc3339(custody.from) as number;
  const to = parseRfc3339(custody.to) as number;
  // A gap the custody record states (footage recorded but not readable) needs no segment: the
  // record, committed to by the completion leaf, says the MP4 does not hold it.
  const stated = (custody.gaps ?? []).map((g) => ({ start: parseRfc3339(g.from) as number, end: parseRfc3339(g.to) as number }));
  let cursor = from;
  for (const span of [...spans, ...stated].sort((a, b) => a.start - b.start)) {
    if (cursor >= to || span.start >= to) break;
    if (span.start - cursor > COVERAGE_TOLERANCE_MS) problems.push(`segments: no segment covers ${when(cursor)} to ${when(span.start)}`);
    cursor = Math.max(cursor, span.end);
  }
  if (to - cursor > COVERAGE_TOLERANCE_MS) problems.push(`segments: no segment covers ${when(cursor)} to ${when(to)}`);
  const except = custody.gaps === undefined ? '' : `, except ${custody.gaps.length} stated gap${custody.gaps.length === 1 ? '' : 's'} (${custody.gaps.map((g) => `${g.from} to ${g.to}: ${g.reason}`).join('; ')})`;
  return checkOf(name, problems, `${completion.segments.length} segments of camera ${custody.cameraId} cover ${custody.from} to ${custody.to}${except}`);
}
