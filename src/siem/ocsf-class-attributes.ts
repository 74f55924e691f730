/**
 * The attributes each OCSF class used by the audit catalogue requires beyond the base event
 * (OCSF 1.8.0; a test checks every catalogued type against the released schema):
 * - System Activity (Event Log Activity 1008): `actor`, `device` (filled for every class);
 * - Entity Management (3004): `entity`;
 * - Authentication (3002), Account Change (3001): `user`, the account concerned (Authentication
 *   adds `auth_protocol_id` and `is_mfa` where the details say);
 * - User Access Management (3005): `user` and `privileges`;
 * - Datastore Activity (6005), API Activity (6003): `actor`, `src_endpoint`; API Activity also `api`;
 * - Detection Finding (2004): `finding_info`.
 * Everything here is derived from the committed record alone.
 */
import type { LeafRecord } from '../audit/audit-event.ts';
import { auditCatalogue, type EventKind } from '../audit/catalogue.ts';
import { ocsfUser, type OcsfUser } from './ocsf-actor.ts';

/** The class-specific part of an OCSF event. */
export type OcsfClassAttributes = Readonly<Record<string, unknown>>;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The account an identity event is about: the target when it is a user; for an API token, its
 * owner (details.owner); otherwise the target whatever its kind (a camera's account for
 * camera.auth.failed); with no target, the actor (a failed sign-in whose account name is sealed).
 */
export function subjectUser(record: LeafRecord): OcsfUser {
  const t = record.target;
  const owner = text(record.details?.['owner']);
  if (t?.kind === 'user') return ocsfUser('user', t.id);
  if (t?.kind === 'token' && owner !== undefined) return ocsfUser('user', owner);
  if (t !== undefined) return ocsfUser(t.kind, t.id);
  return ocsfUser(record.actor.kind, record.actor.id);
}

/**
 * How a sign-in authenticated (Authentication): details.method is `password`, `passkey`, `oidc` or
 * `saml`, with `+totp`, `+passkey` or `+recovery-code` for a second step; OCSF names OpenID and
 * SAML, the rest is Other (99) with the method as text. details.mfa says whether MFA was verified.
 */
function authenticationOf(record: LeafRecord): OcsfClassAttributes {
  const d = record.details ?? {};
  const method = text(d['method']);
  const first = method?.split('+')[0];
  const protocol = method === undefined ? {} : first === 'oidc' ? { auth_protocol_id: 4 } : first === 'saml' ? { auth_protocol_id: 5 } : { auth_protocol_id: 99, auth_protocol: method };
  return { user: subjectUser(record), ...protocol, ...(typeof d['mfa'] === 'boolean' ? { is_mfa: d['mfa'] } : {}) };
}

/** OCSF `managed_entity` for the object acted upon (Entity Management). */
function entityOf(record: LeafRecord): OcsfClassAttributes {
  const t = record.target;
  if (t !== undefined) return { uid: t.id, type: t.kind, ...(t.name !== undefined ? { name: t.name } : {}) };
  const kind = record.type.split('.')[0] ?? record.type;
  return record.camera_id !== undefined ? { uid: record.camera_id, type: 'camera' } : { name: kind, type: kind };
}

/** Privileges a User Access Management event grants, revokes or asks for. */
function privilegesOf(record: LeafRecord, kind: EventKind): string[] {
  const d = record.details ?? {};
  const named = text(d['role']) ?? text(d['action']);
  return [named ?? kind.activityName];
}

/** The class-specific attributes of a record, given the `src_endpoint` the caller resolved. */
export function classAttributes(record: LeafRecord, srcEndpoint: OcsfClassAttributes): OcsfClassAttributes {
  const kind: EventKind = auditCatalogue[record.type];
  switch (kind.classUid) {
    case 3004:
      return { entity: entityOf(record) };
    case 3002:
      return authenticationOf(record);
    case 3001:
      return { user: subjectUser(record) };
    case 3005:
      return { user: subjectUser(record), privileges: privilegesOf(record, kind) };
    case 6005:
      return { src_endpoint: srcEndpoint };
    case 6003: {
      const d = record.details ?? {};
      const method = text(d['method']);
      const route = text(d['route']);
      const operation = method !== undefined && route !== undefined ? `${method} ${route}` : record.type;
      return { src_endpoint: srcEndpoint, api: { operation } };
    }
    case 2004: {
      const rule = text(record.details?.['rule']);
      return { finding_info: { uid: record.id, title: rule ?? kind.description, types: [record.type] } };
    }
    default:
      return {};
  }
}
