/** A candidate incident (INC-7). */
export interface Candidate {
  readonly id: string;
  readonly dedupKey: string;
  readonly kind: string;
  readonly title: string;
  readonly status: 'open' | 'qualified' | 'dismissed';
  /** Ledger leaves of the alarms and events it stands for. */
  readonly alarmSeqs: readonly number[];
  readonly firstMs: number;
  readonly lastMs: number;
  readonly reason: string | null;
  readonly incidentId: string | null;
  readonly decidedBy: string | null;
  readonly decidedMs: number | null;
}

/** Persistence of candidates (incident_candidates). */
export interface CandidateStore {
  insert(c: Candidate): Promise<void>;
  update(c: Candidate): Promise<void>;
  get(id: string): Promise<Candidate | undefined>;
  /** The open candidate of a de-duplication key, if any. */
  openByKey(key: string): Promise<Candidate | undefined>;
  list(limit: number, status?: Candidate['status']): Promise<Candidate[]>;
}
