import type { Db } from '../db/database.ts';
import type { Incident, IncidentStore } from './incident.ts';

export function createIncidentStore(db: Db): IncidentStore {
  const row = (i: Incident) => ({ id: i.id, title: i.title, status: i.status, aware_ms: Date.parse(i.awareAt), data: JSON.stringify(i), version: i.version, created_ms: Date.parse(i.createdAt), updated_ms: Date.parse(i.updatedAt) });
  return {
    async insert(incident) {
      await db.insertInto('incidents').values(row(incident)).execute();
    },
    async update(incident) {
      const { id, ...rest } = row(incident);
      const result = await db.updateTable('incidents').set(rest).where('id', '=', id).where('version', '=', incident.version - 1).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async get(id) {
      const r = await db.selectFrom('incidents').select('data').where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : (JSON.parse(r.data) as Incident);
    },
    async list(limit, status) {
      let q = db.selectFrom('incidents').select('data').orderBy('aware_ms', 'desc').orderBy('id').limit(limit);
      if (status !== undefined) q = q.where('status', '=', status);
      return (await q.execute()).map((r) => JSON.parse(r.data) as Incident);
    },
    async remindersSent(id) {
      return new Set((await db.selectFrom('incident_reminders').select('key').where('incident_id', '=', id).execute()).map((r) => r.key));
    },
    async markReminder(id, key, nowMs) {
      const result = await db.insertInto('incident_reminders').values({ incident_id: id, key, sent_ms: nowMs }).onConflict((oc) => oc.columns(['incident_id', 'key']).doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
  };
}
