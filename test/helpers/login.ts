/**
 * Signing in as a browser does, through `inject()`: a cookie jar (the session cookie, and the
 * SSO cookie of a login in flight), the session's CSRF token sent on every state-changing
 * request, and the one-time setup token the app writes at a start with no user.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/app.ts';
import { setupTokenFile } from '../../src/identity/first-run.ts';
import { sessionCookieName } from '../../src/identity/session-cookie.ts';
import type { TestPrincipal } from './access.ts';

/** The setup token the app wrote to `<dataDir>/setup-token` at a start with no user. */
export async function readSetupToken(dataDir: string): Promise<string> {
  return (await readFile(join(dataDir, setupTokenFile), 'utf8')).trim();
}

/** The audit actor id of a test principal's bearer token (`token:<uuid>`). */
export async function tokenActorId(app: App, principal: TestPrincipal): Promise<string> {
  const tokens = await app.identity.tokens.ofUser(principal.user.id);
  if (tokens.length !== 1) throw new Error(`expected one token of ${principal.user.username}, found ${tokens.length}`);
  return `token:${tokens[0]!.id}`;
}

const unsafe = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

/**
 * One browser profile against the app: it keeps the cookies the app sets (and drops those it
 * clears), remembers the CSRF token of the latest login step, and sends it as `x-csrf-token`
 * on every state-changing request, as the web client does. It sends no Origin header, like a
 * non-browser client; a test that wants one adds it to the request.
 */
export class BrowserSession {
  readonly #app: App;
  readonly #address: string;
  readonly #cookies = new Map<string, string>();
  #csrf: string | null = null;

  /** `address` is the client address the app sees (login rate limits are per address). */
  constructor(app: App, address = '127.0.0.1') {
    this.#app = app;
    this.#address = address;
  }

  /** The CSRF token of the current session, or null before a login step. */
  get csrfToken(): string | null {
    return this.#csrf;
  }

  /** Replaces the CSRF token the profile sends (to test a wrong one). */
  set csrfToken(token: string | null) {
    this.#csrf = token;
  }

  /** The session cookie's value, or null. */
  get sessionToken(): string | null {
    return this.#cookies.get(sessionCookieName) ?? null;
  }

  /** Plants a session cookie (to test session fixation, or a stale token). */
  set sessionToken(token: string | null) {
    if (token === null) this.#cookies.delete(sessionCookieName);
    else this.#cookies.set(sessionCookieName, token);
  }

  /**
   * A request as the page makes it: from the app's own origin (`Origin` and `Host` of its URL,
   * unless `origin` says otherwise), with the CSRF token unless `csrf: false`.
   */
  send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, opts: { csrf?: boolean; origin?: string } = {}): Promise<LightMyRequestResponse> {
    const own = new URL(this.#app.url);
    const headers: Record<string, string> = { host: own.host, origin: opts.origin ?? own.origin };
    if (opts.csrf === false) headers['x-csrf-token'] = '';
    return this.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
  }

  /** A password login attempt, whatever its answer. */
  attempt(username: string, password: string): Promise<LightMyRequestResponse> {
    return this.send('POST', '/api/v1/auth/login', { username, password });
  }

  /** A cookie the app set and has not cleared. */
  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** Calls the app with this profile's cookies (and CSRF token on unsafe methods). */
  async inject(opts: InjectOptions): Promise<LightMyRequestResponse> {
    const method = (opts.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    if (this.#cookies.size > 0) headers.cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (unsafe(method) && this.#csrf !== null) headers['x-csrf-token'] = this.#csrf;
    const res = await this.#app.server.inject({ remoteAddress: this.#address, ...opts, headers: { ...headers, ...(opts.headers ?? {}) } });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (c.value === '' || c.maxAge === 0) this.#cookies.delete(c.name);
      else this.#cookies.set(c.name, c.value);
    }
    if (res.statusCode < 300 && (res.headers['content-type'] ?? '').toString().startsWith('application/json')) {
      const body = res.json<unknown>();
      const token = typeof body === 'object' && body !== null ? (body as { csrfToken?: unknown }).csrfToken : undefined;
      if (typeof token === 'string') this.#csrf = token;
    }
    return res;
  }

  /** Signs in with a password; returns the login step's body (stage, user, csrfToken). */
  async login(username: string, password: string): Promise<{ stage: string; user: { id: string }; csrfToken: string }> {
    const res = await this.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login of ${username} answered ${res.statusCode}: ${res.body}`);
    return res.json();
  }
}

/** The problem code of a response, or undefined. */
export function codeOf(res: LightMyRequestResponse): string | undefined {
  try {
    return res.json<{ code?: string }>().code;
  } catch {
    return undefined;
  }
}

/** The value a response's Set-Cookie gives to cookie `name`, or undefined. */
export function cookieFrom(headers: Record<string, unknown>, name: string): string | undefined {
  const set = headers['set-cookie'];
  for (const c of Array.isArray(set) ? (set as string[]) : typeof set === 'string' ? [set] : []) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m?.[1]) return m[1];
  }
  return undefined;
}
