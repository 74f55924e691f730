/**
 * Turns what openid-client (and the network under it) throws into one SSO_REFUSED AppError with
 * a short reason. Reasons MUST NOT carry codes, tokens, claims values or secrets: they reach the
 * browser (problem `detail`) and the log. The library's error is dropped, not chained, because
 * its `cause` holds claims and responses.
 */
import { AppError } from '../../lib/errors.ts';

/** Which exchange with the provider failed. */
export type OidcStage = 'discovery' | 'token' | 'userinfo';

/** TLS verification failures reported by node:tls (OpenSSL verify codes and the host name check). */
const untrustedCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const unreachableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'OAUTH_TIMEOUT', 'OAUTH_ABORT']);

const claimReasons: Record<string, string> = {
  iss: 'The ID token was issued by another issuer.',
  aud: 'The ID token was issued for another client.',
  azp: 'The ID token was issued for another client.',
  nonce: 'The ID token belongs to another login (nonce).',
  exp: 'The ID token has expired.',
  nbf: 'The ID token is not valid yet.',
  iat: 'The ID token was issued too long ago.',
};

/** An OAuth error code as the provider sent it, if it looks like one (RFC 6749 §4.1.2.1); anyone can forge a callback's. */
export function safeCode(code: unknown): string {
  return typeof code === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : 'unrecognised error';
}

/** The SSO_REFUSED error for a failure of `stage`; an AppError passes through unchanged. */
export function refusalOf(error: unknown, stage: OidcStage): AppError {
  if (error instanceof AppError) return error;
  return new AppError('SSO_REFUSED', reasonOf(error, stage));
}

function reasonOf(error: unknown, stage: OidcStage): string {
  const chain = causes(error);
  const codes = new Set(chain.map((e) => e.code).filter((c): c is string => typeof c === 'string'));
  if ([...codes].some((c) => untrustedCodes.has(c))) return 'The provider\'s TLS certificate is not trusted.';
  if ([...codes].some((c) => unreachableCodes.has(c))) return 'The provider could not be reached.';
  const bodyError = chain.find((e) => e.name === 'ResponseBodyError');
  if (bodyError) {
    return stage === 'token'
      ? `The provider refused the authorization code (${safeCode(bodyError.error)}).`
      : `The provider refused the ${stage} request (${safeCode(bodyError.error)}).`;
  }
  const challenge = chain.find((e) => e.name === 'WWWAuthenticateChallengeError');
  if (challenge) {
    const first = Array.isArray(challenge.cause) ? (challenge.cause[0] as { parameters?: { error?: unknown } } | undefined) : undefined;
    return `The provider refused the ${stage} request (${safeCode(first?.parameters?.error)}).`;
  }
  const claim = chain.map((e) => e.claim).find((c): c is string => typeof c === 'string');
  if (claim !== undefined && (codes.has('OAUTH_JWT_CLAIM_COMPARISON_FAILED') || codes.has('OAUTH_JWT_TIMESTAMP_CHECK_FAILED'))) {
    return claimReasons[claim] ?? 'The ID token claims were refused.';
  }
  const said = (fragment: string): boolean => chain.some((e) => typeof e.message === 'string' && e.message.includes(fragment));
  const what = stage === 'userinfo' ? 'userinfo response' : 'ID token';
  if (said('"iss" (issuer) response parameter')) return 'The callback names another issuer.';
  if (said('signature verification failed')) return `The ${what} signature is invalid.`;
  if (said('JWT "alg"')) return `The ${what} is not signed with an accepted algorithm.`;
  if (codes.has('OAUTH_KEY_SELECTION_FAILED')) return 'The ID token is signed with a key the provider does not publish.';
  switch (stage) {
    case 'discovery':
      return codes.has('OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED')
        ? 'The provider\'s metadata names another issuer.'
        : 'The provider\'s discovery document could not be used.';
    case 'token':
      return 'The provider\'s token response was refused.';
    case 'userinfo':
      return 'The provider\'s userinfo response was refused.';
  }
}

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly error?: unknown;
  readonly claim?: unknown;
  readonly cause?: unknown;
}

/** The error, its `cause`s and their `cause`s (bounded), as plain records. */
function causes(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const link: ErrorLike = current;
    out.push(link);
    current = link.cause;
  }
  return out;
}
