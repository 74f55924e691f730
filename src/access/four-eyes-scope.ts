import type { Permission } from './permissions.ts';
import { scopeCovers, type CameraPlacement, type Scope } from './scope.ts';

/**
 * Permissions that reach a four-eyes site's footage (ADR 0012): a role carrying one of them on a
 * scope that covers a camera of a four-eyes site is a sensitive grant, whatever
 * `identity.grantApproval` says, because whoever can play the footage can keep it.
 */
export const footagePermissions: readonly Permission[] = ['recording.play', 'recording.export', 'privacy.unmask'];

/**
 * True when the scope covers a four-eyes site: `global` when any site is four-eyes, a site when
 * it is, a group or camera when one of its cameras sits at one. Pure.
 */
export function coversFourEyesSite(scope: Scope, fourEyesSites: ReadonlySet<string>, placements: readonly CameraPlacement[]): boolean {
  if (fourEyesSites.size === 0) return false;
  if (scope.kind === 'global') return true;
  if (scope.kind === 'site') return fourEyesSites.has(scope.id);
  return placements.some((p) => fourEyesSites.has(p.siteId) && scopeCovers(scope, p));
}

/**
 * The grant scopes that cover a four-eyes site with the camera placements `after` but did not
 * with `before` (a group's members replaced, a camera moved to another site). Only group and
 * camera scopes follow placements; global and site scopes depend on the sites alone. Pure.
 */
export function newlyCoveringFourEyes<T extends { readonly scope: Scope }>(grants: readonly T[], fourEyesSites: ReadonlySet<string>, before: readonly CameraPlacement[], after: readonly CameraPlacement[]): T[] {
  return grants.filter((g) => (g.scope.kind === 'group' || g.scope.kind === 'camera') && coversFourEyesSite(g.scope, fourEyesSites, after) && !coversFourEyesSite(g.scope, fourEyesSites, before));
}
