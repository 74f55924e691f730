/**
 * Single sign-on in a real browser: headless Chromium clicks the page's SSO buttons and goes
 * through a real OpenID provider (oidc-provider over TLS, its own login and consent forms) and a
 * real SAML IdP (samlify; its auto-posted form is a cross-site POST to our ACS). This is where
 * the cookie design is proven in a browser: the pending-login cookie (SameSite=None) survives
 * the provider's cross-site redirect and POST, and the session cookie (SameSite=Strict) set on
 * that cross-site answer is used once the closing page moves on to `/` from our own origin.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../src/app.ts';
import { launchChromium, newTrustingContext } from '../helpers/chromium.ts';
import { freePort, startTestApp, tempDir } from '../helpers/harness.ts';
import { startTestOp, type TestOp } from '../helpers/oidc-op.ts';
import { startSamlIdp, type TestSamlIdp } from '../helpers/saml-idp.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

const roleMap = [{ value: 'north-operators', role: 'operator', scope: 'site:north' }];

/** Console errors and exceptions on our own pages (the test providers' pages have no favicon: a 404 there). */
function ourErrors(page: Page, baseUrl: string): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    // A failed load names the resource in its location; other errors, the page they came from.
    const where = msg.location().url || page.url();
    if (msg.type() === 'error' && where.startsWith(baseUrl)) errors.push(`console: ${msg.text()} (${where})`);
  });
  page.on('pageerror', (err) => errors.push(`exception: ${err.message}`));
  return errors;
}

/** What the signed-in page shows and what the server says of its session. */
async function signedIn(page: Page): Promise<{ user: string; grants: string[]; stage: unknown }> {
  await page.locator('#console-view').waitFor({ state: 'visible', timeout: 20_000 });
  const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).json() as Promise<{ user: { username: string }; stage: string; grants: { role: string; scope: string }[] }>);
  return { user: me.user.username, grants: me.grants.map((g) => `${g.role}@${g.scope}`), stage: me.stage };
}

describe('SSO from the web page in Chromium, against real identity providers', () => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let op: TestOp | undefined;
  let idp: TestSamlIdp | undefined;
  let app: App | undefined;
  let browser: Browser | undefined;
  let baseUrl = '';

  const defer = teardown({ after });

  before(async () => {
    dir = await tempDir('e2e-sso');
    defer(() => dir?.remove());
    const port = await freePort();
    baseUrl = `https://localhost:${port}`;
    op = await startTestOp({
      dir: dir.path,
      clients: [{ clientId: 'custos', clientSecret: 'e2e-sso-client-secret', redirectUris: [`${baseUrl}/api/v1/auth/oidc/corp/callback`] }],
      accounts: { olivia: { claims: { preferred_username: 'olivia', name: 'Olivia', groups: ['north-operators'] }, amr: ['pwd'] } },
    });
    defer(() => op?.close());
    idp = await startSamlIdp();
    defer(() => idp?.close());
    const idpCertFile = join(dir.path, 'idp.pem');
    await writeFile(idpCertFile, idp.certPem);
    app = await startTestApp(join(dir.path, 'data'), {
      'server.port': port,
      'identity.oidc': [{ id: 'corp', name: 'Corp SSO', issuer: op.issuer, clientId: 'custos', clientSecret: 'e2e-sso-client-secret', caFile: op.caFile, roleMap }],
      'identity.saml': [{ id: 'partner', name: 'Partner IdP', entryPoint: idp.ssoUrl, idpIssuer: idp.entityId, idpCertFile, roleMap }],
    });
    defer(() => app?.close());
    await app.identity.sites.createSite({ id: 'north', name: 'North', fourEyes: false }, testActor);
    idp.trust((await app.server.inject({ method: 'GET', url: '/api/v1/auth/saml/partner/metadata' })).body);
    browser = await launchChromium();
    defer(() => browser?.close());
  });

  it('signs in with the OIDC button: provider login and consent pages, back to the cameras with the mapped role', async () => {
    const context = await newTrustingContext(browser!);
    const page = await context.newPage();
    const errors = ourErrors(page, baseUrl);
    try {
      await page.goto(baseUrl);
      await page.getByRole('link', { name: 'Sign in with Corp SSO' }).click();
      // The provider's own pages (another site: 127.0.0.1, its own TLS certificate).
      await page.locator('input[name="login"]').fill('olivia');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Continue' }).click();
      assert.deepEqual(await signedIn(page), { user: 'olivia', grants: ['operator@site:north'], stage: 'complete' });
      const cookies = await context.cookies(baseUrl);
      const session = cookies.find((c) => c.name === '__Host-custos_session');
      assert.ok(session?.httpOnly && session.secure && session.sameSite === 'Strict', 'the session cookie is HttpOnly, Secure, SameSite=Strict');
      assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
    } catch (e) {
      await page.screenshot({ path: '/tmp/custos-sso-oidc.png', fullPage: true }).catch(() => undefined);
      throw e;
    } finally {
      await context.close();
    }
  });

  it('signs in with the SAML button: the IdP\'s auto-posted response reaches the ACS cross-site and the page signs in', async () => {
    const context = await newTrustingContext(browser!);
    await context.addCookies([{ name: 'idp_session', value: idp!.openSession({ nameId: 'paul@partner.example', attributes: { groups: ['north-operators'], displayName: 'Paul' } }), url: idp!.base }]);
    const page = await context.newPage();
    const errors = ourErrors(page, baseUrl);
    try {
      await page.goto(baseUrl);
      await page.getByRole('link', { name: 'Sign in with Partner IdP' }).click();
      const who = await signedIn(page);
      assert.deepEqual(who.grants, ['operator@site:north']);
      assert.equal(who.stage, 'complete');
      assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
    } catch (e) {
      await page.screenshot({ path: '/tmp/custos-sso-saml.png', fullPage: true }).catch(() => undefined);
      throw e;
    } finally {
      await context.close();
    }
  });
});
