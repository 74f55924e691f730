// The page's API client: JSON over fetch, the session's CSRF token, problem+json errors.

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The CSRF token of the current session. The server requires it as `x-csrf-token` on every
 * cookie-authenticated state change. It MUST stay in memory only (never localStorage), so a
 * script of another page can never read it; a reload fetches it again from /auth/me.
 */
let csrfToken = null;

/** Sets the CSRF token of the current session; null forgets it (signed out). */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** An API failure carrying the problem+json `detail` (RFC 9457) when the server sent one. */
export class ApiError extends Error {
  constructor(message, status, code, stage) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    /** For MFA_REQUIRED: which login stage is pending ('second-factor' or 'enrol'). */
    this.stage = stage;
  }
}

/** Who reacts to an error answer before it is thrown (the sign-in flow); none until one registers. */
let authProblemHandler = () => undefined;

/**
 * Registers the reaction to answers that mean "not (fully) signed in". It sees every ApiError
 * of api() and failureOf() before the caller does, and MUST NOT throw.
 */
export function onAuthProblem(handler) {
  authProblemHandler = handler;
}

/**
 * Fetches JSON from the API; throws ApiError with the problem detail on a non-2xx answer.
 * State-changing requests carry the CSRF token. An ended session (401) or a pending second
 * factor (MFA_REQUIRED) switches the page to the matching sign-in view before the error is
 * thrown, so every caller gets that behaviour.
 */
export async function api(path, init = {}) {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (!safeMethods.has(method) && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { ...init, method, headers, cache: 'no-store', credentials: 'same-origin' });
  if (res.ok) return res.status === 204 ? null : res.json();
  throw await failureOf(res);
}

/** POSTs a JSON body through api(). */
export const postJson = (path, body) => api(path, { method: 'POST', body: JSON.stringify(body) });

/**
 * The ApiError of an error response, for callers that fetch themselves; like api(), it lets
 * the sign-in flow react first.
 */
export async function failureOf(res) {
  const error = await problemOf(res);
  authProblemHandler(error);
  return error;
}

/** Turns an error response into an ApiError, using the problem document when there is one. */
async function problemOf(res) {
  let detail = `${res.status} ${res.statusText}`.trim();
  let code;
  let stage;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      const problem = await res.json();
      detail = problem.detail || problem.title || detail;
      code = problem.code;
      stage = problem.stage;
    } catch {
      // Not JSON after all: keep the status line.
    }
  }
  return new ApiError(detail, res.status, code, stage);
}
