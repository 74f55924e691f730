/**
 * The significance engine (INC-2) and the recurring-incident check (INC-3), after Commission
 * Implementing Regulation (EU) 2024/2690 Art. 3 and 4 (criteria) and its Art. 5–14 (the extra
 * availability criteria of cloud, data-centre and managed-service providers).
 *
 * Pure: no I/O, no clock. Every criterion answers met / not met with its reasoning, so the
 * register keeps the assessment per criterion (INC-1). Thresholds are strict ("above", "over"):
 * exactly 30 minutes of complete unavailability, exactly 5 % of turnover, are not significant.
 */

/** A yes/no/unknown answer, as the register keeps the flags. */
export type Tristate = 'yes' | 'no' | 'unknown';

/** One significance criterion. */
export type CriterionId = 'financial-loss' | 'trade-secrets' | 'health' | 'malicious-access' | 'complete-unavailability' | 'limited-availability' | 'recurring';

import { entityTypes } from '../config/incidents.schema.ts';

export { entityTypes };
/** The entity types whose criteria differ; configured as `incidents.entityType`. */
export type EntityType = (typeof entityTypes)[number];

/** The criteria that apply to each entity type (Reg. 2024/2690 Art. 3 for all, Art. 7, 8, 11, 12 for the providers). */
export const criteriaByEntityType: Readonly<Record<EntityType, readonly CriterionId[]>> = {
  default: ['financial-loss', 'trade-secrets', 'health', 'malicious-access'],
  'cloud-provider': ['financial-loss', 'trade-secrets', 'health', 'malicious-access', 'complete-unavailability', 'limited-availability'],
  'data-centre': ['financial-loss', 'trade-secrets', 'health', 'malicious-access', 'complete-unavailability'],
  'managed-service-provider': ['financial-loss', 'trade-secrets', 'health', 'malicious-access', 'complete-unavailability', 'limited-availability'],
  'managed-security-service-provider': ['financial-loss', 'trade-secrets', 'health', 'malicious-access', 'complete-unavailability', 'limited-availability'],
  'trust-service-provider': ['financial-loss', 'trade-secrets', 'health', 'malicious-access', 'complete-unavailability'],
};

/** The entity the engine assesses for (config `incidents`). */
export interface EntityProfile {
  readonly entityType: EntityType;
  /** Annual turnover in euros; null when unknown (then only the €500,000 bound applies). */
  readonly annualTurnoverEur: number | null;
  /** Users of the service in the EU; null when unknown (then only the 1 million bound applies). */
  readonly euUsers: number | null;
}

/** What the engine reads of an incident. */
export interface SignificanceFacts {
  readonly estimatedLossEur: number | null;
  readonly tradeSecretsExfiltrated: Tristate;
  readonly healthDamage: Tristate;
  /** Unauthorised access succeeded. */
  readonly unauthorisedAccess: Tristate;
  readonly suspectedMalicious: Tristate;
  /** The access could cause severe operational disruption. */
  readonly capableOfSevereDisruption: Tristate;
  /** Minutes the service was completely unavailable. */
  readonly completeUnavailabilityMinutes: number | null;
  /** Minutes of limited availability, and how many EU users it reached. */
  readonly limitedAvailabilityMinutes: number | null;
  readonly limitedAvailabilityUsers: number | null;
}

/** The assessment of one criterion. */
export interface CriterionResult {
  readonly criterion: CriterionId;
  readonly met: boolean;
  readonly reasoning: string;
}

/** The whole assessment. */
export interface Significance {
  readonly significant: boolean;
  readonly entityType: EntityType;
  readonly criteria: readonly CriterionResult[];
}

const lossCapEur = 500_000;
const lossShare = 0.05;
const completeMinutes = 30;
const limitedMinutes = 60;
const limitedUserShare = 0.05;
const limitedUserCap = 1_000_000;

/** The financial-loss threshold: €500,000 or 5 % of annual turnover, whichever is lower. */
export function lossThresholdEur(profile: EntityProfile): number {
  return profile.annualTurnoverEur === null ? lossCapEur : Math.min(lossCapEur, profile.annualTurnoverEur * lossShare);
}

/** The limited-availability user threshold: 5 % of EU users or 1 million, whichever is lower. */
export function userThreshold(profile: EntityProfile): number {
  return profile.euUsers === null ? limitedUserCap : Math.min(limitedUserCap, profile.euUsers * limitedUserShare);
}

const eur = (n: number) => `€${Math.round(n).toLocaleString('en-GB')}`;

