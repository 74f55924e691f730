/**
 * Permissions a route can require (IAM-5). Every route declares one of these, or `public`.
 * The identity issue adds roles, grants and enforcement; until then the server refuses to bind
 * anything but loopback (see src/http/bind-guard.ts). Reference: docs/reference/permissions.md.
 */
export const permissions = {
  'live.view': 'Watch live video of a camera.',
  'recording.play': 'Play back recorded video and read its timeline.',
  'recording.export': 'Export recorded video as a file.',
  'camera.ptz': 'Move a PTZ camera.',
  'privacy.unmask': 'See video without privacy masks.',
  'camera.manage': 'Add, change and remove cameras; read camera configuration and status.',
  'camera.read': 'List cameras and their recording status.',
  'user.manage': 'Manage users, roles and grants.',
  'audit.read': 'Read the audit ledger.',
  'incident.manage': 'Manage the incident register.',
  'key.manage': 'Manage master keys and rotation.',
  'system.configure': 'Change system configuration.',
} as const;

/** A permission name. */
export type Permission = keyof typeof permissions;

/** What a route requires: a permission, or nothing (`public`: health checks, the login page). */
export type RouteAccess = Permission | 'public';
