import { z } from 'zod';

/**
 * The incident record (INC-1) as the register keeps it and the API exchanges it. Times are
 * RFC 3339 UTC on the wire and in the stored JSON; the clocks (clocks.ts) read them as UTC ms.
 */

const tristate = z.enum(['yes', 'no', 'unknown']);
const time = z.iso.datetime({ offset: true });
const text = (max: number) => z.string().trim().min(1).max(max);
const list = (max: number) => z.array(text(500)).max(max);

/** The fields a person sets; every one optional in an update. */
export const incidentFields = z.strictObject({
  title: text(200).describe('Short name of the incident.'),
  detectedAt: time.nullable().describe('When the incident was detected.'),
  awareAt: time.describe('When the entity became aware that it is an incident: every clock counts from here.'),
  occurredAt: time.nullable().describe('When the incident began, when known.'),
  containedAt: time.nullable().describe('When it was contained.'),
  recoveredAt: time.nullable().describe('When services were recovered.'),
  closedAt: time.nullable().describe('When handling ended (the incident is closed).'),
  category: text(100).nullable().describe('Category, e.g. unauthorised-access, malware, availability, physical-tampering.'),
  severity: z.enum(['low', 'medium', 'high', 'critical']).nullable().describe('Severity as assessed by the handler.'),
  suspectedMalicious: tristate.describe('Suspected unlawful or malicious act.'),
  crossBorder: tristate.describe('Possible cross-border impact.'),
  affectedMemberStates: z.array(z.string().regex(/^[A-Z]{2}$/)).max(30).describe('ISO 3166-1 alpha-2 codes of affected EU member states.'),
  indicators: list(200).describe('Indicators of compromise (addresses, hashes, account names…).'),
  description: text(20_000).nullable().describe('Detailed description.'),
  initialAssessment: text(20_000).nullable().describe('Initial assessment (for the incident notification).'),
  impact: text(20_000).nullable().describe('Severity and impact in words.'),
  statusUpdate: text(20_000).nullable().describe('Latest status (intermediate and progress reports).'),
  rootCause: text(5_000).nullable().describe('Root cause, when known.'),
  rootCauseKey: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).nullable().describe('Root cause as a short key (e.g. weak-camera-password): incidents with the same key are checked for recurrence (INC-3).'),
  threatType: text(200).nullable().describe('Type of threat.'),
  mitigationsApplied: list(100).describe('Mitigations applied.'),
  mitigationsOngoing: list(100).describe('Mitigations still ongoing.'),
  affectedServices: list(100).describe('Services affected.'),
  affectedCameras: z.array(z.string().min(1).max(100)).max(10_000).describe('Ids of cameras affected.'),
  affectedUsers: z.number().int().min(0).nullable().describe('Number of users affected.'),
  affectedPersons: z.number().int().min(0).nullable().describe('Number of natural persons whose data is concerned.'),
  estimatedLossEur: z.number().int().min(0).nullable().describe('Estimated direct financial loss in euros.'),
  tradeSecretsExfiltrated: tristate.describe('Trade secrets exfiltrated (significance).'),
  healthDamage: tristate.describe('Death or considerable damage to health (significance).'),
  unauthorisedAccess: tristate.describe('Successful unauthorised access (significance).'),
  capableOfSevereDisruption: tristate.describe('The access could cause severe disruption (significance).'),
  completeUnavailabilityMinutes: z.number().int().min(0).nullable().describe('Minutes of complete unavailability of the service.'),
  limitedAvailabilityMinutes: z.number().int().min(0).nullable().describe('Minutes of limited availability.'),
  limitedAvailabilityUsers: z.number().int().min(0).nullable().describe('EU users reached by the limited availability.'),
  personalDataBreach: z.boolean().describe('Personal data was breached: the GDPR Art. 33 clock runs (INC-6).'),
  ledgerEvents: z.array(z.number().int().min(0)).max(10_000).describe('Ledger leaves linked to the incident (alarms, logins, changes).'),
  evidenceExports: z.array(z.string().min(1).max(100)).max(1000).describe('Ids of evidence exports of footage.'),
});

export type IncidentFields = z.output<typeof incidentFields>;

/** A new incident: title and aware time required, everything else defaults to unknown or empty. */
export const newIncident = incidentFields.partial().required({ title: true, awareAt: true });
export type NewIncident = z.output<typeof newIncident>;

/** An update: any field. */
export const incidentUpdate = incidentFields.partial();
export type IncidentUpdate = z.output<typeof incidentUpdate>;

/** The default of every field a new incident leaves out. */
export function withDefaults(input: NewIncident): IncidentFields {
  return {
    detectedAt: null,
    occurredAt: null,
    containedAt: null,
    recoveredAt: null,
    closedAt: null,
    category: null,
    severity: null,
    suspectedMalicious: 'unknown',
    crossBorder: 'unknown',
    affectedMemberStates: [],
    indicators: [],
    description: null,
    initialAssessment: null,
    impact: null,
    statusUpdate: null,
    rootCause: null,
    rootCauseKey: null,
    threatType: null,
    mitigationsApplied: [],
    mitigationsOngoing: [],
    affectedServices: [],
    affectedCameras: [],
    affectedUsers: null,
    affectedPersons: null,
    estimatedLossEur: null,
    tradeSecretsExfiltrated: 'unknown',
    healthDamage: 'unknown',
    unauthorisedAccess: 'unknown',
    capableOfSevereDisruption: 'unknown',
    completeUnavailabilityMinutes: null,
    limitedAvailabilityMinutes: null,
    limitedAvailabilityUsers: null,
    personalDataBreach: false,
    ledgerEvents: [],
    evidenceExports: [],
    ...input,
  };
}

/** A report stage sent to the CSIRT or authority (INC-1: stage, due, sent, hash of what was sent). */
export interface Submission {
  readonly stage: string;
  /** RFC 3339 UTC, or null when the stage had no due time (intermediate). */
  readonly dueAt: string | null;
  readonly sentAt: string;
  readonly sha256: string;
  readonly recipient: string;
}

/** An incident of the register. */
export interface Incident extends IncidentFields {
  readonly id: string;
  readonly status: 'open' | 'closed';
  /** The candidate it was qualified from, if any. */
  readonly candidateId: string | null;
  readonly submissions: readonly Submission[];
  /** The significance assessment as of the last change (significance.ts), per criterion. */
  readonly significance: {
    readonly significant: boolean;
    readonly entityType: string;
    readonly criteria: readonly { readonly criterion: string; readonly met: boolean; readonly reasoning: string }[];
  };
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Persistence of the incident register (incidents, incident_reminders). */
export interface IncidentStore {
  insert(incident: Incident): Promise<void>;
  /**
   * Replaces the incident when its stored version is `incident.version - 1`; false when another
   * change came first (the caller answers CONFLICT).
   */
  update(incident: Incident): Promise<boolean>;
  get(id: string): Promise<Incident | undefined>;
  /** Newest aware time first. */
  list(limit: number, status?: 'open' | 'closed'): Promise<Incident[]>;
  /** Reminder keys already sent for an incident. */
  remindersSent(id: string): Promise<Set<string>>;
  /** Records a reminder as sent; false when it was already. */
  markReminder(id: string, key: string, nowMs: number): Promise<boolean>;
}
