import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/app.ts';
import { sessionCookieName } from '../../src/http/session-cookie.ts';

/**
 * A browser-like client over `inject()`: keeps the session cookie the server sets, sends the
 * CSRF token of the last login step on state-changing requests (as the page does), and the
 * page's Origin. `address` sets the client address (rate limits are per address).
 */
export class SessionClient {
  readonly #app: App;
  readonly #address: string;
  cookie: string | null = null;
  csrf: string | null = null;

  constructor(app: App, address = '127.0.0.1') {
    this.#app = app;
    this.#address = address;
  }

  /** Sends a request; remembers a session cookie and CSRF token from the answer. */
  async send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, opts: { csrf?: boolean; origin?: string } = {}): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { host: new URL(this.#app.url).host, origin: opts.origin ?? new URL(this.#app.url).origin };
    if (this.cookie) headers.cookie = `${sessionCookieName}=${this.cookie}`;
    if (this.csrf && opts.csrf !== false && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    const res = await this.#app.server.inject({ method, url, headers, remoteAddress: this.#address, ...(body === undefined ? {} : { payload: body as object }) });
    const set = res.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const m = new RegExp(`^${sessionCookieName}=([^;]*)`).exec(c);
      if (m) this.cookie = m[1] || null;
    }
    try {
      const json = res.json<{ csrfToken?: unknown }>();
      if (typeof json.csrfToken === 'string') this.csrf = json.csrfToken;
    } catch {
      // not JSON
    }
    return res;
  }

  /** Password login; returns the response. */
  login(username: string, password: string): Promise<LightMyRequestResponse> {
    return this.send('POST', '/api/v1/auth/login', { username, password });
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
