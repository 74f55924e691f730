import { AppError } from '../lib/errors.ts';
import { isPermission, type Permission } from './permissions.ts';

/**
 * Roles are named permission sets (IAM-5). The defaults below follow least privilege and split
 * duties so that one credential is never enough: the administrator manages cameras and users
 * but cannot export footage, read the audit ledger or touch keys; the auditor reads the ledger
 * but sees no video; the key custodian holds only the keys. `mfa` marks roles whose holders
 * MUST use a second factor (IAM-1). Config (`identity.roles`) may change a role's `mfa` or
 * permissions, or add roles. Reference: docs/reference/permissions.md.
 */
export interface Role {
  readonly name: string;
  readonly description: string;
  readonly permissions: ReadonlySet<Permission>;
  /** Holders MUST verify a second factor before using any permission. */
  readonly mfa: boolean;
}

/** The default roles, in the order the reference lists them. */
export const defaultRoles: readonly { name: string; description: string; permissions: readonly Permission[]; mfa: boolean }[] = [
  { name: 'viewer', description: 'Watches live video of the cameras in scope.', permissions: ['camera.read', 'live.view'], mfa: false },
  {
    name: 'operator',
    description: 'Watches live video, plays back and bookmarks recordings and moves PTZ cameras in scope.',
    permissions: ['camera.read', 'live.view', 'recording.play', 'recording.bookmark', 'camera.ptz'],
    mfa: false,
  },
  {
    name: 'investigator',
    description: 'Plays back, bookmarks, exports and unmasks footage in scope, for a documented reason, and puts bookmarked footage on legal hold.',
    permissions: ['camera.read', 'live.view', 'recording.play', 'recording.bookmark', 'recording.hold', 'recording.export', 'privacy.unmask'],
    mfa: false,
  },
  {
    name: 'admin',
    description: 'Manages cameras, users, grants and configuration; no export, no ledger, no keys.',
    permissions: ['camera.read', 'camera.manage', 'user.manage', 'system.configure', 'live.view'],
    mfa: true,
  },
  { name: 'auditor', description: 'Reads the audit ledger, the access-rights register, the incident register and the governance evidence; sees no video.', permissions: ['audit.read', 'camera.read', 'governance.read', 'incident.read'], mfa: true },
  {
    name: 'compliance-officer',
    description: 'Runs the incident register and the NIS2 requirement catalogue, and reads the ledger for NIS2 and GDPR duties.',
    permissions: ['incident.read', 'incident.manage', 'audit.read', 'camera.read', 'governance.read', 'governance.manage'],
    mfa: false,
  },
  {
    name: 'management',
    description: 'A member of the management body (NIS2 Art. 20): approves policies and accepts risks, attests training, reads the governance evidence.',
    permissions: ['governance.read', 'governance.approve'],
    mfa: true,
  },
  { name: 'key-custodian', description: 'Manages master keys and their rotation.', permissions: ['key.manage'], mfa: true },
];

/** Role overrides and additions from `identity.roles`. */
export type RoleOverrides = Readonly<Record<string, { permissions?: readonly string[] | undefined; mfa?: boolean | undefined; description?: string | undefined }>>;

/** The role catalogue: defaults with the config's overrides applied. */
export class Roles {
  private readonly byName: ReadonlyMap<string, Role>;

  constructor(overrides: RoleOverrides = {}) {
    const map = new Map<string, Role>();
    for (const r of defaultRoles) map.set(r.name, { ...r, permissions: new Set(r.permissions) });
    for (const [name, o] of Object.entries(overrides)) {
      const base = map.get(name);
      if (!base && !o.permissions) throw new AppError('CONFIG_INVALID', `identity.roles.${name}: a new role needs its permissions`);
      const perms = (o.permissions ?? [...(base?.permissions ?? [])]).map((p) => {
        if (!isPermission(p)) throw new AppError('CONFIG_INVALID', `identity.roles.${name}: unknown permission ${p}`);
        return p;
      });
      map.set(name, {
        name,
        description: o.description ?? base?.description ?? '',
        permissions: new Set(perms),
        mfa: o.mfa ?? base?.mfa ?? false,
      });
    }
    this.byName = map;
  }

  /** The role, or undefined for an unknown name. */
  get(name: string): Role | undefined {
    return this.byName.get(name);
  }

  /** The role; VALIDATION_FAILED for an unknown name. */
  require(name: string): Role {
    const role = this.byName.get(name);
    if (!role) throw new AppError('VALIDATION_FAILED', `unknown role ${name}`, { field: 'role' });
    return role;
  }

  /** Every role. */
  list(): Role[] {
    return [...this.byName.values()];
  }
}
