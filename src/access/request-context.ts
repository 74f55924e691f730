/**
 * The route type bound to Custos' vocabulary: handlers see who the request acts as, its access
 * and its audit context; `access` names a permission (or `public`, `session`, `self`) and
 * `audit` an event of the catalogue. Features define their routes with this `defineRoute`;
 * identity's routes, which also see the login session, with identity/request-context.ts.
 */
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditEventType } from '../audit/catalogue.ts';
import type { Route, RouteSpec as HttpRouteSpec } from '../http/route.ts';
import type { Access } from './access.ts';
import type { RouteAccess } from './permissions.ts';
import type { Principal } from './principal.ts';

/** What the request guard found, as a handler sees it. */
export interface AccessContext {
  /** Who the request acts as, for the audit ledger. */
  readonly audit: AuditContext;
  /** The authenticated principal; null only on `public` routes without credentials. */
  readonly principal: Principal | null;
  /** Access decisions for the principal (set-based camera checks). */
  readonly access: Access;
}

/** A route of a feature, its schema types erased. */
export type RouteSpec = Route<AccessContext, RouteAccess, AuditEventType>;

/** Declares a route with its types inferred from its schemas. */
export function defineRoute<P = undefined, Q = undefined, B = undefined>(spec: HttpRouteSpec<P, Q, B, AccessContext, RouteAccess, AuditEventType>): RouteSpec {
  return spec as unknown as RouteSpec;
}
