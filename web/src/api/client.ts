// The console's API client: openapi-fetch over the types generated from the committed OpenAPI
// document (openapi.d.ts), so a call the API does not have, or a field it does not send, fails
// the type check. Adds the session's CSRF token to state changes, marks background polls, and
// turns problem+json answers (RFC 9457) into ApiError.
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './openapi';

/** The API's paths and operations, as generated. */
export type { paths } from './openapi';

/** The JSON a GET of `P` answers with 200. */
export type JsonOf<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer T } } } } } ? T : never;

/**
 * The header that marks a request the page sends on its own (status polling): the server MUST
 * NOT count it as activity of the user, so an open tab still idles out (issue 19, item 8).
 */
export const backgroundHeader = { 'x-custos-background': '1' } as const;

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** An API failure carrying the problem+json `detail` (RFC 9457) when the server sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string | undefined;
  /** For MFA_REQUIRED: which login stage is pending ('second-factor' or 'enrol'). */
  readonly stage: string | undefined;
  /** For VALIDATION_FAILED: the body field the server names (a dotted path, e.g. `mitigationsApplied.0`), when it names one. */
  readonly field: string | undefined;
  constructor(message: string, status: number, code: string | undefined, stage: string | undefined, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.stage = stage;
    this.field = field;
  }
}

/** The problem document fields the page reads. */
interface Problem {
  detail?: string;
  title?: string;
  code?: string;
  stage?: string;
  field?: string;
}

/** What an openapi-fetch call answers. */
interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The page's API: the typed client, and the session's CSRF token it sends. */
export interface Api {
  readonly client: Client<paths>;
  /**
   * Sets the CSRF token of the current session; null forgets it (signed out). It MUST stay in
   * memory only (never localStorage); a reload fetches it again from /auth/me.
   */
  setCsrfToken(token: string | null): void;
  /** The data of a call, or throws its ApiError (after the auth-problem handler saw it). */
  ok<T>(call: Promise<Outcome<T>>): Promise<T>;
  /** The ApiError of an error response fetched directly (HLS playlists, downloads). */
  failureOf(res: Response): Promise<ApiError>;
  /**
   * When the page last sent a request on the user's behalf (one without the background header):
   * the server's idle clock restarts then, so the page's does too (ms since the epoch).
   */
  lastForegroundMs(): number;
}

/** An ApiError from a status and a problem body (or none). */
function problemError(res: Response, body: unknown): ApiError {
  const p = (body && typeof body === 'object' ? body : {}) as Problem;
  return new ApiError(p.detail || p.title || `${res.status} ${res.statusText}`.trim(), res.status, p.code, p.stage, typeof p.field === 'string' ? p.field : undefined);
}

/**
 * Creates the API client. `onAuthProblem` sees every ApiError before the caller does (the
 * sign-in flow switches views on 401 and MFA_REQUIRED) and MUST NOT throw.
 */
export function createApi(onAuthProblem: (e: ApiError) => void): Api {
  let csrfToken: string | null = null;
  let lastForeground = Date.now();
  const client = createClient<paths>({ baseUrl: '', credentials: 'same-origin', cache: 'no-store' });
  client.use({
    onRequest({ request }) {
      request.headers.set('accept', 'application/json');
      if (!safeMethods.has(request.method) && csrfToken !== null) request.headers.set('x-csrf-token', csrfToken);
      if (!request.headers.has('x-custos-background')) lastForeground = Date.now();
      return request;
    },
  });
  return {
    client,
    setCsrfToken(token) {
      csrfToken = token;
    },
    async ok<T>(call: Promise<Outcome<T>>): Promise<T> {
      const { data, error, response } = await call;
      if (response.ok) return data as T;
      const e = problemError(response, error);
      onAuthProblem(e);
      throw e;
    },
    lastForegroundMs: () => lastForeground,
    async failureOf(res) {
      let body: unknown;
      if ((res.headers.get('content-type') ?? '').includes('json')) body = await res.json().catch(() => undefined);
      const e = problemError(res, body);
      onAuthProblem(e);
      return e;
    },
  };
}
