import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import type { CameraGroup, Site, SiteStore } from './site.ts';

/**
 * Sites and camera groups, the scopes of grants besides `global` and single cameras. Every
 * change is an audit event (`site.saved`, `group.saved`). Sites and groups are not deleted:
 * grants and the register keep naming them.
 */
export class SitesService {
  readonly #store: SiteStore;
  readonly #audit: AuditSink;
  readonly #clock: Clock;

  constructor(deps: { store: SiteStore; audit: AuditSink; clock: Clock }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
  }

  /** Every site. */
  sites(): Promise<Site[]> {
    return this.#store.sites();
  }

  /** One site; NOT_FOUND when absent. */
  async site(id: string): Promise<Site> {
    const site = await this.#store.site(id);
    if (!site) throw new AppError('NOT_FOUND', 'no such site');
    return site;
  }

  /** Creates a site. */
  async createSite(site: Site, by: AuditContext): Promise<Site> {
    if (await this.#store.siteTaken(site.id, site.name)) throw new AppError('CONFLICT', 'a site with this id or name exists');
    await this.#audit.record({ type: 'site.saved', ...by, target: { kind: 'site', id: site.id }, outcome: 'success', details: { created: true, fourEyes: site.fourEyes } });
    await this.#store.insertSite(site, this.#clock.now());
    return site;
  }

  /** Changes a site's name or four-eyes rule. */
  async updateSite(id: string, patch: { name?: string | undefined; fourEyes?: boolean | undefined }, by: AuditContext): Promise<Site> {
    const current = await this.site(id);
    const next: Site = { id, name: patch.name ?? current.name, fourEyes: patch.fourEyes ?? current.fourEyes };
    await this.#audit.record({ type: 'site.saved', ...by, target: { kind: 'site', id }, outcome: 'success', details: { created: false, fourEyes: next.fourEyes, fourEyesBefore: current.fourEyes } });
    await this.#store.updateSite(next);
    return next;
  }

  /** Every camera group with its members. */
  groups(): Promise<CameraGroup[]> {
    return this.#store.groups();
  }

  /** Creates a group, or replaces its name and members. */
  async saveGroup(id: string, fields: { name?: string | undefined; cameraIds?: readonly string[] | undefined }, by: AuditContext, create: boolean): Promise<CameraGroup> {
    const existing = (await this.#store.groups()).find((g) => g.id === id);
    if (create && existing) throw new AppError('CONFLICT', 'a group with this id exists');
    if (!create && !existing) throw new AppError('NOT_FOUND', 'no such group');
    const name = fields.name ?? existing?.name;
    if (!name) throw new AppError('VALIDATION_FAILED', 'a group needs a name', { field: 'name' });
    const cameraIds = fields.cameraIds ? [...new Set(fields.cameraIds)] : undefined;
    if (cameraIds && !(await this.#store.camerasExist(cameraIds))) throw new AppError('VALIDATION_FAILED', 'a camera in cameraIds does not exist', { field: 'cameraIds' });
    await this.#audit.record({ type: 'group.saved', ...by, target: { kind: 'group', id }, outcome: 'success', details: { created: create, ...(cameraIds ? { cameraIds } : {}) } });
    await this.#store.saveGroup({ id, name, cameraIds }, create, this.#clock.now());
    const saved = (await this.#store.groups()).find((g) => g.id === id);
    if (!saved) throw new AppError('INTERNAL', 'the group vanished while it was saved');
    return saved;
  }
}
