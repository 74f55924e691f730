import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';

/** A site: a location whose cameras share scopes and the four-eyes rule. */
export interface Site {
  readonly id: string;
  readonly name: string;
  readonly fourEyes: boolean;
}

/** A camera group: cameras across sites granted together. */
export interface CameraGroup {
  readonly id: string;
  readonly name: string;
  readonly cameraIds: string[];
}

/**
 * Sites and camera groups, the scopes of grants besides `global` and single cameras. Every
 * change is an audit event (`site.saved`, `group.saved`). Sites and groups are not deleted:
 * grants and the register keep naming them.
 */
export class SitesService {
  readonly #db: Db;
  readonly #audit: AuditSink;
  readonly #clock: Clock;

  constructor(deps: { db: Db; audit: AuditSink; clock: Clock }) {
    this.#db = deps.db;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
  }

  /** Every site. */
  async sites(): Promise<Site[]> {
    return (await this.#db.selectFrom('sites').selectAll().orderBy('id').execute()).map((r) => ({ id: r.id, name: r.name, fourEyes: r.four_eyes === 1 }));
  }

  /** One site; NOT_FOUND when absent. */
  async site(id: string): Promise<Site> {
    const r = await this.#db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new AppError('NOT_FOUND', 'no such site');
    return { id: r.id, name: r.name, fourEyes: r.four_eyes === 1 };
  }

  /** Creates a site. */
  async createSite(site: Site, by: AuditContext): Promise<Site> {
    if (await this.#db.selectFrom('sites').select('id').where((eb) => eb.or([eb('id', '=', site.id), eb('name', '=', site.name)])).executeTakeFirst()) {
      throw new AppError('CONFLICT', 'a site with this id or name exists');
    }
    await this.#audit.record({ type: 'site.saved', ...by, target: { kind: 'site', id: site.id }, outcome: 'success', details: { created: true, fourEyes: site.fourEyes } });
    await this.#db.insertInto('sites').values({ id: site.id, name: site.name, four_eyes: site.fourEyes ? 1 : 0, created_ms: this.#clock.now() }).execute();
    return site;
  }

  /** Changes a site's name or four-eyes rule. */
  async updateSite(id: string, patch: { name?: string | undefined; fourEyes?: boolean | undefined }, by: AuditContext): Promise<Site> {
    const current = await this.site(id);
    const next: Site = { id, name: patch.name ?? current.name, fourEyes: patch.fourEyes ?? current.fourEyes };
    await this.#audit.record({ type: 'site.saved', ...by, target: { kind: 'site', id }, outcome: 'success', details: { created: false, fourEyes: next.fourEyes, fourEyesBefore: current.fourEyes } });
    await this.#db.updateTable('sites').set({ name: next.name, four_eyes: next.fourEyes ? 1 : 0 }).where('id', '=', id).execute();
    return next;
  }

  /** Every camera group with its members. */
  async groups(): Promise<CameraGroup[]> {
    const [groups, members] = await Promise.all([
      this.#db.selectFrom('camera_groups').selectAll().orderBy('id').execute(),
      this.#db.selectFrom('camera_group_members').selectAll().execute(),
    ]);
    return groups.map((g) => ({ id: g.id, name: g.name, cameraIds: members.filter((m) => m.group_id === g.id).map((m) => m.camera_id) }));
  }

  /** Creates a group, or replaces its name and members. */
  async saveGroup(id: string, fields: { name?: string | undefined; cameraIds?: readonly string[] | undefined }, by: AuditContext, create: boolean): Promise<CameraGroup> {
    const existing = await this.#db.selectFrom('camera_groups').selectAll().where('id', '=', id).executeTakeFirst();
    if (create && existing) throw new AppError('CONFLICT', 'a group with this id exists');
    if (!create && !existing) throw new AppError('NOT_FOUND', 'no such group');
    const name = fields.name ?? existing?.name;
    if (!name) throw new AppError('VALIDATION_FAILED', 'a group needs a name', { field: 'name' });
    const cameraIds = fields.cameraIds ? [...new Set(fields.cameraIds)] : undefined;
    if (cameraIds && cameraIds.length > 0) {
      const found = await this.#db.selectFrom('cameras').select('id').where('id', 'in', cameraIds).execute();
      if (found.length !== cameraIds.length) throw new AppError('VALIDATION_FAILED', 'a camera in cameraIds does not exist', { field: 'cameraIds' });
    }
    await this.#audit.record({ type: 'group.saved', ...by, target: { kind: 'group', id }, outcome: 'success', details: { created: create, ...(cameraIds ? { cameraIds } : {}) } });
    await this.#db.transaction().execute(async (tx) => {
      if (create) await tx.insertInto('camera_groups').values({ id, name, created_ms: this.#clock.now() }).execute();
      else await tx.updateTable('camera_groups').set({ name }).where('id', '=', id).execute();
      if (cameraIds) {
        await tx.deleteFrom('camera_group_members').where('group_id', '=', id).execute();
        if (cameraIds.length > 0) await tx.insertInto('camera_group_members').values(cameraIds.map((c) => ({ group_id: id, camera_id: c }))).execute();
      }
    });
    return (await this.groups()).find((g) => g.id === id)!;
  }
}
