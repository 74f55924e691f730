import type { Db } from '../db/database.ts';
import type { IncidentCandidateTable } from '../db/tables.ts';
import type { Candidate, CandidateStore } from './candidate.ts';

function fromRow(r: IncidentCandidateTable): Candidate {
  const status = r.status === 'qualified' ? 'qualified' : r.status === 'dismissed' ? 'dismissed' : 'open';
  return {
    id: r.id,
    dedupKey: r.dedup_key,
    kind: r.kind,
    title: r.title,
    status,
    alarmSeqs: JSON.parse(r.alarm_seqs) as number[],
    firstMs: Number(r.first_ms),
    lastMs: Number(r.last_ms),
    reason: r.reason,
    incidentId: r.incident_id,
    decidedBy: r.decided_by,
    decidedMs: r.decided_ms === null ? null : Number(r.decided_ms),
  };
}

function toRow(c: Candidate): IncidentCandidateTable {
  return { id: c.id, dedup_key: c.dedupKey, kind: c.kind, title: c.title, status: c.status, alarm_seqs: JSON.stringify(c.alarmSeqs), first_ms: c.firstMs, last_ms: c.lastMs, reason: c.reason, incident_id: c.incidentId, decided_by: c.decidedBy, decided_ms: c.decidedMs };
}

export function createCandidateStore(db: Db): CandidateStore {
  return {
    async insert(c) {
      await db.insertInto('incident_candidates').values(toRow(c)).execute();
    },
    async update(c) {
      const { id, ...rest } = toRow(c);
      await db.updateTable('incident_candidates').set(rest).where('id', '=', id).execute();
    },
    async get(id) {
      const r = await db.selectFrom('incident_candidates').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : fromRow(r);
    },
    async openByKey(key) {
      const r = await db.selectFrom('incident_candidates').selectAll().where('dedup_key', '=', key).where('status', '=', 'open').orderBy('first_ms', 'desc').executeTakeFirst();
      return r === undefined ? undefined : fromRow(r);
    },
    async list(limit, status) {
      let q = db.selectFrom('incident_candidates').selectAll().orderBy('last_ms', 'desc').orderBy('id').limit(limit);
      if (status !== undefined) q = q.where('status', '=', status);
      return (await q.execute()).map(fromRow);
    },
  };
}
