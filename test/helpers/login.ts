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
  readonly #cookies = new Map<string, string>();
  #csrf: string | null = null;

  constructor(app: App) {
    this.#app = app;
  }

  /** The CSRF token of the current session, or null before a login step. */
  get csrfToken(): string | null {
    return this.#csrf;
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
    const res = await this.#app.server.inject({ ...opts, headers: { ...headers, ...(opts.headers ?? {}) } });
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
