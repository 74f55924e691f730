import type { FastifyReply } from 'fastify';
import * as api from '../api/identity.schemas.ts';
import { clientKey } from './client-address.ts';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import { defineRoute, type RouteSpec } from './request-context.ts';
import { clearSsoCookie, cookieValue, sessionCookie, ssoCookie, ssoCookieName } from './session-cookie.ts';
import { AppError, isAppError } from '../lib/errors.ts';
import type { PendingStore } from './challenges.ts';
import type { ExternalIdentity } from './external-identity.ts';
import type { LoginService } from './login.service.ts';
import type { PendingOidcLogin } from './oidc/oidc-rp.ts';
import { randomSecret } from './secret-token.ts';
import type { SsoProviders } from './sso-providers.ts';

/** An SSO login in flight, kept server-side under the id in the SSO cookie. */
export type PendingSso = { readonly protocol: 'oidc'; readonly provider: string; readonly pending: PendingOidcLogin } | { readonly protocol: 'saml'; readonly provider: string; readonly requestId: string };

/** Dependencies of the SSO routes. Route builders MUST NOT use them before a handler runs. */
export interface SsoRouteDeps {
  readonly sso: SsoProviders;
  readonly pendingSso: PendingStore<PendingSso>;
  readonly login: LoginService;
  readonly audit: AuditSink;
  readonly publicUrl: () => string;
}

/**
 * The page that ends an SSO login. The session cookie is SameSite=Strict, so it is not sent on
 * the provider's cross-site redirect or POST; this page moves on to `/` from our own origin.
 */
const donePage = '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/"><link rel="icon" href="data:,"><title>Custos</title><p>Signed in. <a href="/">Continue</a></p>\n';

/** OIDC (authorization code + PKCE) and SAML 2.0 (SP-initiated) logins, and our SAML metadata. */
export function ssoRoutes(deps: SsoRouteDeps): RouteSpec[] {
  const takePending = <P extends PendingSso['protocol']>(cookieHeader: string | undefined, protocol: P, provider: string): Extract<PendingSso, { protocol: P }> => {
    const id = cookieValue(cookieHeader, ssoCookieName);
    const pending = id ? deps.pendingSso.take(id) : undefined;
    if (!pending || pending.protocol !== protocol || pending.provider !== provider) throw new AppError('SSO_REFUSED', 'no login in progress for this provider (it expired, or it was started elsewhere)');
    return pending as Extract<PendingSso, { protocol: P }>;
  };
  /** The redirect to a provider; the login in flight is kept under a fresh SSO cookie. */
  const startRoute = (protocol: PendingSso['protocol'], summary: string, begin: (provider: string) => Promise<{ url: string; pending: PendingSso }>) =>
    defineRoute({
      method: 'GET',
      url: `/api/v1/auth/${protocol}/:provider/start`,
      access: 'public',
      summary,
      tag: 'auth',
      params: api.providerParams,
      response: { status: 302 },
      handler: async ({ params, reply, request }) => {
        const { url, pending } = await begin(params.provider);
        await reply.header('set-cookie', ssoCookie(deps.pendingSso.put(pending, clientKey(request.ip)))).redirect(url, 302);
        return undefined;
      },
    });
  /**
   * Ends an SSO login. A callback counts against the address's login rate before anything else
   * (issue 11 item 6); a refusal without a login in flight is anonymous and only summarised.
   */
  const finish = async (reply: FastifyReply, audit: AuditContext, provider: string, verify: (found: () => void) => Promise<ExternalIdentity>) => {
    await deps.login.admitSso(audit);
    let identity: ExternalIdentity;
    let inFlight = false;
    try {
      identity = await verify(() => (inFlight = true));
    } catch (e) {
      if (isAppError(e, 'SSO_REFUSED', 'NOT_FOUND')) await deps.login.ssoRefused(provider, e.message, !inFlight, audit);
      throw e;
    }
    const result = await deps.login.sso(identity, audit);
    await reply
      .header('set-cookie', [sessionCookie(result.open.token), clearSsoCookie()])
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; img-src data:; frame-ancestors 'none'")
      .send(donePage);
    return undefined;
  };
  return [
    startRoute('oidc', 'Start an OpenID Connect login (redirects to the provider)', async (provider) => {
      const { url, pending } = await (await deps.sso.oidc(provider)).start();
      return { url, pending: { protocol: 'oidc', provider, pending } };
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/auth/oidc/:provider/callback',
      access: 'public',
      audit: 'auth.login.succeeded',
      summary: 'The OpenID Connect redirect URI: verifies the code, state, nonce and ID token, then signs in',
      tag: 'auth',
      params: api.providerParams,
      response: { status: 200, mediaType: 'text/html' },
      handler: async ({ params, request, reply, audit }) => {
        return finish(reply, audit, params.provider, async (found) => {
          const pending = takePending(request.headers.cookie, 'oidc', params.provider);
          found();
          const rp = await deps.sso.oidc(params.provider);
          return rp.finish(new URL(request.url, deps.publicUrl()), pending.pending);
        });
      },
    }),
    startRoute('saml', 'Start a SAML 2.0 login (redirects to the identity provider)', async (provider) => {
      const { url, requestId } = await (await deps.sso.saml(provider)).start(randomSecret(12));
      return { url, pending: { protocol: 'saml', provider, requestId } };
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/saml/:provider/acs',
      access: 'public',
      form: true,
      audit: 'auth.login.succeeded',
      summary: 'The SAML assertion consumer service (HTTP-POST binding): verifies the signed assertion, then signs in',
      tag: 'auth',
      params: api.providerParams,
      body: api.samlAcsBody,
      response: { status: 200, mediaType: 'text/html' },
      handler: async ({ params, body, request, reply, audit }) => {
        return finish(reply, audit, params.provider, async (found) => {
          const pending = takePending(request.headers.cookie, 'saml', params.provider);
          found();
          const sp = await deps.sso.saml(params.provider);
          return sp.finish(body.SAMLResponse, pending.requestId);
        });
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/auth/saml/:provider/metadata',
      access: 'public',
      summary: 'Our SAML service provider metadata (entity id, ACS URL)',
      tag: 'auth',
      params: api.providerParams,
      response: { status: 200, mediaType: 'application/samlmetadata+xml' },
      handler: async ({ params, reply }) => {
        const sp = await deps.sso.saml(params.provider);
        await reply.type('application/samlmetadata+xml').send(sp.metadata());
        return undefined;
      },
    }),
  ];
}
