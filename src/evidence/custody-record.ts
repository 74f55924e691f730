/**
 * The chain-of-custody record of an export, `custody.json` of an evidence package
 * (docs/reference/evidence-package.md, "custody.json"): who asked for the footage, when, why and
 * for whom, and what was produced.
 *
 * Contracts:
 * - The file is the canonical JSON of a {@link CustodyRecord} (src/lib/canonical-json.ts), no
 *   other bytes; the export completion leaf commits to its SHA-256, so it MUST be produced with
 *   {@link custodyBytes} both when the leaf is written and when the package is.
 * - `reason` and `requestedFor` MUST be non-empty: an export without a purpose is refused.
 * - Pure: no I/O, no state.
 */
import type { AuditActor } from '../audit/audit-event.ts';
import { canonicalJson, type JsonValue } from '../lib/canonical-json.ts';
import { AppError } from '../lib/errors.ts';
import { sha256Hex } from './evidence-format.ts';
import { isObject, parseRfc3339, readCanonicalJson } from './strict-json.ts';

/** Chain-of-custody record, version 1. */
export interface CustodyRecord {
  readonly v: 1;
  readonly exportId: string;
  readonly cameraId: string;
  readonly cameraName: string;
  /** Start of the exported range, RFC 3339 UTC (`Z`). */
  readonly from: string;
  /** End of the exported range (exclusive), RFC 3339 UTC, after `from`. */
  readonly to: string;
  /** Who asked: the ledger actor of the export request, with the display name. */
  readonly requestedBy: { readonly kind: AuditActor['kind']; readonly id: string; readonly name?: string };
  /** When it was asked, RFC 3339: the time of the export request leaf. */
  readonly requestedAt: string;
  /** Why: the stated purpose. */
  readonly reason: string;
  /** For whom: the recipient (person, authority, case). */
  readonly requestedFor: string;
  /**
   * Stretches of [from, to) the MP4 does not hold although footage was recorded there (it could
   * not be read: damaged or missing), each with the reason; absent when there are none.
   */
  readonly gaps?: readonly CustodyGap[];
  /** When the package was produced, RFC 3339. */
  readonly producedAt: string;
  /** `custos <version>`. */
  readonly producer: string;
}

/** A stated gap: RFC 3339 UTC bounds inside the record's range, and why. */
export interface CustodyGap {
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

const KEYS = ['gaps', 'v', 'exportId', 'cameraId', 'cameraName', 'from', 'to', 'requestedBy', 'requestedAt', 'reason', 'requestedFor', 'producedAt', 'producer'];
const ACTOR_KINDS: readonly string[] = ['user', 'token', 'system', 'cli', 'anonymous'] satisfies AuditActor['kind'][];

const nonEmpty = (x: unknown): x is string => typeof x === 'string' && x.trim().length > 0;

/** Everything wrong with `value` as a custody record; empty when it is one. */
export function custodyProblems(value: unknown): string[] {
  if (!isObject(value)) return ['is not a JSON object'];
  const problems: string[] = [];
  for (const key of Object.keys(value)) if (!KEYS.includes(key)) problems.push(`has an unknown field "${key}"`);
  if (value.v !== 1) problems.push('v must be 1');
  for (const key of ['exportId', 'cameraId', 'cameraName'] as const) if (!nonEmpty(value[key])) problems.push(`${key} must be a non-empty string`);
  const from = parseRfc3339(value.from, true);
  const to = parseRfc3339(value.to, true);
  if (from === undefined) problems.push('from must be an RFC 3339 UTC time (…Z)');
  if (to === undefined) problems.push('to must be an RFC 3339 UTC time (…Z)');
  if (from !== undefined && to !== undefined && to <= from) problems.push('to must be after from');
  const by = value.requestedBy;
  if (!isObject(by)) problems.push('requestedBy (who) must be an object { kind, id, name? }');
  else {
    for (const key of Object.keys(by)) if (!['kind', 'id', 'name'].includes(key)) problems.push(`requestedBy has an unknown field "${key}"`);
    if (typeof by.kind !== 'string' || !ACTOR_KINDS.includes(by.kind)) problems.push(`requestedBy.kind must be one of ${ACTOR_KINDS.join(', ')}`);
    if (!nonEmpty(by.id)) problems.push('requestedBy.id must be a non-empty string');
    if (by.name !== undefined && !nonEmpty(by.name)) problems.push('requestedBy.name must be a non-empty string when present');
  }
  if (parseRfc3339(value.requestedAt) === undefined) problems.push('requestedAt (when) must be an RFC 3339 time');
  if (!nonEmpty(value.reason)) problems.push('reason (why) must be a non-empty string');
  if (!nonEmpty(value.requestedFor)) problems.push('requestedFor (for whom) must be a non-empty string');
  if (value.gaps !== undefined) problems.push(...gapProblems(value.gaps, from, to));
  if (parseRfc3339(value.producedAt) === undefined) problems.push('producedAt must be an RFC 3339 time');
  if (typeof value.producer !== 'string' || !/^custos \S+$/.test(value.producer)) problems.push('producer must be "custos <version>"');
  return problems;
}

function gapProblems(gaps: unknown, from: number | undefined, to: number | undefined): string[] {
  if (!Array.isArray(gaps) || gaps.length === 0) return ['gaps must be a non-empty array when present'];
  const problems: string[] = [];
  for (const [i, gap] of gaps.entries()) {
    if (!isObject(gap)) {
      problems.push(`gaps[${i}] must be an object { from, to, reason }`);
      continue;
    }
    for (const key of Object.keys(gap)) if (!['from', 'to', 'reason'].includes(key)) problems.push(`gaps[${i}] has an unknown field "${key}"`);
    const start = parseRfc3339(gap.from, true);
    const end = parseRfc3339(gap.to, true);
    if (start === undefined || end === undefined || end <= start) problems.push(`gaps[${i}] must have RFC 3339 UTC from and to, to after from`);
    else if (from !== undefined && to !== undefined && (start < from || end > to)) problems.push(`gaps[${i}] must lie inside from and to`);
    if (!nonEmpty(gap.reason)) problems.push(`gaps[${i}].reason must be a non-empty string`);
  }
  return problems;
}

/** The bytes of custody.json; throws VALIDATION_FAILED naming every problem of `record`. */
export function custodyBytes(record: CustodyRecord): Buffer {
  const problems = custodyProblems(record);
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `custody record: ${problems.join('; ')}`, { problems });
  return Buffer.from(canonicalJson(record as unknown as JsonValue), 'utf8');
}

/** SHA-256 (hex) of custody.json for `record`: what the export completion leaf commits to. */
export function custodySha256(record: CustodyRecord): string {
  return sha256Hex(custodyBytes(record));
}

/** Reads custody.json bytes; never throws. */
export function parseCustody(bytes: Buffer): { readonly ok: true; readonly record: CustodyRecord } | { readonly ok: false; readonly problems: string[] } {
  const parsed = readCanonicalJson(bytes);
  if (!parsed.ok) return { ok: false, problems: [parsed.reason] };
  const problems = custodyProblems(parsed.value);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, record: parsed.value as CustodyRecord };
}
