/** Imported advisories and their matches in the metadata database (SQLite or PostgreSQL). */
import type { Db } from '../db/database.ts';
import type { Advisory } from './advisory.ts';
import type { AdvisoryMatch } from './advisory-match.ts';
import type { AdvisoryStore, StoredAdvisory, StoredMatch } from './advisories.service.ts';

/** Makes the store over `db` (implements the service's AdvisoryStore). */
export function createAdvisoryStore(db: Db): AdvisoryStore {
  return {
    async list() {
      return (await db.selectFrom('advisories').selectAll().orderBy('imported_ms').orderBy('id').execute()).map((r): StoredAdvisory => ({ advisory: JSON.parse(r.body) as Advisory, importedMs: Number(r.imported_ms) }));
    },
    async get(id) {
      const r = await db.selectFrom('advisories').selectAll().where('id', '=', id).executeTakeFirst();
      return r && { advisory: JSON.parse(r.body) as Advisory, importedMs: Number(r.imported_ms) };
    },
    async put(a, atMs) {
      const row = { id: a.id, format: a.format, document_id: a.documentId, title: a.title, severity: a.severity, sha256: a.sha256, body: JSON.stringify(a), imported_ms: atMs };
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('advisories').where('id', '=', a.id).execute();
        await tx.insertInto('advisories').values(row).execute();
      });
    },
    async matches(cameraId) {
      let q = db.selectFrom('advisory_matches').selectAll().orderBy('matched_ms').orderBy('advisory_id');
      if (cameraId !== undefined) q = q.where('camera_id', '=', cameraId);
      return (await q.execute()).map((r): StoredMatch => ({ advisoryId: r.advisory_id, cameraId: r.camera_id, firmware: r.firmware, product: JSON.parse(r.product) as AdvisoryMatch['product'], matchedMs: Number(r.matched_ms) }));
    },
    async addMatch(m: AdvisoryMatch, atMs) {
      const r = await db
        .insertInto('advisory_matches')
        .values({ advisory_id: m.advisoryId, camera_id: m.cameraId, firmware: m.firmware, product: JSON.stringify(m.product), matched_ms: atMs })
        .onConflict((oc) => oc.columns(['advisory_id', 'camera_id', 'firmware']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async removeMatch(key) {
      const r = await db.deleteFrom('advisory_matches').where('advisory_id', '=', key.advisoryId).where('camera_id', '=', key.cameraId).where('firmware', '=', key.firmware).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}
