import type { Db } from '../db/database.ts';
import type { ExportTable } from '../db/tables.ts';
import type { ExportJob } from './export-job.ts';
import type { ExportStore } from './exports.service.ts';

/** Export jobs in the metadata database (SQLite or PostgreSQL). */
export function createExportStore(db: Db): ExportStore {
  return {
    async insert(job) {
      await db.insertInto('exports').values({ ...toRow(job), created_ms: job.createdMs }).execute();
    },
    async update(job) {
      await db.updateTable('exports').set(toRow(job)).where('id', '=', job.id).execute();
    },
    async get(id) {
      const row = await db.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toJob(row);
    },
    async ofUser(user, limit) {
      const rows = await db.selectFrom('exports').selectAll().where((eb) => eb.or([eb('requested_by', '=', user), eb('approved_by', '=', user)])).orderBy('created_ms', 'desc').limit(limit).execute();
      return rows.map(toJob);
    },
    async history(f) {
      let query = db.selectFrom('exports').selectAll();
      if (f.cameraId !== undefined) query = query.where('camera_id', '=', f.cameraId);
      if (f.fromMs !== undefined) query = query.where('created_ms', '>=', f.fromMs);
      if (f.toMs !== undefined) query = query.where('created_ms', '<', f.toMs);
      const rows = await query.orderBy('created_ms', 'desc').orderBy('id').limit(f.limit).execute();
      return rows.map(toJob);
    },
    async unfinished() {
      const rows = await db.selectFrom('exports').selectAll().where('state', 'in', ['pending', 'running']).execute();
      return rows.map(toJob);
    },
  };
}

function toRow(job: ExportJob): Omit<ExportTable, 'created_ms'> {
  return { id: job.id, camera_id: job.cameraId, from_ms: job.fromMs, to_ms: job.toMs, state: job.state, bytes: job.bytes, error: job.error, finished_ms: job.finishedMs, custody: job.custody, evidence: job.evidence, requested_by: job.owners.requestedBy, approved_by: job.owners.approvedBy };
}

function toJob(r: ExportTable): ExportJob {
  return { id: r.id, cameraId: r.camera_id, fromMs: r.from_ms, toMs: r.to_ms, state: r.state, bytes: r.bytes, error: r.error, createdMs: r.created_ms, finishedMs: r.finished_ms, custody: r.custody, evidence: r.evidence, owners: { requestedBy: r.requested_by, approvedBy: r.approved_by } };
}
