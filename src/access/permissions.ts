/**
 * Permissions a route can require (IAM-5). Every route declares one of these, `session`,
 * `self` or `public`; roles (roles.ts) bundle them and grants give roles on scopes.
 * Reference: docs/reference/permissions.md (a test keeps it in step with the route table).
 */
export const permissions = {
  'live.view': 'Watch live video of a camera.',
  'recording.play': 'Play back recorded video and read its timeline (at a four-eyes site: streamed to a logged-in session, never downloaded).',
  'recording.bookmark': 'Bookmark a time range of a camera with a note, and delete bookmarks that are not on hold (reading bookmarks needs recording.play).',
  'recording.hold': 'Put a bookmarked range on legal hold, so retention and the disk-full policy keep its footage beyond retention, and release the hold.',
  'recording.export': 'Export recorded video as a file, and approve exports at four-eyes sites.',
  'camera.ptz': 'Move a PTZ camera.',
  'privacy.unmask': 'See video without privacy masks, and approve unmasking at four-eyes sites.',
  'camera.manage': 'Add, change and remove cameras, sites and camera groups; read camera configuration and status.',
  'camera.read': 'List cameras and their recording status.',
  'user.manage': 'Manage users, roles and grants; read the access-rights register.',
  'audit.read': 'Read the audit ledger and the access-rights register.',
  'incident.read': 'Read the alarm inbox, the notification delivery log and the incident register: candidates, incidents, their clocks and trail.',
  'incident.manage': 'Work the alarm inbox and manage the incident register: qualify candidates, change incidents, generate reports, record submissions.',
  'governance.read': 'Read the NIS2 requirement catalogue, live evidence, documents on file and management approvals; export the signed evidence bundle and readiness pack.',
  'governance.manage': 'Assess requirements of the catalogue, put documents on file and justify retention above 72 hours.',
  'governance.approve': 'Approve policies and accept risks as a member of the management body, and attest own training.',
  'key.manage': 'Manage master keys and rotation.',
  'system.configure': 'Change system configuration.',
} as const;

/** A permission name. */
export type Permission = keyof typeof permissions;

/** The permission names: an own-property set, so inherited names (`toString`) are not among them. */
const permissionNames: ReadonlySet<string> = new Set(Object.keys(permissions));

/**
 * True when `name` is a permission. Checks of untrusted names (config, API bodies, stored
 * tokens) MUST use this, never `name in permissions`, which also admits `toString`,
 * `constructor` and every other property of `Object.prototype`.
 */
export function isPermission(name: string): name is Permission {
  return permissionNames.has(name);
}

/**
 * What a route requires:
 * - a permission: an authenticated principal with MFA done where mandatory, holding it;
 * - `self`: any authenticated principal with MFA done where mandatory (own profile, tokens);
 * - `session`: any authenticated principal, even with a second factor pending (verify or
 *   enrol it, log out);
 * - `public`: nobody (health, the login page, login itself, SSO callbacks, the ledger's
 *   published checkpoint and key).
 */
export type RouteAccess = Permission | 'self' | 'session' | 'public';
