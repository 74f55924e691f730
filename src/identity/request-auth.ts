import { Access, type CameraPlacements } from '../access/access.ts';
import type { RouteAccess } from '../access/permissions.ts';
import type { Principal } from '../access/principal.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { RequestGuard, Route, RouteRequest } from '../http/route.ts';
import { AppError } from '../lib/errors.ts';
import { auditContextOf } from './audit-context.ts';
import type { Authenticated } from './authenticator.ts';
import type { RequestContext } from './request-context.ts';
import { sameSecret } from './secret-token.ts';
import { cookieValue, sessionCookieName } from './session-cookie.ts';

/** What the server needs to authenticate and authorize requests. */
export interface ServerAuth {
  /** `touch: false` for re-checks of an open connection, which are not use of the session. */
  fromSession(token: string, opts?: { touch?: boolean }): Promise<Authenticated | null>;
  fromBearer(token: string): Promise<Authenticated | null>;
  readonly placements: CameraPlacements;
  readonly audit: AuditSink;
  /**
   * Counts a refusal of an authenticated caller under `key` (actor, route, reason): how many
   * refusals the `access.denied` event recorded now summarises, or null when this window's event
   * for the key is already in the ledger (see RefusalSummary).
   */
  readonly denied: (key: string) => number | null;
}

/** A request's identity after the guard: principal (or null on public routes) and access. */
export interface RequestAuth {
  readonly principal: Principal | null;
  readonly session: Authenticated['session'];
  readonly access: Access;
}

/** What the gate reads of a route. */
type GuardedRoute = Pick<Route<never, RouteAccess>, 'url' | 'access' | 'scope' | 'form'>;

/**
 * The server's request guard (http/server.ts takes it from the assembly): {@link guardRequest},
 * and the audit context of whoever the request acts as.
 */
export function requestGuard(auth: ServerAuth): RequestGuard<RequestContext, RouteAccess> {
  return async (route, request, params, opts) => {
    const { principal, session, access } = await guardRequest(auth, route, request, params, opts);
    return { principal, session, access, audit: auditContextOf(request, principal) };
  };
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The header a page sends on requests no person made (status polling); see {@link isBackground}. */
export const backgroundHeader = 'x-custos-background';

/**
 * True when the request says it was made in the background (`X-Custos-Background: 1`): it is
 * served as usual but MUST NOT count as use of the session, so a tab left open with its status
 * polls running still reaches the idle timeout. Saying so can only shorten one's own session.
 */
export function isBackground(request: RouteRequest): boolean {
  return request.headers[backgroundHeader] === '1';
}

/** The credentials of a request: a bearer token wins over the cookie. */
async function authenticate(auth: ServerAuth, request: RouteRequest, touch: boolean): Promise<Authenticated | null | 'invalid'> {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.length > 0) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return 'invalid';
    return (await auth.fromBearer(m[1]!)) ?? 'invalid';
  }
  const cookie = cookieValue(request.headers.cookie, sessionCookieName);
  if (cookie === undefined) return null;
  return (await auth.fromSession(cookie, { touch })) ?? 'invalid';
}

/**
 * The one authorization gate (STYLE rule 7), run before every handler and WebSocket upgrade:
 * authenticate; refuse cookie-authenticated state changes without the session's CSRF token
 * or from another origin; require the route's permission (with mandatory MFA done) on the
 * route's scope. Denials of an authenticated principal are audit events (`access.denied`);
 * a camera out of scope answers NOT_FOUND like a missing one. `recheck` re-runs the gate for
 * a connection already admitted (an open WebSocket): same verdict, but the session is not
 * touched, so the re-check is not use of it; nor is a request marked as background ({@link isBackground}).
 */
export async function guardRequest(auth: ServerAuth, route: GuardedRoute, request: RouteRequest, params: unknown, opts: { recheck?: boolean } = {}): Promise<RequestAuth> {
  const found = await authenticate(auth, request, opts.recheck !== true && !isBackground(request));
  if (found === 'invalid' && route.access !== 'public') throw new AppError('UNAUTHENTICATED', 'the session has ended or the token is not valid; log in again');
  const authenticated = found === 'invalid' ? null : found;
  const principal = authenticated?.principal ?? null;
  const session = authenticated?.session ?? null;
  const access = new Access(principal, auth.placements);
  const result: RequestAuth = { principal, session, access };
  if (!safeMethods.has(request.method)) {
    // Public state changes (login) are JSON-only and same-origin; the SAML ACS is a cross-site
    // form post by nature and is bound to its login by the pending request id instead.
    if (route.access === 'public') {
      if (!route.form) assertSameOrigin(request);
    } else if (session) {
      assertSameOrigin(request);
      assertCsrfToken(request, session.csrf);
    }
  }
  if (route.access === 'public') return result;
  if (!principal) throw new AppError('UNAUTHENTICATED', 'log in first (session cookie or Authorization: Bearer token)');
  if (route.access === 'session') return result;
  // One summarised event per actor, route and reason and window: a caller repeating a refused
  // request (a session past the password step only is refused everywhere) must not fill the ledger.
  const deny = async (error: AppError, reason: string): Promise<never> => {
    const context = auditContextOf(request, principal);
    const refused = auth.denied(`${context.actor.id}\n${route.url}\n${reason}`);
    if (refused === null) throw error;
    await auth.audit
      .record({ type: 'access.denied', ...context, outcome: 'failure', reason, details: { method: request.method, route: route.url, permission: route.access, refused, windowSeconds: 60 } })
      .catch(() => undefined);
    throw error;
  };
  if (principal.mfaRequired && !principal.mfaSatisfied) {
    return deny(new AppError('MFA_REQUIRED', principal.hasFactor ? 'verify your second factor first' : 'your role requires a second factor: enrol one first', { stage: principal.hasFactor ? 'second-factor' : 'enrol' }), 'second factor pending');
  }
  if (route.access === 'self') return result;
  const permission = route.access;
  if (!access.has(permission)) return deny(new AppError('FORBIDDEN', `this needs the permission ${permission}`, { permission }), `permission ${permission} missing`);
  if (route.scope === 'global') {
    const cameras = await access.cameras(permission);
    if (!cameras.all) return deny(new AppError('FORBIDDEN', `this needs ${permission} on the global scope`, { permission }), `permission ${permission} not global`);
  } else if (route.scope) {
    const cameraId = (params as Record<string, unknown> | undefined)?.[route.scope.camera];
    if (typeof cameraId !== 'string' || !(await access.canCamera(permission, cameraId))) {
      return deny(new AppError('NOT_FOUND', 'no such camera'), `camera out of scope for ${permission}`);
    }
  }
  return result;
}

/** A browser's Origin header, when sent, MUST be this server. */
function assertSameOrigin(request: RouteRequest): void {
  const origin = request.headers.origin;
  if (typeof origin === 'string') {
    let ok: boolean;
    try {
      const url = new URL(origin);
      ok = url.protocol === 'https:' && url.host === request.headers.host;
    } catch {
      ok = false;
    }
    if (!ok) throw new AppError('CSRF_FAILED', 'the request came from another origin');
  }
}

/** Cookie-authenticated state changes MUST carry the session's CSRF token. */
function assertCsrfToken(request: RouteRequest, expected: string): void {
  const token = request.headers['x-csrf-token'];
  if (typeof token !== 'string' || !sameSecret(token, expected)) throw new AppError('CSRF_FAILED', 'missing or wrong x-csrf-token header');
}
