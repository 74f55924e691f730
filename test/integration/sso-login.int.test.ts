/**
 * Single sign-on through the app's own routes, against real identity providers: oidc-provider
 * over TLS and a samlify IdP. The browser's part is played by hand (redirects, cookies, the
 * IdP's auto-posted form); everything on Custos's side is the real server: the SSO routes, the
 * pending-login cookie, user creation, grants mapped from claims and attributes, the provider's
 * MFA satisfying a privileged role, and the audit events.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { App } from '../../src/app.ts';
import { sessionCookieName, ssoCookieName } from '../../src/identity/session-cookie.ts';
import { freePort, startTestApp, tempDir } from '../helpers/harness.ts';
import { cookieFrom } from '../helpers/login.ts';
import { OidcTestBrowser } from '../helpers/oidc-browser.ts';
import { startTestOp, type TestOp } from '../helpers/oidc-op.ts';
import { startSamlIdp, type TestSamlIdp } from '../helpers/saml-idp.ts';
import { testActor } from '../helpers/audit.ts';
import { testPrincipal } from '../helpers/access.ts';
import { teardown } from '../helpers/teardown.ts';

const roleMap = [
  { value: 'vms-admins', role: 'admin', scope: 'global' },
  { value: 'north-operators', role: 'operator', scope: 'site:north' },
];

describe('SSO logins through the app, against real identity providers', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let op: TestOp;
  let idp: TestSamlIdp;
  let app: App;
  let publicUrl = '';

  const defer = teardown({ after });

  before(async () => {
    dir = await tempDir('sso');
    defer(() => dir.remove());
    const port = await freePort();
    publicUrl = `https://localhost:${port}`;
    op = await startTestOp({
      dir: dir.path,
      clients: [{ clientId: 'custos', clientSecret: 'sso-test-client-secret', redirectUris: [`${publicUrl}/api/v1/auth/oidc/corp/callback`] }],
      accounts: {
        alice: { claims: { preferred_username: 'alice', name: 'Alice Example', email: 'alice@example.eu', groups: ['vms-admins', 'north-operators'] }, amr: ['pwd', 'otp'] },
        bob: { claims: { preferred_username: 'bob', name: 'Bob', groups: ['marketing'] }, amr: ['pwd'] },
        erin: { claims: { preferred_username: 'erin', name: 'Erin', groups: ['vms-admins'] }, amr: ['pwd'] },
      },
    });
    defer(() => op.close());
    idp = await startSamlIdp();
    defer(() => idp.close());
    const idpCertFile = join(dir.path, 'idp.pem');
    await writeFile(idpCertFile, idp.certPem);
    app = await startTestApp(join(dir.path, 'data'), {
      'server.port': port,
      'identity.oidc': [{ id: 'corp', name: 'Corp SSO', issuer: op.issuer, clientId: 'custos', clientSecret: 'sso-test-client-secret', caFile: op.caFile, roleMap, mfaAmr: ['otp'] }],
      'identity.saml': [{ id: 'partner', name: 'Partner IdP', entryPoint: idp.ssoUrl, idpIssuer: idp.entityId, idpCertFile, roleMap, roleAttribute: 'groups', mfaAuthnContexts: ['urn:custos:test:mfa'] }],
    });
    defer(() => app.close());
    await app.identity.sites.createSite({ id: 'north', name: 'North', fourEyes: false }, testActor);
  });

  /** Runs an OIDC login as `account`; returns the session cookie (or the failed response). */
  async function oidcLogin(account: string) {
    const start = await app.server.inject({ method: 'GET', url: '/api/v1/auth/oidc/corp/start' });
    assert.equal(start.statusCode, 302);
    const pending = cookieFrom(start.headers, ssoCookieName);
    assert.ok(pending, 'the login in flight is tied to this browser');
    const callback = await new OidcTestBrowser(op.caPem).login(start.headers.location as string, `${publicUrl}/api/v1/auth/oidc/corp/callback`, { account });
    const done = await app.server.inject({ method: 'GET', url: `${callback.pathname}${callback.search}`, headers: { cookie: `${ssoCookieName}=${pending}` } });
    return { done, session: cookieFrom(done.headers, sessionCookieName), pending, callback };
  }

  const me = (session: string) => app.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: `${sessionCookieName}=${session}` } });

  it('an OIDC login creates the user, maps groups to grants, and the provider\'s MFA satisfies the admin role', async () => {
    const { done, session } = await oidcLogin('alice');
    assert.equal(done.statusCode, 200, done.body);
    assert.match(done.body, /http-equiv="refresh"/);
    assert.ok(session);
    const who = (await me(session)).json<{ user: { username: string; displayName: string }; stage: string; grants: { role: string; scope: string }[]; permissions: string[] }>();
    assert.equal(who.user.username, 'alice');
    assert.equal(who.user.displayName, 'Alice Example');
    assert.equal(who.stage, 'complete', 'amr otp is trusted as MFA');
    assert.deepEqual(who.grants.map((g) => `${g.role}@${g.scope}`).sort(), ['admin@global', 'operator@site:north']);
    assert.ok(who.permissions.includes('user.manage'));
  });

  it('an OIDC callback replayed, or without its pending-login cookie, is refused', async () => {
    const { callback, pending } = await oidcLogin('alice');
    const again = await app.server.inject({ method: 'GET', url: `${callback.pathname}${callback.search}`, headers: { cookie: `${ssoCookieName}=${pending}` } });
    assert.equal(again.json<{ code: string }>().code, 'SSO_REFUSED');
    const start = await app.server.inject({ method: 'GET', url: '/api/v1/auth/oidc/corp/start' });
    const cb = await new OidcTestBrowser(op.caPem).login(start.headers.location as string, `${publicUrl}/api/v1/auth/oidc/corp/callback`, { account: 'alice' });
    const cookieless = await app.server.inject({ method: 'GET', url: `${cb.pathname}${cb.search}` });
    assert.equal(cookieless.json<{ code: string }>().code, 'SSO_REFUSED', 'a callback carried to another browser is refused (login CSRF)');
  });

  it('a user without a mapped group gets no access; an admin without trusted MFA must enrol a factor', async () => {
    const bob = await oidcLogin('bob');
    const cameras = await app.server.inject({ method: 'GET', url: '/api/v1/cameras', headers: { cookie: `${sessionCookieName}=${bob.session}` } });
    assert.equal(cameras.json<{ code: string }>().code, 'FORBIDDEN');
    const erin = await oidcLogin('erin');
    assert.equal((await me(erin.session!)).json<{ stage: string }>().stage, 'enrol');
  });

  it('a SAML login through the ACS maps attributes and trusts the configured AuthnContext as MFA', async () => {
    const start = await app.server.inject({ method: 'GET', url: '/api/v1/auth/saml/partner/start' });
    assert.equal(start.statusCode, 302);
    const pending = cookieFrom(start.headers, ssoCookieName);
    const metadata = await app.server.inject({ method: 'GET', url: '/api/v1/auth/saml/partner/metadata' });
    assert.match(metadata.body, new RegExp(`${publicUrl}/api/v1/auth/saml/partner/acs`));
    idp.trust(metadata.body);
    const posted = await idp.login(start.headers.location as string, { nameId: 'frank@partner.example', attributes: { groups: ['north-operators'], displayName: 'Frank' }, authnContextClassRef: 'urn:custos:test:mfa' });
    assert.equal(posted.action, `${publicUrl}/api/v1/auth/saml/partner/acs`);
    const form = new URLSearchParams({ SAMLResponse: posted.samlResponse, ...(posted.relayState ? { RelayState: posted.relayState } : {}) }).toString();
    const acs = await app.server.inject({ method: 'POST', url: '/api/v1/auth/saml/partner/acs', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${ssoCookieName}=${pending}` }, payload: form });
    assert.equal(acs.statusCode, 200, acs.body);
    const session = cookieFrom(acs.headers, sessionCookieName)!;
    const who = (await me(session)).json<{ user: { displayName: string }; stage: string; grants: { role: string; scope: string }[] }>();
    assert.equal(who.user.displayName, 'Frank');
    assert.deepEqual(who.grants.map((g) => `${g.role}@${g.scope}`), ['operator@site:north']);
    const replay = await app.server.inject({ method: 'POST', url: '/api/v1/auth/saml/partner/acs', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${ssoCookieName}=${pending}` }, payload: form });
    assert.equal(replay.json<{ code: string }>().code, 'SSO_REFUSED', 'the same response is not accepted twice');
  });

  it('records SSO logins, the accounts made and the grants mapped in the audit ledger', async () => {
    const auditor = await testPrincipal(app, { roles: ['auditor'] });
    await app.ledger.drain();
    const types = async (type: string) => (await auditor.inject({ method: 'GET', url: `/api/v1/audit/events?type=${type}&limit=200` })).json<{ events: { record: { outcome: string; details?: Record<string, unknown>; reason?: string } }[] }>().events.map((e) => e.record);
    const logins = await types('auth.login.succeeded');
    assert.ok(logins.some((r) => r.details?.method === 'oidc' && r.details.mfa === true));
    assert.ok(logins.some((r) => r.details?.method === 'saml'));
    assert.ok((await types('auth.login.failed')).some((r) => /corp|partner/.test(r.reason ?? '')), 'refused callbacks are recorded with the provider');
    assert.ok((await types('access.grant.created')).some((r) => r.details?.source === 'sso:corp' && r.details.role === 'admin'));
    assert.ok((await types('account.created')).some((r) => r.details?.provider === 'partner'));
  });
});
