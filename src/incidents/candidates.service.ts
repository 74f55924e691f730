import { randomUUID } from 'node:crypto';
import type { AuditContext, LeafRecord } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { candidateKindOf, massOutageWindowMs } from './candidate-kinds.ts';
import type { Candidate, CandidateStore } from './candidate.ts';
import type { Incident, NewIncident } from './incident.ts';
import type { IncidentsService } from './incidents.service.ts';

/** The actor of candidates raised automatically. */
const systemActor = { kind: 'system', id: 'system:incidents' } as const;

/**
 * Candidate incidents (INC-7): raised automatically from ledger records (candidate-kinds.ts),
 * de-duplicated, for a person to qualify or dismiss.
 *
 * Contracts: `consider` is idempotent on the record's leaf (a record already joined is ignored);
 * a record whose key has an open candidate joins it, otherwise a new candidate is raised and
 * recorded (`incident.candidate.raised`). Qualifying opens an incident whose aware time is the
 * decision time unless the person gives an earlier one (awareness is a person's act: the clocks
 * start then), linked to the candidate's ledger leaves. Every decision is recorded
 * (`incident.candidate.decided`) before it is stored; a decided candidate cannot be decided again.
 */
export class CandidatesService {
  readonly #store: CandidateStore;
  readonly #incidents: IncidentsService;
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #gapCameras: (sinceMs: number) => Promise<readonly string[]>;

  constructor(deps: { store: CandidateStore; incidents: IncidentsService; audit: AuditSink; clock: Clock; gapCameras: (sinceMs: number) => Promise<readonly string[]> }) {
    this.#store = deps.store;
    this.#incidents = deps.incidents;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#gapCameras = deps.gapCameras;
  }

  /** Raises or joins a candidate for `record`; the candidate, or undefined when the record raises none. */
  async consider(record: LeafRecord): Promise<Candidate | undefined> {
    const atMs = Date.parse(record.time);
    let gapCameras = 0;
    if (record.type === 'alarm.raised' && record.details?.rule === 'recording-gap') {
      const cameras = new Set(await this.#gapCameras(atMs - massOutageWindowMs));
      if (record.camera_id !== undefined) cameras.add(record.camera_id);
      gapCameras = cameras.size;
    }
    const kind = candidateKindOf(record, gapCameras);
    if (kind === null) return undefined;
    const open = await this.#store.openByKey(kind.dedupKey);
    if (open !== undefined) {
      if (open.alarmSeqs.includes(record.seq)) return open;
      const joined: Candidate = { ...open, alarmSeqs: [...open.alarmSeqs, record.seq], lastMs: Math.max(open.lastMs, atMs), title: kind.title };
      await this.#store.update(joined);
      return joined;
    }
    const candidate: Candidate = { id: randomUUID(), dedupKey: kind.dedupKey, kind: kind.kind, title: kind.title, status: 'open', alarmSeqs: [record.seq], firstMs: atMs, lastMs: atMs, reason: null, incidentId: null, decidedBy: null, decidedMs: null };
    await this.#audit.record({ type: 'incident.candidate.raised', actor: systemActor, outcome: 'success', target: { kind: 'incident-candidate', id: candidate.id }, details: { kind: kind.kind, key: kind.dedupKey, triggeredBy: [record.seq] } });
    await this.#store.insert(candidate);
    return candidate;
  }

  list(limit: number, status?: Candidate['status']): Promise<Candidate[]> {
    return this.#store.list(limit, status);
  }

  async get(id: string): Promise<Candidate> {
    const c = await this.#store.get(id);
    if (c === undefined) throw new AppError('NOT_FOUND', `no candidate ${id}`);
    return c;
  }

  /** Opens an incident from the candidate (its clocks start at the aware time). */
  async qualify(id: string, input: { readonly title?: string | undefined; readonly awareAt?: string | undefined; readonly reason: string }, by: AuditContext): Promise<{ candidate: Candidate; incident: Incident }> {
    const candidate = await this.#open(id);
    const now = this.#clock.now();
    const awareAt = input.awareAt ?? new Date(now).toISOString();
    if (Date.parse(awareAt) > now) throw new AppError('VALIDATION_FAILED', 'awareAt is in the future');
    const fields: NewIncident = { title: input.title ?? candidate.title, awareAt, detectedAt: new Date(candidate.firstMs).toISOString(), ledgerEvents: [...candidate.alarmSeqs], category: candidate.kind };
    const incident = await this.#incidents.create(fields, by, candidate.id);
    const decided: Candidate = { ...candidate, status: 'qualified', reason: input.reason, incidentId: incident.id, decidedBy: by.actor.id, decidedMs: now };
    await this.#audit.record({ type: 'incident.candidate.decided', ...by, outcome: 'success', reason: input.reason, target: { kind: 'incident-candidate', id }, details: { decision: 'qualify', incidentId: incident.id } });
    await this.#store.update(decided);
    return { candidate: decided, incident };
  }

  /** Dismisses the candidate with a reason. */
  async dismiss(id: string, reason: string, by: AuditContext): Promise<Candidate> {
    const candidate = await this.#open(id);
    const decided: Candidate = { ...candidate, status: 'dismissed', reason, decidedBy: by.actor.id, decidedMs: this.#clock.now() };
    await this.#audit.record({ type: 'incident.candidate.decided', ...by, outcome: 'success', reason, target: { kind: 'incident-candidate', id }, details: { decision: 'dismiss' } });
    await this.#store.update(decided);
    return decided;
  }

  async #open(id: string): Promise<Candidate> {
    const c = await this.get(id);
    if (c.status !== 'open') throw new AppError('CONFLICT', `candidate ${id} was already ${c.status}`);
    return c;
  }
}
