import type { Db } from '../db/database.ts';
import type { CameraGroup, Site, SiteStore } from './site.ts';

/** The Kysely adapter of {@link SiteStore}. */
export function createSiteStore(db: Db): SiteStore {
  return {
    async sites() {
      return (await db.selectFrom('sites').selectAll().orderBy('id').execute()).map((r) => ({ id: r.id, name: r.name, fourEyes: r.four_eyes === 1 }));
    },
    async site(id) {
      const r = await db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
      return r && { id: r.id, name: r.name, fourEyes: r.four_eyes === 1 };
    },
    async siteTaken(id, name) {
      return (await db.selectFrom('sites').select('id').where((eb) => eb.or([eb('id', '=', id), eb('name', '=', name)])).executeTakeFirst()) !== undefined;
    },
    async insertSite(site: Site, atMs: number) {
      await db.insertInto('sites').values({ id: site.id, name: site.name, four_eyes: site.fourEyes ? 1 : 0, created_ms: atMs }).execute();
    },
    async updateSite(site: Site) {
      await db.updateTable('sites').set({ name: site.name, four_eyes: site.fourEyes ? 1 : 0 }).where('id', '=', site.id).execute();
    },
    async groups() {
      const [groups, members] = await Promise.all([db.selectFrom('camera_groups').selectAll().orderBy('id').execute(), db.selectFrom('camera_group_members').selectAll().execute()]);
      return groups.map((g): CameraGroup => ({ id: g.id, name: g.name, cameraIds: members.filter((m) => m.group_id === g.id).map((m) => m.camera_id) }));
    },
    async camerasExist(ids) {
      if (ids.length === 0) return true;
      return (await db.selectFrom('cameras').select('id').where('id', 'in', [...ids]).execute()).length === ids.length;
    },
    async saveGroup(group, create, atMs) {
      await db.transaction().execute(async (tx) => {
        if (create) await tx.insertInto('camera_groups').values({ id: group.id, name: group.name, created_ms: atMs }).execute();
        else await tx.updateTable('camera_groups').set({ name: group.name }).where('id', '=', group.id).execute();
        if (group.cameraIds) {
          await tx.deleteFrom('camera_group_members').where('group_id', '=', group.id).execute();
          if (group.cameraIds.length > 0) await tx.insertInto('camera_group_members').values(group.cameraIds.map((c) => ({ group_id: group.id, camera_id: c }))).execute();
        }
      });
    },
  };
}
