import { AppError } from '../lib/errors.ts';
import type { Permission } from './permissions.ts';
import type { Principal } from './principal.ts';
import { scopeCovers, type CameraPlacement } from './scope.ts';

/** Where cameras sit in the scopes (site, groups): the access checks' one lookup. */
export interface CameraPlacements {
  /** The placement of one camera; undefined when it does not exist. */
  placementOf(cameraId: string): Promise<CameraPlacement | undefined>;
  /** The placements of every camera. */
  all(): Promise<CameraPlacement[]>;
}

/** Cameras a principal may act on with a permission: all of them, or exactly these ids. */
export type CameraSet = { readonly all: true } | { readonly all: false; readonly ids: ReadonlySet<string> };

/**
 * Deny-by-default access decisions for one principal (IAM-5, STYLE rule 7). A permission is
 * held when a grant in force carries it and the credential's limit (a token's list) allows
 * it. Checks on a camera answer NOT_FOUND both when the camera does not exist and when no
 * grant covers it, so a caller cannot probe for what it may not see.
 */
export class Access {
  readonly principal: Principal | null;
  readonly #placements: CameraPlacements;

  constructor(principal: Principal | null, placements: CameraPlacements) {
    this.principal = principal;
    this.#placements = placements;
  }

  /** True when some grant in force carries the permission (on any scope). */
  has(permission: Permission): boolean {
    const p = this.principal;
    if (!p || !usable(p, permission)) return false;
    return p.grants.some((g) => g.permissions.has(permission));
  }

  /** True when the permission is held on a scope that covers the camera. */
  async canCamera(permission: Permission, cameraId: string): Promise<boolean> {
    const p = this.principal;
    if (!p || !usable(p, permission)) return false;
    const grants = p.grants.filter((g) => g.permissions.has(permission));
    if (grants.length === 0) return false;
    const placement = await this.#placements.placementOf(cameraId);
    return placement !== undefined && grants.some((g) => scopeCovers(g.scope, placement));
  }

  /** Throws NOT_FOUND unless {@link canCamera}. */
  async requireCamera(permission: Permission, cameraId: string): Promise<void> {
    if (!(await this.canCamera(permission, cameraId))) throw new AppError('NOT_FOUND', 'no such camera', { cameraId });
  }

  /** True when the permission is held globally or on the site (adding cameras there). */
  canSite(permission: Permission, siteId: string): boolean {
    const p = this.principal;
    if (!p || !usable(p, permission)) return false;
    return p.grants.some((g) => g.permissions.has(permission) && (g.scope.kind === 'global' || (g.scope.kind === 'site' && g.scope.id === siteId)));
  }

  /** Throws FORBIDDEN unless {@link canSite}. */
  requireSite(permission: Permission, siteId: string): void {
    if (!this.canSite(permission, siteId)) throw new AppError('FORBIDDEN', `this needs ${permission} on site ${siteId}`, { permission });
  }

  /** The cameras the permission covers (set-based, for lists and queries). */
  async cameras(permission: Permission): Promise<CameraSet> {
    const p = this.principal;
    if (!p || !usable(p, permission)) return { all: false, ids: new Set() };
    const grants = p.grants.filter((g) => g.permissions.has(permission));
    if (grants.some((g) => g.scope.kind === 'global')) return { all: true };
    if (grants.length === 0) return { all: false, ids: new Set() };
    const ids = new Set<string>();
    for (const placement of await this.#placements.all()) {
      if (grants.some((g) => scopeCovers(g.scope, placement))) ids.add(placement.id);
    }
    return { all: false, ids };
  }
}

/** A credential may use a permission when its limit allows it and any mandatory MFA was done. */
function usable(p: Principal, permission: Permission): boolean {
  if (p.limit && !p.limit.has(permission)) return false;
  return !p.mfaRequired || p.mfaSatisfied;
}

/** True when the set contains the camera. */
export function inCameraSet(set: CameraSet, cameraId: string): boolean {
  return set.all || set.ids.has(cameraId);
}
