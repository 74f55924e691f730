import { AppError } from '../lib/errors.ts';

/**
 * Where a grant applies: everywhere, one site, one camera group, or one camera. A camera is in
 * the scope when it is the camera, belongs to the site, or is a member of the group.
 */
export type Scope =
  | { readonly kind: 'global' }
  | { readonly kind: 'site'; readonly id: string }
  | { readonly kind: 'group'; readonly id: string }
  | { readonly kind: 'camera'; readonly id: string };

/** What a camera's place in the scopes is: its id, its site and its groups. */
export interface CameraPlacement {
  readonly id: string;
  readonly siteId: string;
  readonly groupIds: readonly string[];
}

/** Parses `global`, `site:<id>`, `group:<id>` or `camera:<id>`. */
export function parseScope(text: string): Scope {
  if (text === 'global') return { kind: 'global' };
  const m = /^(site|group|camera):([^\s:]+)$/.exec(text);
  if (!m) throw new AppError('VALIDATION_FAILED', `scope ${JSON.stringify(text)} is not global, site:<id>, group:<id> or camera:<id>`, { field: 'scope' });
  return { kind: m[1] as 'site' | 'group' | 'camera', id: m[2]! };
}

/** The text form of a scope. */
export function scopeText(scope: Scope): string {
  return scope.kind === 'global' ? 'global' : `${scope.kind}:${scope.id}`;
}

/** True when the camera lies in the scope. */
export function scopeCovers(scope: Scope, camera: CameraPlacement): boolean {
  switch (scope.kind) {
    case 'global':
      return true;
    case 'site':
      return camera.siteId === scope.id;
    case 'group':
      return camera.groupIds.includes(scope.id);
    case 'camera':
      return camera.id === scope.id;
  }
}
