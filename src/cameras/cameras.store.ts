import type { Db } from '../db/database.ts';
import type { CameraTable } from '../db/tables.ts';
import { ingestChoices, type Camera, type IngestChoice } from './camera.ts';
import type { CameraStore } from './cameras.service.ts';
import type { SecretSealer } from '../keys/secret-sealer.ts';

export type { SecretSealer };


/** A value written before credentials were sealed (the foundation stored them in clear). */
const isSealed = (value: string): boolean => value.startsWith('v1:');

/**
 * Cameras in the metadata database (SQLite or PostgreSQL). Username and password are sealed
 * under the master key in the row and opened only when a camera is read for recording.
 */
export function createCameraStore(db: Db, sealer: SecretSealer): CameraStore & { sealLegacyCredentials(): Promise<number> } {
  const seal = async (v: string | null) => (v === null ? null : sealer.sealSecret(v));
  const unseal = async (v: string | null) => (v === null ? null : isSealed(v) ? sealer.openSecret(v) : v);
  const toCamera = async (row: CameraTable): Promise<Camera> => ({
    id: row.id,
    name: row.name,
    url: row.url,
    username: await unseal(row.username),
    password: await unseal(row.password),
    tlsCaPem: row.tls_ca_pem,
    enabled: row.enabled === 1,
    retentionHours: row.retention_hours,
    minRetentionHours: row.min_retention_hours,
    ingest: ingestChoices.includes(row.ingest as IngestChoice) ? (row.ingest as IngestChoice) : 'auto',
    siteId: row.site_id,
    subStreamUrl: row.sub_stream_url ?? null,
    recordAudio: row.record_audio === 1,
    recordSubStream: row.record_sub_stream === 1,
    subStreamRetentionHours: row.sub_stream_retention_hours ?? null,
    createdMs: row.created_ms,
    updatedMs: row.updated_ms,
  });
  const toRow = async (camera: Camera): Promise<CameraTable> => ({
    id: camera.id,
    name: camera.name,
    url: camera.url,
    username: await seal(camera.username),
    password: await seal(camera.password),
    tls_ca_pem: camera.tlsCaPem,
    enabled: camera.enabled ? 1 : 0,
    retention_hours: camera.retentionHours,
    min_retention_hours: camera.minRetentionHours,
    ingest: camera.ingest,
    site_id: camera.siteId,
    sub_stream_url: camera.subStreamUrl ?? null,
    record_audio: camera.recordAudio === true ? 1 : 0,
    record_sub_stream: camera.recordSubStream === true ? 1 : 0,
    sub_stream_retention_hours: camera.subStreamRetentionHours ?? null,
    created_ms: camera.createdMs,
    updated_ms: camera.updatedMs,
  });
  return {
    async list() {
      const rows = await db.selectFrom('cameras').selectAll().orderBy('name').execute();
      return Promise.all(rows.map(toCamera));
    },
    async siteExists(id) {
      return (await db.selectFrom('sites').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    },
    async get(id) {
      const row = await db.selectFrom('cameras').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toCamera(row);
    },
    async findByName(name) {
      const row = await db.selectFrom('cameras').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toCamera(row);
    },
    async findByUrl(url) {
      const row = await db.selectFrom('cameras').selectAll().where('url', '=', url).executeTakeFirst();
      return row && toCamera(row);
    },
    async insert(camera) {
      await db.insertInto('cameras').values(await toRow(camera)).execute();
    },
    async update(camera) {
      await db.updateTable('cameras').set(await toRow(camera)).where('id', '=', camera.id).execute();
    },
    async remove(id) {
      const result = await db.deleteFrom('cameras').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    /** Seals credentials stored in clear by an earlier version; returns how many rows changed. */
    async sealLegacyCredentials() {
      const rows = await db.selectFrom('cameras').selectAll().execute();
      let changed = 0;
      for (const row of rows) {
        const needs = [row.username, row.password].some((v) => v !== null && !isSealed(v));
        if (!needs) continue;
        await db
          .updateTable('cameras')
          .set({ username: await seal(await unseal(row.username)), password: await seal(await unseal(row.password)) })
          .where('id', '=', row.id)
          .execute();
        changed++;
      }
      return changed;
    },
  };
}
