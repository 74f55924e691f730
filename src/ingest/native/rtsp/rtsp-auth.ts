/**
 * RTSP client authentication (RFC 2326 §D.1 reuses HTTP's): parsing `WWW-Authenticate`
 * challenges (RFC 7235 §2.1, §4.1), choosing one, and signing requests with Digest (RFC 7616,
 * with RFC 2617's qop-less form still used by cameras) or Basic (RFC 7617).
 *
 * Contracts:
 * - challenge parsing never throws: it is fed untrusted bytes and skips what it cannot read;
 * - Digest is preferred over Basic, and SHA-512-256 over SHA-256 over MD5 (RFC 7616 §3.7 lets
 *   the client pick the strongest it supports); `-sess` variants rank just below their base;
 * - the password never leaves this module except inside a Basic header or as a digest input, and
 *   no error message here holds credentials.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../../lib/errors.ts';

/** One challenge: a lowercased scheme and its lowercased-key parameters (or a token68). */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
  readonly token68?: string;
}

const TCHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const T68CHAR = /[A-Za-z0-9\-._~+/]/;
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** Parses every challenge in the given `WWW-Authenticate` values; malformed parts are skipped. */
export function parseChallenges(values: readonly string[]): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const value of values) parseInto(value, out);
  return out;
}

