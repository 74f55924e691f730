/**
 * The OpenID Connect relying party of one configured provider: discovery, the authorization
 * request (code flow, PKCE S256, state and nonce always) and the callback, which yields a
 * verified ExternalIdentity. openid-client does the protocol checks; this module adds the
 * Custos rules (HTTPS only, the provider's CA, refusals as SSO_REFUSED, claims to roles).
 * OpenID Connect Core 1.0 §3.1; RFC 7636 (PKCE); RFC 9207 (`iss` in the callback).
 */
import { readFile } from 'node:fs/promises';
import * as oidc from 'openid-client';
import type { OidcProviderConfig } from '../../config/identity.schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import type { ExternalIdentity } from '../external-identity.ts';
import { identityFromClaims, wantedClaims, type Claims } from './oidc-claims.ts';
import { providerFetch } from './provider-fetch.ts';
import { refusalOf, safeCode } from './oidc-refusal.ts';

/**
 * What `finish` needs from `start`: plain JSON the caller MUST keep server-side (never in a
 * cookie value or URL the browser can change), bound to the browser that started the login,
 * and MUST use once.
 */
export interface PendingOidcLogin {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** Seconds an HTTP request to the provider may take. */
const requestTimeoutSeconds = 10;

/** One OIDC provider as seen by Custos; made by `discover`, then used for any number of logins. */
export class OidcRelyingParty {
  /** Where the provider sends the browser back: `<publicUrl>/api/v1/auth/oidc/<id>/callback`. */
  readonly redirectUri: string;
  readonly #config: OidcProviderConfig;
  readonly #server: oidc.ServerMetadata;
  readonly #fetch: oidc.CustomFetch;
  readonly #clock: Clock;
  #jwks: oidc.ExportedJWKSCache | undefined;

  private constructor(config: OidcProviderConfig, redirectUri: string, server: oidc.ServerMetadata, fetch: oidc.CustomFetch, clock: Clock) {
    this.#config = config;
    this.redirectUri = redirectUri;
    this.#server = server;
    this.#fetch = fetch;
    this.#clock = clock;
  }

  /**
   * Reads the provider's discovery document. The issuer MUST be https (else CONFIG_INVALID, as is
   * an unreadable caFile); the caFile's CAs are trusted for every call to the provider, besides
   * the default store. An unreachable or untrusted provider, or metadata naming another issuer,
   * is SSO_REFUSED. `clock` is the time ID tokens are checked against.
   */
  static async discover(config: OidcProviderConfig, publicUrl: string, clock: Clock): Promise<OidcRelyingParty> {
    const issuer = new URL(config.issuer);
    if (issuer.protocol !== 'https:') {
      throw new AppError('CONFIG_INVALID', `The issuer of OIDC provider ${config.id} must be an https:// URL.`);
    }
    let extraCa: string[] = [];
    if (config.caFile !== null) {
      try {
        extraCa = [await readFile(config.caFile, 'utf8')];
      } catch {
        throw new AppError('CONFIG_INVALID', `The caFile of OIDC provider ${config.id} cannot be read.`);
      }
      if (!extraCa[0]!.includes('-----BEGIN CERTIFICATE-----')) {
        throw new AppError('CONFIG_INVALID', `The caFile of OIDC provider ${config.id} holds no PEM certificate.`);
      }
    }
    const fetch = providerFetch(extraCa);
    let discovered: oidc.Configuration;
    try {
      discovered = await oidc.discovery(issuer, config.clientId, undefined, clientAuth(config), {
        [oidc.customFetch]: fetch,
        timeout: requestTimeoutSeconds,
      });
    } catch (e) {
      throw refusalOf(e, 'discovery');
    }
    const redirectUri = `${publicUrl.replace(/\/+$/, '')}/api/v1/auth/oidc/${config.id}/callback`;
    return new OidcRelyingParty(config, redirectUri, discovered.serverMetadata(), fetch, clock);
  }

  /** The URL to send the browser to, and what the caller keeps until the callback. */
  async start(): Promise<{ url: string; pending: PendingOidcLogin }> {
    const pending: PendingOidcLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
    };
    const scopes = this.#config.scopes.includes('openid') ? this.#config.scopes : ['openid', ...this.#config.scopes];
    const url = oidc.buildAuthorizationUrl(this.#configuration(), {
      redirect_uri: this.redirectUri,
      response_type: 'code',
      scope: scopes.join(' '),
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /**
   * Verifies the callback and redeems its code. Only the callback's query is used (against our
   * own redirect URI, whatever host the request came in on). Refused (SSO_REFUSED): a state that
   * is not the pending one, an `error=` callback, a code the provider does not accept (reused,
   * expired, another client's, wrong PKCE verifier), and an ID token failing signature, issuer,
   * audience, nonce or expiry checks at the injected clock's time.
   */
  async finish(callbackUrl: URL, pending: PendingOidcLogin): Promise<ExternalIdentity> {
    if (!isPending(pending)) throw new AppError('SSO_REFUSED', 'No OIDC login is in progress.');
    const params = callbackUrl.searchParams;
    if (params.get('state') !== pending.state) throw new AppError('SSO_REFUSED', 'The login state does not match.');
    const error = params.get('error');
    if (error !== null) throw new AppError('SSO_REFUSED', `The provider returned an error (${safeCode(error)}).`);

    const configuration = this.#configuration();
    const callback = new URL(this.redirectUri);
    callback.search = callbackUrl.search;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, callback, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      throw refusalOf(e, 'token');
    } finally {
      this.#jwks = oidc.getJwksCache(configuration) ?? this.#jwks;
    }
    const idToken: Claims | undefined = tokens.claims();
    if (idToken === undefined) throw new AppError('SSO_REFUSED', 'The provider returned no ID token.');

    let userinfo: Claims | null = null;
    const missing = wantedClaims(this.#config).some((name) => idToken[name] === undefined);
    if (missing && this.#server.userinfo_endpoint !== undefined) {
      try {
        userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, String(idToken.sub));
      } catch (e) {
        throw refusalOf(e, 'userinfo');
      }
    }
    try {
      return identityFromClaims(this.#config, idToken, userinfo);
    } catch {
      throw new AppError('SSO_REFUSED', 'The ID token has no subject.');
    }
  }

  /**
   * A fresh openid-client Configuration whose notion of "now" is the injected clock's (its
   * clock skew is fixed at construction, so each login gets its own), with ID token signature
   * checks on; the provider's key set cache is carried from one to the next.
   */
  #configuration(): oidc.Configuration {
    const skewSeconds = (this.#clock.now() - Date.now()) / 1000;
    const configuration = new oidc.Configuration(this.#server, this.#config.clientId, { [oidc.clockSkew]: skewSeconds }, clientAuth(this.#config));
    configuration[oidc.customFetch] = this.#fetch;
    configuration.timeout = requestTimeoutSeconds;
    // openid-client trusts TLS alone for an ID token from the token endpoint (OIDC Core §3.1.3.7
    // allows it); Custos MUST verify its signature against the provider's published keys too.
    oidc.enableNonRepudiationChecks(configuration);
    if (this.#jwks !== undefined) oidc.setJwksCache(configuration, this.#jwks);
    return configuration;
  }
}

/** client_secret_basic for a confidential client, none (PKCE only) for a public one. */
function clientAuth(config: OidcProviderConfig): oidc.ClientAuth {
  return config.clientSecret === null ? oidc.None() : oidc.ClientSecretBasic(config.clientSecret.reveal());
}

function isPending(value: unknown): value is PendingOidcLogin {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return [v.state, v.nonce, v.codeVerifier].every((s) => typeof s === 'string' && s.length > 0);
}
