/**
 * A minimal browser for OIDC login tests: follows the provider's redirects by hand, keeps its
 * cookies (name, value, path), answers the test provider's login and consent forms, and stops
 * at the relying party's redirect URI, returning that URL instead of loading it.
 */
import { providerFetch } from '../../src/identity/oidc/provider-fetch.ts';

/** How the user answers the provider's pages. */
export interface LoginChoice {
  /** The account to log in as (the test provider's `sub`). */
  readonly account: string;
  /** Cancel at the login page instead (the provider then redirects with error=access_denied). */
  readonly deny?: boolean;
}

interface Cookie {
  readonly value: string;
  readonly path: string;
}

/** One browser profile: a fresh instance has no provider session. */
export class OidcTestBrowser {
  readonly #fetch: ReturnType<typeof providerFetch>;
  readonly #cookies = new Map<string, Cookie>();

  constructor(caPem: string) {
    this.#fetch = providerFetch([caPem]);
  }

  /** Opens `authorizationUrl` and logs in; resolves with the URL the provider sent the browser back to under `redirectUri`. */
  async login(authorizationUrl: string, redirectUri: string, choice: LoginChoice): Promise<URL> {
    let next: { url: URL; method: 'GET' | 'POST'; form?: URLSearchParams } = { url: new URL(authorizationUrl), method: 'GET' };
    for (let hop = 0; hop < 20; hop++) {
      if (next.url.href.startsWith(`${redirectUri}?`)) return next.url;
      const res = await this.#request(next.url, next.method, next.form);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        next = { url: new URL(location, next.url), method: 'GET' };
        continue;
      }
      const html = await res.text();
      if (res.status !== 200) throw new Error(`provider answered ${res.status}: ${html.slice(0, 200)}`);
      const form = /<form method="post" data-prompt="(\w+)" action="([^"]+)"/.exec(html);
      if (!form) throw new Error(`unexpected provider page: ${html.slice(0, 200)}`);
      const [, prompt, action] = form as unknown as [string, string, string];
      if (prompt === 'login' && choice.deny) {
        next = { url: new URL(action.replace(/\/login$/, '/abort'), next.url), method: 'POST', form: new URLSearchParams() };
      } else {
        next = { url: new URL(action, next.url), method: 'POST', form: new URLSearchParams(prompt === 'login' ? { login: choice.account } : {}) };
      }
    }
    throw new Error('too many redirects');
  }

  async #request(url: URL, method: 'GET' | 'POST', form?: URLSearchParams): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = [...this.#cookies]
      .filter(([, c]) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
    if (cookie) headers.cookie = cookie;
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await this.#fetch(url.href, { method, headers, body: form, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.#store(line);
    return res;
  }

  #store(setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const attr = new Map(attributes.map((a) => [a.split('=')[0]!.toLowerCase(), a.slice(a.indexOf('=') + 1)]));
    const expires = attr.get('expires');
    const gone = attr.get('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now()) || value === '';
    if (gone) this.#cookies.delete(name);
    else this.#cookies.set(name, { value, path: attr.get('path') ?? '/' });
  }
}
