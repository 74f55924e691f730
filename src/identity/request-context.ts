/**
 * The full request context: access/request-context.ts's, and the login session when the request
 * used the session cookie (not a bearer token). Identity's routes (logout, second factor,
 * enrolment) see it; the request guard (request-auth.ts) produces it; the route table
 * (src/routes.ts) holds routes of this type.
 */
import type { RouteAccess } from '../access/permissions.ts';
import type { AccessContext } from '../access/request-context.ts';
import type { AuditEventType } from '../audit/catalogue.ts';
import type { Route, RouteSpec as HttpRouteSpec } from '../http/route.ts';
import type { StoredSession } from './session.ts';

/** What the request guard found: the access context and the login session. */
export interface RequestContext extends AccessContext {
  /** The login session when the request used the session cookie (not a bearer token). */
  readonly session: StoredSession | null;
}

/** A route of the table, its schema types erased. */
export type RouteSpec = Route<RequestContext, RouteAccess, AuditEventType>;

/** Declares a route with its types inferred from its schemas. */
export function defineRoute<P = undefined, Q = undefined, B = undefined>(spec: HttpRouteSpec<P, Q, B, RequestContext, RouteAccess, AuditEventType>): RouteSpec {
  return spec as unknown as RouteSpec;
}
