/**
 * The OCSF `actor` and `user` objects of a ledger record. The record holds only pseudonymous ids
 * (`user:<uuid>`, `token:<id>`, `system:recovery`, `cli:root`); display names and addresses are
 * sealed beside it and are never shipped from here, so these objects carry ids only.
 */
import type { LeafRecord } from '../audit/audit-event.ts';

/** OCSF `user` object (only the attributes Custos fills). */
export interface OcsfUser {
  readonly uid: string;
  readonly type_id: 0 | 1 | 3 | 99;
  readonly type?: string;
}

/** OCSF `actor` object: a user for people and tokens, a process for Custos itself. */
export interface OcsfActor {
  readonly app_name: string;
  readonly user?: OcsfUser;
  readonly process?: { readonly name: string; readonly uid: string };
}

/** The OCSF user for a pseudonymous id of kind `kind` (user.type_id: 1 User, 3 System, 99 Other, 0 Unknown). */
export function ocsfUser(kind: string, uid: string): OcsfUser {
  switch (kind) {
    case 'user':
      return { uid, type_id: 1 };
    case 'system':
      return { uid, type_id: 3 };
    case 'anonymous':
      return { uid, type_id: 0 };
    case 'token':
      return { uid, type_id: 99, type: 'API token' };
    case 'cli':
      return { uid, type_id: 99, type: 'Host operator (CLI)' };
    default:
      return { uid, type_id: 99, type: kind };
  }
}

/** Who acted: Custos's own processes (`system`) as a process, everybody else as a user. */
export function ocsfActor(actor: LeafRecord['actor'], appName: string): OcsfActor {
  if (actor.kind === 'system') return { app_name: appName, process: { name: actor.id, uid: actor.id } };
  return { app_name: appName, user: ocsfUser(actor.kind, actor.id) };
}
