import type { Db } from '../db/database.ts';
import type { BookmarkTable } from '../db/tables.ts';
import type { Bookmark, BookmarkStore } from './bookmark.ts';

/** Bookmarks and legal holds in the metadata database (SQLite or PostgreSQL; migration 0021). */
export function createBookmarkStore(db: Db): BookmarkStore {
  return {
    async insert(b) {
      await db
        .insertInto('bookmarks')
        .values({ id: b.id, camera_id: b.cameraId, from_ms: b.fromMs, to_ms: b.toMs, note: b.note, created_by: b.createdBy, created_ms: b.createdMs, hold_ms: b.hold?.sinceMs ?? null, hold_by: b.hold?.by ?? null, hold_reason: b.hold?.reason ?? null })
        .execute();
    },
    async get(id) {
      const row = await db.selectFrom('bookmarks').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toBookmark(row);
    },
    async overlapping(cameraId, fromMs, toMs, limit) {
      const rows = await db.selectFrom('bookmarks').selectAll().where('camera_id', '=', cameraId).where('from_ms', '<', toMs).where('to_ms', '>', fromMs).orderBy('from_ms').orderBy('id').limit(limit).execute();
      return rows.map(toBookmark);
    },
    async held() {
      const rows = await db.selectFrom('bookmarks').selectAll().where('hold_ms', 'is not', null).orderBy('hold_ms').execute();
      return rows.map(toBookmark);
    },
    async setHold(id, hold, expectHeld) {
      const result = await db
        .updateTable('bookmarks')
        .set({ hold_ms: hold?.sinceMs ?? null, hold_by: hold?.by ?? null, hold_reason: hold?.reason ?? null })
        .where('id', '=', id)
        .where('hold_ms', expectHeld ? 'is not' : 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async removeUnheld(id) {
      const result = await db.deleteFrom('bookmarks').where('id', '=', id).where('hold_ms', 'is', null).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}

function toBookmark(r: BookmarkTable): Bookmark {
  const hold = r.hold_ms === null ? null : { sinceMs: Number(r.hold_ms), by: r.hold_by ?? '', reason: r.hold_reason ?? '' };
  return { id: r.id, cameraId: r.camera_id, fromMs: Number(r.from_ms), toMs: Number(r.to_ms), note: r.note, createdBy: r.created_by, createdMs: Number(r.created_ms), hold };
}
