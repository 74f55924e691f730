/**
 * A security advisory as Custos keeps it (AST-4), whichever format it came in (CSAF 2.0 or OSV):
 * who published it, which CVEs it names, how severe it is, and which vendor/model/firmware
 * ranges it affects.
 */
import { AppError } from '../lib/errors.ts';
import type { VersionRange } from './version-range.ts';

/** Where an advisory came from. */
export type AdvisoryFormat = 'csaf' | 'osv';

/** Severity, from CVSS base severity or the publisher's rating; `unknown` when none is given. */
export type AdvisorySeverity = 'critical' | 'high' | 'medium' | 'low' | 'none' | 'unknown';

/** Severities from worst to least, for ordering. */
export const severities: readonly AdvisorySeverity[] = ['critical', 'high', 'medium', 'low', 'none', 'unknown'];

/** One affected product line: a vendor, a model (or a `*` pattern) and the affected firmware. */
export interface AffectedProduct {
  readonly vendor: string;
  readonly model: string;
  readonly range: VersionRange;
  /** The version(s) that fix it, when the advisory says (CSAF `fixed`, OSV `fixed` events). */
  readonly fixedIn: readonly string[];
}

/** An advisory after validation. */
export interface Advisory {
  /** `csaf:<publisher namespace>:<tracking id>` or `osv:<id>`: the same document re-imported replaces itself. */
  readonly id: string;
  readonly format: AdvisoryFormat;
  /** The document's own id (CSAF tracking id, OSV id). */
  readonly documentId: string;
  readonly title: string;
  readonly publisher: string;
  /** The document's revision or modification time as it states it. */
  readonly revision: string;
  /** ISO time of first publication, as stated, or null. */
  readonly published: string | null;
  readonly cves: readonly string[];
  readonly severity: AdvisorySeverity;
  /** Highest CVSS base score stated (CSAF) or computed from a CVSS v3 vector (OSV), or null. */
  readonly cvssScore: number | null;
  readonly cvssVector: string | null;
  readonly products: readonly AffectedProduct[];
  /** When the publisher withdrew it (OSV `withdrawn`), or null; a withdrawn advisory matches nothing. */
  readonly withdrawn: string | null;
  /** Products the import could not use (a range not understood, no vendor), with why. */
  readonly skipped: readonly string[];
  /** SHA-256 of the document's canonical JSON. */
  readonly sha256: string;
}

/** Stable reasons an advisory file is refused (`details.reason` of ADVISORY_REFUSED). */
export type AdvisoryRefusal = 'too-large' | 'not-json' | 'unknown-format' | 'invalid-csaf' | 'invalid-osv' | 'no-products';

/** Refuses an advisory document: nothing of it is stored. */
export function refuse(reason: AdvisoryRefusal, message: string, at?: string): never {
  throw new AppError('ADVISORY_REFUSED', `advisory refused (${reason}): ${message}`.slice(0, 400), { reason, ...(at === undefined ? {} : { at }) });
}

/** Largest advisory document accepted (bytes of JSON); a camera vendor's CSAF file is a few kB. */
export const MAX_ADVISORY_BYTES = 1024 * 1024;

/** A text field of a document, bounded and without control characters, or refusal. */
export function text(v: unknown, at: string, reason: AdvisoryRefusal, max = 500): string {
  if (typeof v !== 'string' || v.trim() === '') refuse(reason, `${at} must be a non-empty string`, at);
  if (v.length > max) refuse(reason, `${at} is longer than ${max} characters`, at);
  return v.replace(/\p{Cc}/gu, ' ').trim();
}

/** An optional text field (absent → null). */
export function optionalText(v: unknown, at: string, reason: AdvisoryRefusal, max = 500): string | null {
  return v === undefined || v === null ? null : text(v, at, reason, max);
}

/** An array field (absent → empty), or refusal. */
export function list(v: unknown, at: string, reason: AdvisoryRefusal, max = 10_000): readonly unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) refuse(reason, `${at} must be an array`, at);
  if (v.length > max) refuse(reason, `${at} has more than ${max} entries`, at);
  return v;
}

/** An object field, or refusal. */
export function object(v: unknown, at: string, reason: AdvisoryRefusal): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) refuse(reason, `${at} must be an object`, at);
  return v as Record<string, unknown>;
}

/** A severity from a rating word ("HIGH", "Moderate"), or unknown. */
export function severityOf(word: unknown): AdvisorySeverity {
  const w = typeof word === 'string' ? word.toLowerCase() : '';
  if (w === 'moderate') return 'medium';
  return (severities as readonly string[]).includes(w) ? (w as AdvisorySeverity) : 'unknown';
}

/** The severity of a CVSS v3/v4 base score. */
export function severityOfScore(score: number): AdvisorySeverity {
  return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : score > 0 ? 'low' : 'none';
}

/** The worse of two severities. */
export function worse(a: AdvisorySeverity, b: AdvisorySeverity): AdvisorySeverity {
  return severities.indexOf(a) <= severities.indexOf(b) ? a : b;
}
