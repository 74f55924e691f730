import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { z } from 'zod';
import { AppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { problemMediaType, toProblem } from './problem.ts';
import type { RequestGuard, Route } from './route.ts';
import type { TlsMaterial } from './tls.ts';
import { keepWhileAdmitted } from './ws-admission.ts';
import { RequestLog } from './request-log.ts';
import { formMediaType, mediaTypeOf } from './media-type.ts';

/** What the HTTP server is built from. */
export interface ServerOptions<C, A extends string> {
  readonly routes: readonly Route<C, A>[];
  readonly logger: Logger;
  /** TLS material; null only for `inject()`-based tests, which open no socket. */
  readonly tls: TlsMaterial | null;
  /** Authentication and authorization of every non-public route. */
  readonly guard: RequestGuard<C, A>;
  /** How often an open WebSocket's credentials are checked again (`live.recheckSeconds`). */
  readonly websocketRecheckMs: number;
  /** Subscribes to "credentials changed in this process" (sessions ended): open WebSockets are checked at once. */
  readonly credentialsChanged?: (listener: () => void) => () => void;
  /** Connection timeouts (`server.*TimeoutSeconds`); see {@link ServerTimeouts}. */
  readonly timeouts: ServerTimeouts;
  /** Level of the one line logged per finished request (`log.requests`); debug by default. */
  readonly requestLogLevel?: 'debug' | 'info';
}

/**
 * How long a client may hold a connection without using it. Every bound is in milliseconds.
 * A connection MUST NOT be held open by sending nothing (or trickling bytes): that is how one
 * client exhausts the server's sockets.
 */
export interface ServerTimeouts {
  /**
   * A connection that sends and receives nothing for this long is closed. Activity resets it,
   * so a download that keeps flowing is never cut; an upgraded WebSocket is exempt (the ws
   * library clears the socket's timeout) and is bounded by its credential re-checks instead.
   */
  readonly idleMs: number;
  /** The TLS handshake, then the request's headers and body, must each arrive within this. */
  readonly requestMs: number;
  /** An idle keep-alive connection between two requests is closed after this. */
  readonly keepAliveMs: number;
}

/**
 * Builds the Fastify app: HTTPS with TLS 1.3 only, HSTS, one problem+json error path, routes
 * registered from their specs with zod validation. Listening is the caller's job.
 */
export async function buildServer<C, A extends string>(opts: ServerOptions<C, A>): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Fastify's two info lines per request (incoming, completed) made most of a terminal's log:
    // one line per finished request instead, at log.requests (debug unless asked).
    logController: new RequestLog(opts.requestLogLevel ?? 'debug'),
    bodyLimit: 1024 * 1024,
    connectionTimeout: opts.timeouts.idleMs,
    requestTimeout: opts.timeouts.requestMs,
    keepAliveTimeout: opts.timeouts.keepAliveMs,
    ...(opts.tls
      ? {
          https: {
            cert: opts.tls.cert,
            key: opts.tls.key,
            minVersion: 'TLSv1.3' as const,
            maxVersion: 'TLSv1.3' as const,
            handshakeTimeout: opts.timeouts.requestMs,
            headersTimeout: opts.timeouts.requestMs,
            // How often Node enforces the request and headers timeouts (its default is 30 s).
            connectionsCheckingInterval: Math.min(opts.timeouts.requestMs, 1000),
          },
        }
      : {}),
  }) as unknown as FastifyInstance;

  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-correlation-id', request.id);
    reply.header('strict-transport-security', 'max-age=31536000');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    // Answers hold footage, evidence, audit records and personal data: no cache (the browser's,
    // a proxy's) may keep a copy. The page's own static files override this (web.routes.ts).
    reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((error, request, reply) => {
    const mapped = mapFrameworkError(error);
    const problem = toProblem(mapped, request.url.split('?')[0] ?? '', request.id);
    if (problem.status >= 500) request.log.error({ err: error, code: problem.code }, 'request failed');
    else request.log.info({ code: problem.code }, 'request refused');
    void reply.code(problem.status).type(problemMediaType).send(problem);
  });

  app.setNotFoundHandler((request, reply) => {
    const problem = toProblem(new AppError('NOT_FOUND', 'no such resource'), request.url.split('?')[0] ?? '', request.id);
    void reply.code(404).type(problemMediaType).send(problem);
  });

  // Form posts are parsed for the routes that take them (the SAML ACS) and refused elsewhere,
  // so a cross-site HTML form can never drive the API.
  app.addContentTypeParser(formMediaType, { parseAs: 'string', bodyLimit: 256 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.removeContentTypeParser('text/plain');

  // The guard's verdict per request, for the handler (held here, not on a module).
  const auths = new WeakMap<FastifyRequest, C>();
  for (const route of opts.routes) registerRoute(app, route, opts, auths);
  return app;
}

function registerRoute<C, A extends string>(app: FastifyInstance, route: Route<C, A>, opts: ServerOptions<C, A>, auths: WeakMap<FastifyRequest, C>): void {
  const guard = opts.guard;
  // Runs before the handler and before a WebSocket upgrade (a refusal is then an HTTP error).
  const preHandler = async (request: FastifyRequest) => {
    if (!route.form && mediaTypeOf(request.headers['content-type']) === formMediaType) {
      throw new AppError('VALIDATION_FAILED', 'this route takes JSON bodies only');
    }
    auths.set(request, await guard(route, request, request.params));
  };
  const authOf = (request: FastifyRequest): C => {
    const found = auths.get(request);
    if (!found) throw new AppError('INTERNAL', 'request reached a handler without passing the guard');
    return found;
  };
  const parse = (request: FastifyRequest) => ({
    params: validate(route.params, request.params, 'path'),
    query: validate(route.query, request.query, 'query'),
    body: validate(route.body, request.body, 'body'),
  });
  if (route.websocket) {
    app.get(route.url, { websocket: true, preHandler }, (socket, request) => {
      // Browsers do not apply CORS to WebSockets: refuse pages of other origins outright, so a
      // foreign site open in the operator's browser cannot watch cameras through it.
      if (!sameOrigin(request.headers.origin, request.headers.host)) {
        request.log.warn({ origin: request.headers.origin }, 'WebSocket from a foreign origin refused');
        socket.close(1008, 'FORBIDDEN_ORIGIN');
        return;
      }
      let parsed: ReturnType<typeof parse>;
      try {
        parsed = parse(request);
      } catch (e) {
        socket.close(1008, e instanceof AppError ? e.code : 'INTERNAL');
        return;
      }
      const admitted = authOf(request);
      // The socket lives only as long as its session or token, the account and the grant do.
      keepWhileAdmitted(socket, () => guard(route, request, request.params, { recheck: true }), opts.websocketRecheckMs, request.log, opts.credentialsChanged);
      route.wsHandler?.(socket, { ...admitted, params: parsed.params, query: parsed.query, request });
    });
    return;
  }
  app.route({
    method: route.method,
    url: route.url,
    preHandler,
    handler: async (request, reply) => {
      const parsed = parse(request);
      const result = await route.handler?.({ ...authOf(request), ...parsed, request, reply });
      if (reply.sent) return reply;
      if (result === undefined) return reply.code(route.response.status).send();
      return reply.code(route.response.status).send(result);
    },
  });
}

/** True when a WebSocket's Origin (if any: non-browser clients send none) is this server. */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return url.protocol === 'https:' && url.host === host;
  } catch {
    return false;
  }
}

/** Parses one request part; a mismatch is VALIDATION_FAILED naming the field. */
function validate(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new AppError('VALIDATION_FAILED', `${where}${field ? ` ${field}` : ''}: ${issue?.message ?? 'invalid'}`, { field: field || where });
}

/** Fastify's own errors (bad JSON, body too large, unsupported media type) become problems too. */
function mapFrameworkError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const e = error as { statusCode?: number; message?: string; code?: string };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError('VALIDATION_FAILED', (e.message ?? 'bad request').split('\n')[0] ?? 'bad request', { frameworkCode: e.code });
  }
  return error;
}
