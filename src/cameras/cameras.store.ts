import type { Db } from '../db/database.ts';
import type { CameraTable } from '../db/tables.ts';
import type { Camera } from './camera.ts';
import type { CameraStore } from './cameras.service.ts';

/** Cameras in the metadata database (SQLite or PostgreSQL). */
export function createCameraStore(db: Db): CameraStore {
  return {
    async list() {
      const rows = await db.selectFrom('cameras').selectAll().orderBy('name').execute();
      return rows.map(toCamera);
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
      await db.insertInto('cameras').values(toRow(camera)).execute();
    },
    async update(camera) {
      await db.updateTable('cameras').set(toRow(camera)).where('id', '=', camera.id).execute();
    },
    async remove(id) {
      const result = await db.deleteFrom('cameras').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

function toCamera(row: CameraTable): Camera {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    username: row.username,
    password: row.password,
    enabled: row.enabled === 1,
    retentionHours: row.retention_hours,
    createdMs: row.created_ms,
    updatedMs: row.updated_ms,
  };
}

function toRow(camera: Camera): CameraTable {
  return {
    id: camera.id,
    name: camera.name,
    url: camera.url,
    username: camera.username,
    password: camera.password,
    enabled: camera.enabled ? 1 : 0,
    retention_hours: camera.retentionHours,
    created_ms: camera.createdMs,
    updated_ms: camera.updatedMs,
  };
}