/** Assesses every criterion of the entity type; significant when any is met. */
export function assessSignificance(facts: SignificanceFacts, profile: EntityProfile): Significance {
  const results = criteriaByEntityType[profile.entityType].filter((c) => c !== 'recurring').map((c) => assess(c, facts, profile));
  return { significant: results.some((r) => r.met), entityType: profile.entityType, criteria: results };
}

function assess(criterion: Exclude<CriterionId, 'recurring'>, f: SignificanceFacts, profile: EntityProfile): CriterionResult {
  switch (criterion) {
    case 'financial-loss': {
      const threshold = lossThresholdEur(profile);
      if (f.estimatedLossEur === null) return { criterion, met: false, reasoning: `no loss estimated (threshold ${eur(threshold)})` };
      const met = f.estimatedLossEur > threshold;
      return { criterion, met, reasoning: `estimated loss ${eur(f.estimatedLossEur)} is ${met ? 'above' : 'not above'} ${eur(threshold)} (the lower of €500,000 and 5 % of turnover)` };
    }
    case 'trade-secrets':
      return { criterion, met: f.tradeSecretsExfiltrated === 'yes', reasoning: `exfiltration of trade secrets: ${f.tradeSecretsExfiltrated}` };
    case 'health':
      return { criterion, met: f.healthDamage === 'yes', reasoning: `death or considerable damage to health: ${f.healthDamage}` };
    case 'malicious-access': {
      const met = f.unauthorisedAccess === 'yes' && f.suspectedMalicious === 'yes' && f.capableOfSevereDisruption === 'yes';
      return { criterion, met, reasoning: `successful unauthorised access ${f.unauthorisedAccess}, suspected malicious ${f.suspectedMalicious}, capable of severe disruption ${f.capableOfSevereDisruption}` };
    }
    case 'complete-unavailability': {
      const minutes = f.completeUnavailabilityMinutes;
      if (minutes === null) return { criterion, met: false, reasoning: 'no complete unavailability recorded' };
      const met = minutes > completeMinutes;
      return { criterion, met, reasoning: `complete unavailability of ${minutes} min is ${met ? 'over' : 'not over'} ${completeMinutes} min` };
    }
    case 'limited-availability': {
      const minutes = f.limitedAvailabilityMinutes;
      const users = f.limitedAvailabilityUsers;
      const threshold = userThreshold(profile);
      if (minutes === null || users === null) return { criterion, met: false, reasoning: 'no limited availability recorded' };
      const met = minutes > limitedMinutes && users > threshold;
      return { criterion, met, reasoning: `limited availability for ${users} users (threshold ${threshold}) during ${minutes} min (threshold ${limitedMinutes} min)` };
    }
  }
}

/** What the recurrence check reads of each incident of the register. */
export interface PastIncident {
  readonly id: string;
  /** When it occurred (aware time when unknown), UTC ms. */
  readonly atMs: number;
  /** The apparent root cause, normalised by the caller (the register uses its root-cause key). */
  readonly rootCauseKey: string | null;
  readonly estimatedLossEur: number | null;
}

/** The start of the six-month window that ends at `atMs` (calendar months, UTC). */
export function sixMonthsBefore(atMs: number): number {
  const d = new Date(atMs);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 6, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.getTime();
}

/**
 * INC-3 (Reg. 2024/2690 Art. 4): incidents that each are not significant count as one
 * significant incident when at least two occurred within six months, share the same apparent
 * root cause, and together meet the financial-loss criterion. `current` is among `register` or
 * not; the window is the six months up to and including `current`.
 */
export function recurringCheck(current: PastIncident, register: readonly PastIncident[], profile: EntityProfile): CriterionResult & { readonly related: readonly string[] } {
  const criterion = 'recurring' as const;
  if (current.rootCauseKey === null) return { criterion, met: false, reasoning: 'no root-cause key (rootCauseKey) recorded: recurrence cannot be assessed', related: [] };
  const from = sixMonthsBefore(current.atMs);
  const group = [current, ...register.filter((p) => p.id !== current.id && p.rootCauseKey === current.rootCauseKey && p.atMs >= from && p.atMs <= current.atMs)];
  const total = group.reduce((sum, p) => sum + (p.estimatedLossEur ?? 0), 0);
  const threshold = lossThresholdEur(profile);
  const related = group.filter((p) => p.id !== current.id).map((p) => p.id);
  if (group.length < 2) return { criterion, met: false, reasoning: `no other incident with root cause "${current.rootCauseKey}" in the six months before`, related };
  const met = total > threshold;
  return { criterion, met, reasoning: `${group.length} incidents with root cause "${current.rootCauseKey}" within six months, together ${eur(total)}, ${met ? 'above' : 'not above'} ${eur(threshold)}`, related };
}
