import type { Db } from '../db/database.ts';
import type { CameraPlacements } from './access.ts';
import type { CameraPlacement } from './scope.ts';

/** Camera placements (site, groups) read from the metadata database. */
export function createCameraPlacements(db: Db): CameraPlacements {
  return {
    async placementOf(cameraId) {
      const camera = await db.selectFrom('cameras').select(['id', 'site_id']).where('id', '=', cameraId).executeTakeFirst();
      if (!camera) return undefined;
      const groups = await db.selectFrom('camera_group_members').select('group_id').where('camera_id', '=', cameraId).execute();
      return { id: camera.id, siteId: camera.site_id, groupIds: groups.map((g) => g.group_id) };
    },
    async all() {
      const [cameras, members] = await Promise.all([
        db.selectFrom('cameras').select(['id', 'site_id']).execute(),
        db.selectFrom('camera_group_members').select(['group_id', 'camera_id']).execute(),
      ]);
      const groups = new Map<string, string[]>();
      for (const m of members) groups.set(m.camera_id, [...(groups.get(m.camera_id) ?? []), m.group_id]);
      return cameras.map((c): CameraPlacement => ({ id: c.id, siteId: c.site_id, groupIds: groups.get(c.id) ?? [] }));
    },
  };
}
