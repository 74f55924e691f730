import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import type { Access } from '../access/access.ts';
import type { RouteAccess } from '../access/permissions.ts';
import type { Principal } from '../access/principal.ts';
import type { StoredSession } from '../identity/session.ts';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditEventType } from '../audit/catalogue.ts';

/** The request parts a handler sees, already validated against the route's schemas. */
export interface RouteContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  /** Who the request acts as, for the audit ledger. */
  readonly audit: AuditContext;
  /** The authenticated principal; null only on `public` routes without credentials. */
  readonly principal: Principal | null;
  /** The login session when the request used the session cookie (not a bearer token). */
  readonly session: StoredSession | null;
  /** Access decisions for the principal (set-based camera checks). */
  readonly access: Access;
}

/**
 * Where a route's permission must hold: `global` (a grant on the global scope), or on the
 * camera named by a path parameter (`{ camera: 'id' }`). Without it, the permission on any
 * scope admits the request and the handler narrows (lists filter by `access.cameras()`).
 */
export type RouteScope = 'global' | { readonly camera: string };

/**
 * One HTTP route of the API. Routes are data: the server registers them, the OpenAPI document
 * is generated from them, and the access tests walk them. Every route MUST declare `access`.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Fastify path, e.g. `/api/v1/cameras/:id`. */
  readonly url: string;
  readonly access: RouteAccess;
  /** Where `access` must hold; checked by the server before the handler runs. */
  readonly scope?: RouteScope;
  /**
   * The audit event the route records when it succeeds. Every route that changes state, and
   * every route that reads footage or the ledger, MUST declare it (a test walks the table).
   */
  readonly audit?: AuditEventType;
  readonly summary: string;
  readonly tag: string;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** The success response: status, and a zod schema (JSON) or a media type (bytes). */
  readonly response: { readonly status: number; readonly schema?: z.ZodType; readonly mediaType?: string };
  /** True for a WebSocket upgrade route (handled by `websocket` instead of `handler`). */
  readonly websocket?: boolean;
  /**
   * Returns the JSON body to send with `response.status`, or `undefined` when it has already
   * sent the reply itself (streams, files). Throws AppError for expected failures.
   */
  readonly handler?: (ctx: RouteContext<P, Q, B>) => Promise<unknown>;
  /** WebSocket handler, for `websocket: true` routes. */
  readonly wsHandler?: (socket: WebSocket, ctx: Omit<RouteContext<P, Q, B>, 'reply' | 'body'>) => void;
  /** Request bodies this route accepts besides JSON (the SAML ACS takes a form post). */
  readonly form?: boolean;
}

/** Declares a route with its types inferred from its schemas. */
export function defineRoute<P = undefined, Q = undefined, B = undefined>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}
