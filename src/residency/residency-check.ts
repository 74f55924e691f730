import { createHash } from 'node:crypto';
import { jurisdictionAllowedBy } from '../config/jurisdiction.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import { AppError } from '../lib/errors.ts';
import type { Location } from './locations.ts';

/**
 * The residency rule (issue 14 item 7): with `residency.allowed` set, every location MUST declare
 * a jurisdiction inside it. A location outside the list, AND a location that declares none, is
 * refused (an undeclared location is one nobody can show to be inside; "probably fine" is not
 * what residency promises). With the list empty nothing is enforced. Pure.
 */

/** Why a location breaks the rule. */
export interface ResidencyViolation {
  readonly location: Location;
  readonly problem: 'outside' | 'undeclared';
}

/** The violations of `allowed` by `locations`; none when `allowed` is empty (not enforced). */
export function residencyViolations(allowed: readonly string[], locations: readonly Location[]): ResidencyViolation[] {
  if (allowed.length === 0) return [];
  const out: ResidencyViolation[] = [];
  for (const location of locations) {
    if (location.jurisdiction === null) out.push({ location, problem: 'undeclared' });
    else if (!jurisdictionAllowedBy(location.jurisdiction, allowed)) out.push({ location, problem: 'outside' });
  }
  return out;
}

/** How a location is named in messages: `identity provider oidc:corp`. */
export function locationName(location: Location): string {
  return `${location.kind.replace(/-/g, ' ')} ${location.id}`;
}

/** One line for a violation, naming the location, its jurisdiction and the key to change. */
export function violationText(v: ResidencyViolation, allowed: readonly string[]): string {
  const list = `[${allowed.join(', ')}]`;
  return v.problem === 'outside'
    ? `${locationName(v.location)} is in ${v.location.jurisdiction ?? '?'}, outside residency.allowed ${list} (${v.location.declaredBy})`
    : `${locationName(v.location)} declares no jurisdiction while residency.allowed is ${list} (set ${v.location.declaredBy})`;
}

/**
 * Throws RESIDENCY_REFUSED when a location breaks the rule: one line naming every offending
 * location (start-up, `custos residency check`).
 */
export function assertResidency(allowed: readonly string[], locations: readonly Location[]): void {
  const violations = residencyViolations(allowed, locations);
  if (violations.length === 0) return;
  throw new AppError('RESIDENCY_REFUSED', `RESIDENCY_REFUSED: residency: ${violations.map((v) => violationText(v, allowed)).join('; ')}`, {
    locations: violations.map((v) => `${v.location.kind}:${v.location.id}`),
  });
}

/**
 * SHA-256 of the residency configuration: the allow-list and every location's kind, id,
 * jurisdiction and detail. Equal hashes mean nothing residency-relevant changed.
 */
export function residencyHash(allowed: readonly string[], locations: readonly Location[]): string {
  const canonical = canonicalJson({
    allowed: [...allowed].sort(),
    locations: locations.map((l) => ({ kind: l.kind, id: l.id, jurisdiction: l.jurisdiction, detail: l.detail, outbound: l.outbound })).sort((a, b) => `${a.kind}\0${a.id}`.localeCompare(`${b.kind}\0${b.id}`)),
  });
  return createHash('sha256').update(canonical).digest('hex');
}
