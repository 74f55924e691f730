import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { z } from 'zod';

/** The HTTP request as the request guard and handlers see it. */
export type RouteRequest = FastifyRequest;

/**
 * The request parts a handler sees, already validated against the route's schemas, and `C`:
 * what the server's request guard found (who the request acts as, its access, its audit
 * context). http/ knows no feature: `C`, the permission type `A` and the audit event type `E`
 * are bound by the features (access/request-context.ts, identity/request-context.ts).
 */
export type RouteContext<P, Q, B, C> = {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
} & C;

/** What a WebSocket handler sees: the request context without a body or a reply. */
export type SocketContext<P, Q, C> = {
  readonly params: P;
  readonly query: Q;
  readonly request: FastifyRequest;
} & C;

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
export interface RouteSpec<P = unknown, Q = unknown, B = unknown, C = never, A extends string = string, E extends string = string> {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Fastify path, e.g. `/api/v1/cameras/:id`. */
  readonly url: string;
  /** The permission, or `public`, `session` or `self` (access/permissions.ts, `RouteAccess`). */
  readonly access: A;
  /** Where `access` must hold; checked by the server before the handler runs. */
  readonly scope?: RouteScope;
  /**
   * The audit event the route records when it succeeds. Every route that changes state, and
   * every route that reads footage or the ledger, MUST declare it (a test walks the table).
   */
  readonly audit?: E;
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
  readonly handler?: (ctx: RouteContext<P, Q, B, C>) => Promise<unknown>;
  /** WebSocket handler, for `websocket: true` routes. */
  readonly wsHandler?: (socket: WebSocket, ctx: SocketContext<P, Q, C>) => void;
  /** Request bodies this route accepts besides JSON (the SAML ACS takes a form post). */
  readonly form?: boolean;
}

/**
 * A route with its schema types erased, as the server, the OpenAPI document and the route table
 * hold it. With `C = never` (the default) any route is one: readers of the table see its data.
 */
export type Route<C = never, A extends string = string, E extends string = string> = RouteSpec<unknown, unknown, unknown, C, A, E>;

/**
 * A `defineRoute` for routes whose handlers see `C`: each route's types are inferred from its
 * schemas, and its `access` and `audit` literals are kept, so the assembly's route table checks
 * them against the permission and event types it binds.
 */
export function routeDefiner<C>() {
  return <P = undefined, Q = undefined, B = undefined, A extends string = never, E extends string = never>(spec: RouteSpec<P, Q, B, C, A, E>): Route<C, A, E> => spec as unknown as Route<C, A, E>;
}

/**
 * The one authorization gate, run before every handler and WebSocket upgrade (the assembly
 * passes identity/request-auth.ts's to the server): refuses the request by throwing an AppError,
 * or answers what the handler sees of who the request acts as (`C`). `recheck` re-runs it for a
 * connection already admitted (an open WebSocket).
 */
export type RequestGuard<C, A extends string = string> = (route: Route<C, A>, request: RouteRequest, params: unknown, opts?: { recheck?: boolean }) => Promise<C>;
