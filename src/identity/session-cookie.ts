/**
 * The session cookie: `__Host-` prefixed (Secure, Path=/, no Domain, so no sub-domain or
 * plain-HTTP page can set or read it), HttpOnly, SameSite=Strict. It carries the session token;
 * the server keeps only its SHA-256.
 */
export const sessionCookieName = '__Host-custos_session';

/**
 * Holds the id of an SSO login in flight between our redirect and the provider's callback.
 * SameSite=None because a SAML response arrives as a cross-site POST; it holds no authority
 * (only the id of the pending state/nonce/verifier) and lives ten minutes.
 */
export const ssoCookieName = '__Host-custos_sso';

/** The value of a cookie in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Set-Cookie for a session token (no Max-Age: the server decides when it ends). */
export function sessionCookie(token: string): string {
  return `${sessionCookieName}=${token}; Path=/; Secure; HttpOnly; SameSite=Strict`;
}

/** Set-Cookie that removes the session cookie. */
export function clearSessionCookie(): string {
  return `${sessionCookieName}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/** Set-Cookie for an SSO login in flight. */
export function ssoCookie(id: string): string {
  return `${ssoCookieName}=${id}; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=600`;
}

/** Set-Cookie that removes the SSO cookie. */
export function clearSsoCookie(): string {
  return `${ssoCookieName}=; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0`;
}