function parseInto(s: string, out: AuthChallenge[]): void {
  let i = 0;
  const readWhile = (re: RegExp): string => {
    const start = i;
    while (i < s.length && re.test(s[i] ?? '')) i += 1;
    return s.slice(start, i);
  };
  const skipSpace = (): void => {
    while (isSpace(s[i])) i += 1;
  };
  /** Skips to just past the next comma outside a quoted string (error recovery). */
  const skipElement = (): void => {
    let quoted = false;
    for (; i < s.length; i += 1) {
      const c = s[i];
      if (quoted && c === '\\') i += 1;
      else if (c === '"') quoted = !quoted;
      else if (c === ',' && !quoted) {
        i += 1;
        return;
      }
    }
  };
  const readQuoted = (): string => {
    let v = '';
    i += 1; // opening quote
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i += 1;
      v += s[i];
      i += 1;
    }
    i += 1; // closing quote (or past the end when unterminated)
    return v;
  };

  while (i < s.length) {
    while (isSpace(s[i]) || s[i] === ',') i += 1;
    if (i >= s.length) return;
    const scheme = readWhile(TCHAR);
    if (scheme === '') {
      skipElement();
      continue;
    }
    const params = new Map<string, string>();
    let token68: string | undefined;
    let first = true;
    // auth-params (or one token68) until the next scheme; a missing comma between params is tolerated
    for (;;) {
      const sawSpace = isSpace(s[i]);
      skipSpace();
      if (i >= s.length) break;
      if (s[i] === ',') {
        i += 1;
        first = false;
        continue;
      }
      const mark = i;
      const name = readWhile(TCHAR);
      skipSpace();
      const t68Here = first && sawSpace;
      const isToken68 = t68Here && (s[i] !== '=' || /^=+[ \t]*(,|$)/.test(s.slice(i)));
      if (name !== '' && s[i] === '=' && !isToken68) {
        i += 1;
        skipSpace();
        // Unquoted values are read up to a comma or space, not just token characters: cameras send
        // base64 nonces unquoted.
        const value = s[i] === '"' ? readQuoted() : readWhile(/[^\s,"]/);
        const key = name.toLowerCase();
        if (!params.has(key)) params.set(key, value);
        first = false;
        continue;
      }
      if (t68Here) {
        // token68 (e.g. `Negotiate abc==`): right after the scheme and not a `name=value`.
        i = mark;
        const t = readWhile(T68CHAR) + readWhile(/=/);
        first = false;
        if (t !== '') {
          token68 = t;
          continue;
        }
      }
      if (name !== '') {
        // A token not followed by "=": the next challenge's scheme.
        i = mark;
        break;
      }
      skipElement();
    }
    out.push(token68 === undefined ? { scheme: scheme.toLowerCase(), params } : { scheme: scheme.toLowerCase(), params, token68 });
  }
}

/** Digest algorithms we can compute (RFC 7616 §6.1 registry, plus `-sess` forms). */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

const hashOf: Record<DigestAlgorithm, string> = {
  'MD5': 'md5', 'MD5-sess': 'md5', 'SHA-256': 'sha256', 'SHA-256-sess': 'sha256',
  'SHA-512-256': 'sha512-256', 'SHA-512-256-sess': 'sha512-256',
};
const rank: Record<DigestAlgorithm, number> = {
  'SHA-512-256': 6, 'SHA-512-256-sess': 5, 'SHA-256': 4, 'SHA-256-sess': 3, 'MD5': 2, 'MD5-sess': 1,
};

/** A chosen Digest challenge. */
export interface DigestChoice {
  readonly scheme: 'digest';
  readonly algorithm: DigestAlgorithm;
  /** The algorithm token as the server sent it; undefined if absent (then none is sent back, RFC 7616 §3.4). */
  readonly algorithmToken: string | undefined;
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
  /** `auth` when offered, else `auth-int`, else undefined (RFC 2069 form). */
  readonly qop: 'auth' | 'auth-int' | undefined;
  readonly userhash: boolean;
  readonly stale: boolean;
}

/** A chosen Basic challenge. */
export interface BasicChoice {
  readonly scheme: 'basic';
  readonly realm: string;
}

/** The result of choosing: a challenge we can answer, or why none can be. */
export type AuthChoice = DigestChoice | BasicChoice | { readonly scheme: 'none'; readonly offered: string };

function digestChoice(c: AuthChallenge): DigestChoice | undefined {
  const nonce = c.params.get('nonce');
  if (nonce === undefined) return undefined;
  const token = c.params.get('algorithm');
  const algorithm = (Object.keys(hashOf) as DigestAlgorithm[]).find((a) => a.toLowerCase() === (token ?? 'MD5').toLowerCase());
  if (algorithm === undefined) return undefined;
  const qops = c.params.get('qop')?.split(',').map((q) => q.trim().toLowerCase());
  let qop: DigestChoice['qop'];
  if (qops !== undefined) {
    if (qops.includes('auth')) qop = 'auth';
    else if (qops.includes('auth-int')) qop = 'auth-int';
    else return undefined; // only qop values we do not know
  }
  return {
    scheme: 'digest', algorithm, algorithmToken: token, realm: c.params.get('realm') ?? '', nonce,
    opaque: c.params.get('opaque'), qop,
    userhash: c.params.get('userhash')?.toLowerCase() === 'true',
    stale: c.params.get('stale')?.toLowerCase() === 'true',
  };
}

/**
 * Picks the strongest challenge we can answer: Digest by algorithm rank, then Basic when
 * `allowBasic`; otherwise `none` with the offered schemes named (for the error message).
 */
export function chooseChallenge(challenges: readonly AuthChallenge[], allowBasic: boolean): AuthChoice {
  let best: DigestChoice | undefined;
  for (const c of challenges) {
    if (c.scheme !== 'digest') continue;
    const d = digestChoice(c);
    if (d !== undefined && (best === undefined || rank[d.algorithm] > rank[best.algorithm])) best = d;
  }
  if (best !== undefined) return best;
  const basic = challenges.find((c) => c.scheme === 'basic');
  if (basic !== undefined && allowBasic) return { scheme: 'basic', realm: basic.params.get('realm') ?? '' };
  const offered = challenges.map((c) => {
    const alg = c.scheme === 'digest' ? c.params.get('algorithm') : undefined;
    return alg === undefined ? c.scheme : `${c.scheme} (algorithm ${alg.replace(/[^\x21-\x7e]/g, '?').slice(0, 20)})`;
  });
  return { scheme: 'none', offered: offered.length === 0 ? 'no challenge' : [...new Set(offered)].join(', ') };
}

/** Camera credentials; the password MUST NOT be logged or put in an error. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Quotes a value as an RFC 7230 quoted-string. */
function quote(v: string): string {
  return `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The `Basic` credentials (RFC 7617 §2); VALIDATION_FAILED for a user id with `:`. */
export function basicAuthorization(creds: Credentials): string {
  if (creds.username.includes(':')) throw new AppError('VALIDATION_FAILED', 'a user name for Basic authentication must not contain ":"');
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`;
}

/** Inputs of one Digest computation (RFC 7616 §3.4.1–§3.4.3). */
export interface DigestInputs {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly method: string;
  readonly uri: string;
  readonly nonce: string;
  readonly qop: 'auth' | 'auth-int' | undefined;
  readonly nc: string;
  readonly cnonce: string;
  readonly body: Buffer;
}

/** The request-digest as lowercase hex. */
export function digestResponse(d: DigestInputs): string {
  const h = (s: string | Buffer): string => createHash(hashOf[d.algorithm]).update(s).digest('hex');
  let ha1 = h(`${d.username}:${d.realm}:${d.password}`);
  if (d.algorithm.endsWith('-sess')) ha1 = h(`${ha1}:${d.nonce}:${d.cnonce}`);
  const ha2 = d.qop === 'auth-int' ? h(`${d.method}:${d.uri}:${h(d.body)}`) : h(`${d.method}:${d.uri}`);
  if (d.qop === undefined) return h(`${ha1}:${d.nonce}:${ha2}`);
  return h(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`);
}

/**
 * Signs requests against one Digest challenge, counting nonce uses (nc, RFC 7616 §3.4) so every
 * request gets a fresh nc and cnonce.
 */
export class DigestSigner {
  readonly #choice: DigestChoice;
  readonly #creds: Credentials;
  readonly #random: (n: number) => Buffer;
  #nc = 0;

  constructor(choice: DigestChoice, creds: Credentials, random: (n: number) => Buffer = randomBytes) {
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(creds.username)) throw new AppError('VALIDATION_FAILED', 'the user name holds control characters');
    this.#choice = choice;
    this.#creds = creds;
    this.#random = random;
  }

  /** The nonce this signer answers. */
  get nonce(): string {
    return this.#choice.nonce;
  }

  /** The `Authorization` value for one request; `uri` MUST be the request line's URI. */
  authorization(method: string, uri: string, body: Buffer = Buffer.alloc(0)): string {
    const c = this.#choice;
    this.#nc += 1;
    const nc = this.#nc.toString(16).padStart(8, '0');
    const cnonce = this.#random(16).toString('hex');
    const response = digestResponse({
      algorithm: c.algorithm, username: this.#creds.username, realm: c.realm, password: this.#creds.password,
      method, uri, nonce: c.nonce, qop: c.qop, nc, cnonce, body,
    });
    const username = c.userhash
      ? createHash(hashOf[c.algorithm]).update(`${this.#creds.username}:${c.realm}`).digest('hex')
      : this.#creds.username;
    const parts = [`username=${quote(username)}`, `realm=${quote(c.realm)}`, `nonce=${quote(c.nonce)}`, `uri=${quote(uri)}`, `response=${quote(response)}`];
    if (c.algorithmToken !== undefined) parts.push(`algorithm=${c.algorithm}`);
    if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
    if (c.qop !== undefined) parts.push(`qop=${c.qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
    if (c.userhash) parts.push('userhash=true');
    return `Digest ${parts.join(', ')}`;
  }
}
