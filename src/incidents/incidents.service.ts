import { createHash, randomUUID } from 'node:crypto';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditEventType } from '../audit/catalogue.ts';
import type { AuditSink } from '../audit/ledger.ts';
import { canonicalJson, type JsonValue } from '../lib/canonical-json.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { computeClocks, type ClockView } from './clocks.ts';
import { withDefaults, type Incident, type IncidentFields, type IncidentStore, type IncidentUpdate, type NewIncident, type Submission } from './incident.ts';
import { assessSignificance, recurringCheck, type EntityProfile } from './significance.ts';

/** The ledger as the register reads an incident's trail (the assembly binds it to the ledger). */
export interface TrailSource {
  /** Committed events of these types whose target id is `id`, ascending by leaf. */
  eventsOfTarget(types: readonly AuditEventType[], id: string): Promise<{ seq: number; record: string }[]>;
  /** Inclusion proof bundles (C2SP tlog-proof) of leaves against one signed checkpoint. */
  proofsFor(seqs: readonly number[]): Promise<{ checkpoint: { size: number; note: string }; bundles: Map<number, string> }>;
}

/** The ledger event types that make an incident's trail. */
export const incidentEventTypes: readonly AuditEventType[] = ['incident.created', 'incident.updated', 'incident.report.generated', 'incident.report.submitted'];

/** One entry of an incident's trail: the committed record and its inclusion proof. */
export interface TrailEntry {
  readonly seq: number;
  readonly record: Record<string, unknown>;
  readonly proof: string;
}

/**
 * The incident register (INC-1). Contracts: every change is recorded in the ledger
 * (`incident.created`, `incident.updated`, `incident.report.submitted`) with the SHA-256 of the
 * canonical JSON of the new record, BEFORE it is stored — a change the ledger cannot record is
 * not made. Changes are optimistic: a change based on an old version fails with CONFLICT. The
 * significance assessment (INC-2, INC-3) is recomputed at every change and kept in the record.
 */
export class IncidentsService {
  readonly #store: IncidentStore;
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #profile: EntityProfile;
  readonly #zone: string;
  readonly #trail: TrailSource | null;

  constructor(deps: { store: IncidentStore; audit: AuditSink; clock: Clock; profile: EntityProfile; timeZone: string; trail?: TrailSource }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#profile = deps.profile;
    this.#zone = deps.timeZone;
    this.#trail = deps.trail ?? null;
  }

  /** The time zone deadlines are shown in. */
  get timeZone(): string {
    return this.#zone;
  }

