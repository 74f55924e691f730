import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { IdentityConfig } from '../config/identity.schema.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import type { CameraPlacements } from './access.ts';
import { createCameraPlacements } from './camera-placements.store.ts';
import { coversFourEyesSite } from './four-eyes-scope.ts';
import { GrantsService } from './grants.service.ts';
import { createGrantStore } from './grants.store.ts';
import { Roles } from './roles.ts';
import { SitesService } from './sites.service.ts';
import { createSiteStore } from './sites.store.ts';

/** What access control is made of: roles, grants, sites and where each camera sits. */
export interface AccessModule {
  readonly roles: Roles;
  readonly grants: GrantsService;
  readonly sites: SitesService;
  readonly placements: CameraPlacements;
}

const day = 86_400_000;

/**
 * Builds access control from its config slice. `elevated` runs after a grant is made (identity
 * ends the grantee's sessions there, see GrantsService).
 */
export function buildAccess(deps: {
  db: Db;
  config: Pick<IdentityConfig, 'roles' | 'externalMaxDays' | 'grantApproval'>;
  audit: AuditSink;
  clock: Clock;
  elevated: (userId: string, by: AuditContext) => Promise<void>;
}): AccessModule {
  const { db, config, audit, clock } = deps;
  const roles = new Roles(config.roles);
  const siteStore = createSiteStore(db);
  const placements = createCameraPlacements(db);
  const grants = new GrantsService({
    store: createGrantStore(db),
    roles,
    audit,
    clock,
    externalMaxMs: config.externalMaxDays * day,
    approval: config.grantApproval,
    coversFourEyes: async (scope) => {
      const fourEyesSites = new Set((await siteStore.sites()).filter((s) => s.fourEyes).map((s) => s.id));
      return coversFourEyesSite(scope, fourEyesSites, fourEyesSites.size === 0 || scope.kind === 'global' || scope.kind === 'site' ? [] : await placements.all());
    },
    fourEyesMap: async () => ({ sites: new Set((await siteStore.sites()).filter((s) => s.fourEyes).map((s) => s.id)), placements: await placements.all() }),
    elevated: deps.elevated,
  });
  return { roles, grants, sites: new SitesService({ store: siteStore, audit, clock }), placements };
}
