/**
 * HTTP Digest access authentication for RTSP (RFC 2617 §3, RFC 7616 §3.4; RTSP reuses it per
 * RFC 2326 §D.1). MD5 only, qop=auth or no qop (legacy RFC 2069 clients). Basic is NOT offered:
 * it would send the password in clear over the loopback RTSP connection.
 *
 * Nonces are stateless: `<issued ms>.<HMAC-SHA256(secret, issued ms)>`, so the server keeps no
 * table; an expired but authentic nonce yields `stale=true` (RFC 7616 §3.3) and the client retries
 * without asking the user again. Nonce-count replay is not tracked (a test simulator, not a vault).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../src/lib/clock.ts';

/** The realm announced in every challenge. */
export const camsimRealm = 'custos-camsim';

/** Inputs to the Digest response computation (RFC 2617 §3.2.2.1). */
export interface DigestInputs {
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  /** `auth` or undefined (RFC 2069 compatibility). */
  qop?: string | undefined;
  nc?: string | undefined;
  cnonce?: string | undefined;
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

/** The request-digest: MD5(HA1:nonce[:nc:cnonce:qop]:HA2) as 32 lowercase hex digits. */
export function digestResponse(d: DigestInputs): string {
  const ha1 = md5(`${d.username}:${d.realm}:${d.password}`);
  const ha2 = md5(`${d.method}:${d.uri}`);
  if (d.qop === undefined) return md5(`${ha1}:${d.nonce}:${ha2}`);
  return md5(`${ha1}:${d.nonce}:${d.nc ?? ''}:${d.cnonce ?? ''}:${d.qop}:${ha2}`);
}

/** Parses `Digest k=v, k="v"` into its scheme and lowercase-keyed parameters. */
export function parseAuthorization(header: string): { scheme: string; params: Map<string, string> } | undefined {
  const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(header);
  if (m === null) return undefined;
  const params = new Map<string, string>();
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/gy;
  const rest = m[2] ?? '';
  let p: RegExpExecArray | null;
  while (re.lastIndex < rest.length && (p = re.exec(rest)) !== null) {
    const key = (p[1] ?? '').toLowerCase();
    const value = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
    params.set(key, value);
  }
  return { scheme: (m[1] ?? '').toLowerCase(), params };
}

/** Outcome of checking an Authorization header. */
export type DigestVerdict = 'ok' | 'missing' | 'invalid' | 'stale';

/** Configuration of one server's Digest verifier. */
export interface DigestAuthOptions {
  username: string;
  password: string;
  /** Random per-server key that signs nonces; MUST NOT be shared across servers or logged. */
  secret: Uint8Array;
  clock: Clock;
  /** Nonce lifetime; after it the client is told `stale=true`. */
  nonceTtlMs?: number;
  realm?: string;
}

/** A Digest verifier bound to one username/password. */
export interface DigestAuth {
  /** The WWW-Authenticate header value for a 401. */
  challenge(stale: boolean): string;
  /** Checks an Authorization header against the request method and request-line URI. */
  check(method: string, requestUri: string, authorization: string | undefined): DigestVerdict;
}

/** Strips `rtsp://host:port` so a digest uri given absolute or as a path compares equal. */
function uriPath(uri: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(.*)$/i.exec(uri);
  const path = m === null ? uri : (m[1] ?? '');
  return path === '' ? '/' : path;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Builds a Digest verifier (see the module comment for the nonce design). */
export function createDigestAuth(o: DigestAuthOptions): DigestAuth {
  const realm = o.realm ?? camsimRealm;
  const ttl = o.nonceTtlMs ?? 5 * 60_000;
  const sign = (issued: string): string => createHmac('sha256', o.secret).update(issued).digest('base64url');
  const newNonce = (): string => {
    const issued = String(o.clock.now());
    return `${issued}.${sign(issued)}`;
  };
  return {
    challenge(stale) {
      return `Digest realm="${realm}", nonce="${newNonce()}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
    },
    check(method, requestUri, authorization) {
      if (authorization === undefined) return 'missing';
      const parsed = parseAuthorization(authorization);
      if (parsed === undefined || parsed.scheme !== 'digest') return 'missing';
      const p = parsed.params;
      const nonce = p.get('nonce');
      const uri = p.get('uri');
      const response = p.get('response');
      const qop = p.get('qop');
      const algorithm = p.get('algorithm');
      if (nonce === undefined || uri === undefined || response === undefined) return 'invalid';
      if (p.get('realm') !== realm || p.get('username') === undefined) return 'invalid';
      if (algorithm !== undefined && algorithm.toUpperCase() !== 'MD5') return 'invalid';
      if (qop !== undefined && qop !== 'auth') return 'invalid';
      if (qop !== undefined && (p.get('nc') === undefined || p.get('cnonce') === undefined)) return 'invalid';
      if (uriPath(uri) !== uriPath(requestUri)) return 'invalid';
      const dot = nonce.indexOf('.');
      const issued = nonce.slice(0, dot);
      if (dot <= 0 || !/^\d+$/.test(issued) || !safeEqual(nonce.slice(dot + 1), sign(issued))) return 'invalid';
      const expected = digestResponse({
        username: o.username, realm, password: o.password, method, uri, nonce,
        qop, nc: p.get('nc'), cnonce: p.get('cnonce'),
      });
      // Username is compared inside the digest (HA1) and again here in constant time.
      const userOk = safeEqual(p.get('username') ?? '', o.username);
      const responseOk = safeEqual(response.toLowerCase(), expected);
      if (!userOk || !responseOk) return 'invalid';
      return o.clock.now() - Number(issued) > ttl ? 'stale' : 'ok';
    },
  };
}