  /** Opens an incident; `candidateId` when qualified from a candidate. */
  async create(input: NewIncident, by: AuditContext, candidateId: string | null = null): Promise<Incident> {
    const fields = withDefaults(input);
    checkTimes(fields);
    const now = new Date(this.#clock.now()).toISOString();
    const draft: Incident = { ...fields, id: randomUUID(), status: fields.closedAt === null ? 'open' : 'closed', candidateId, submissions: [], significance: { significant: false, entityType: this.#profile.entityType, criteria: [] }, version: 1, createdAt: now, updatedAt: now };
    const incident = { ...draft, significance: await this.#assess(draft) };
    await this.#audit.record({
      type: 'incident.created',
      ...by,
      outcome: 'success',
      target: { kind: 'incident', id: incident.id },
      details: { aware: incident.awareAt, significant: incident.significance.significant, sha256: digest(incident), ...(candidateId === null ? {} : { candidateId }) },
    });
    await this.#store.insert(incident);
    return incident;
  }

  async get(id: string): Promise<Incident> {
    const incident = await this.#store.get(id);
    if (incident === undefined) throw new AppError('NOT_FOUND', `no incident ${id}`);
    return incident;
  }

  list(limit: number, status?: 'open' | 'closed'): Promise<Incident[]> {
    return this.#store.list(limit, status);
  }

  /** Changes fields; `expectedVersion`, when given, MUST be the stored version. */
  async update(id: string, change: IncidentUpdate, by: AuditContext, expectedVersion?: number): Promise<Incident> {
    const current = await this.get(id);
    if (expectedVersion !== undefined && expectedVersion !== current.version) throw new AppError('CONFLICT', `incident ${id} is at version ${current.version}, not ${expectedVersion}`);
    const fields = Object.keys(change).filter((k) => JSON.stringify((change as Record<string, unknown>)[k]) !== JSON.stringify((current as unknown as Record<string, unknown>)[k]));
    if (fields.length === 0) return current;
    const merged: Incident = { ...current, ...change, version: current.version + 1, updatedAt: new Date(this.#clock.now()).toISOString() };
    checkTimes(merged);
    const next: Incident = { ...merged, status: merged.closedAt === null ? 'open' : 'closed', significance: await this.#assess(merged) };
    return this.#save(next, by, { type: 'incident.updated', details: { fields, significant: next.significance.significant, status: next.status } });
  }

  /** Records a report stage as sent (stops its clock), with the hash of what was sent. */
  async recordSubmission(id: string, submission: { stage: string; sentAt: string; sha256: string; recipient: string }, by: AuditContext): Promise<Incident> {
    const current = await this.get(id);
    const due = computeClocks(clockFacts(current), this.#clock.now(), this.#zone).find((c) => c.id === submission.stage)?.dueMs ?? null;
    const entry: Submission = { ...submission, dueAt: due === null ? null : new Date(due).toISOString() };
    const next: Incident = { ...current, submissions: [...current.submissions, entry], version: current.version + 1, updatedAt: new Date(this.#clock.now()).toISOString() };
    return this.#save(next, by, { type: 'incident.report.submitted', details: { stage: entry.stage, due: entry.dueAt, sent: entry.sentAt, sentSha256: entry.sha256 } });
  }

  /** Records that a report stage was generated or refused (`incident.report.generated`). */
  async recordGenerated(id: string, details: Record<string, JsonValue>, outcome: 'success' | 'failure', by: AuditContext): Promise<void> {
    await this.#audit.record({ type: 'incident.report.generated', ...by, outcome, target: { kind: 'incident', id }, details });
  }

  /** The reporting clocks of an incident now. */
  async clocks(id: string): Promise<ClockView[]> {
    return computeClocks(clockFacts(await this.get(id)), this.#clock.now(), this.#zone);
  }

  /** The incident's own history: its ledger events, each with an inclusion proof against one checkpoint. */
  async trail(id: string, by: AuditContext): Promise<{ checkpoint: string; entries: TrailEntry[] }> {
    await this.get(id);
    // Reading the ledger is itself logged (LOG-2).
    await this.#audit.record({ type: 'audit.events.read', ...by, outcome: 'success', details: { filter: { incident: id, types: [...incidentEventTypes] } } });
    if (this.#trail === null) throw new AppError('INTERNAL', 'the trail is not available in this process');
    const events = await this.#trail.eventsOfTarget(incidentEventTypes, id);
    if (events.length === 0) return { checkpoint: '', entries: [] };
    const { checkpoint, bundles } = await this.#trail.proofsFor(events.map((e) => e.seq));
    return { checkpoint: checkpoint.note, entries: events.map((e) => ({ seq: e.seq, record: JSON.parse(e.record) as Record<string, unknown>, proof: bundles.get(e.seq) ?? '' })) };
  }

  async #save(next: Incident, by: AuditContext, event: { type: AuditEventType; details: Record<string, JsonValue> }): Promise<Incident> {
    await this.#audit.record({ type: event.type, ...by, outcome: 'success', target: { kind: 'incident', id: next.id }, details: { ...event.details, version: next.version, sha256: digest(next) } });
    if (!(await this.#store.update(next))) throw new AppError('CONFLICT', `incident ${next.id} was changed meanwhile; reload and retry`);
    return next;
  }

  /** Significance per criterion, with the recurrence check over the register (INC-3). */
  async #assess(incident: Incident): Promise<Incident['significance']> {
    const base = assessSignificance(incident, this.#profile);
    const at = (i: IncidentFields) => Date.parse(i.occurredAt ?? i.awareAt);
    const register = incident.rootCauseKey === null ? [] : await this.#store.list(1000);
    const recurring = recurringCheck(
      { id: incident.id, atMs: at(incident), rootCauseKey: incident.rootCauseKey, estimatedLossEur: incident.estimatedLossEur },
      register.map((i) => ({ id: i.id, atMs: at(i), rootCauseKey: i.rootCauseKey, estimatedLossEur: i.estimatedLossEur })),
      this.#profile,
    );
    const criteria = [...base.criteria, { criterion: recurring.criterion, met: recurring.met, reasoning: recurring.reasoning }];
    return { significant: criteria.some((c) => c.met), entityType: base.entityType, criteria };
  }
}

/** What the clocks read of an incident. */
export function clockFacts(incident: Incident): Parameters<typeof computeClocks>[0] {
  return {
    awareMs: Date.parse(incident.awareAt),
    closedMs: incident.closedAt === null ? null : Date.parse(incident.closedAt),
    personalDataBreach: incident.personalDataBreach,
    submissions: incident.submissions.map((s) => ({ stage: s.stage, sentMs: Date.parse(s.sentAt) })),
  };
}

/** SHA-256 (hex) of the canonical JSON of a record. */
export function digest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value as JsonValue)).digest('hex');
}

function checkTimes(f: IncidentFields): void {
  const aware = Date.parse(f.awareAt);
  for (const [name, value] of [['containedAt', f.containedAt], ['recoveredAt', f.recoveredAt], ['closedAt', f.closedAt]] as const) {
    if (value !== null && Date.parse(value) < aware) throw new AppError('VALIDATION_FAILED', `${name} is before awareAt`);
  }
}
