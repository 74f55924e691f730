/** Vendors' SBOMs attached to inventory entries, in the metadata database (SQLite or PostgreSQL). */
import type { Db } from '../db/database.ts';
import type { CameraSbomSummary } from './camera-sbom.ts';
import type { CameraSbomStore, StoredCameraSbom } from './camera-sbom.service.ts';

/** Makes the store over `db`. */
export function createCameraSbomStore(db: Db): CameraSbomStore {
  return {
    async get(cameraId) {
      const r = await db.selectFrom('camera_sboms').selectAll().where('camera_id', '=', cameraId).executeTakeFirst();
      if (r === undefined) return undefined;
      const summary: CameraSbomSummary = { format: r.format === 'SPDX' ? 'SPDX' : 'CycloneDX', specVersion: r.spec_version, sha256: r.sha256, bytes: Number(r.bytes), components: Number(r.components) };
      return { cameraId: r.camera_id, summary, document: r.document, attachedBy: r.attached_by, attachedMs: Number(r.attached_ms) } satisfies StoredCameraSbom;
    },
    async put(s) {
      const row = {
        camera_id: s.cameraId, format: s.summary.format, spec_version: s.summary.specVersion, sha256: s.summary.sha256, bytes: s.summary.bytes,
        components: s.summary.components, document: s.document, attached_by: s.attachedBy, attached_ms: s.attachedMs,
      };
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('camera_sboms').where('camera_id', '=', s.cameraId).execute();
        await tx.insertInto('camera_sboms').values(row).execute();
      });
    },
  };
}
